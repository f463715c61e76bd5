import { describe, expect, it } from 'vitest';
import { money } from './money.ts';

describe('money', () => {
  it('reads minor units in the currency’s own decimals', () => {
    expect(money(3951, 'USD')).toBe('$39.51');
    expect(money(-250, 'USD')).toBe('-$2.50');
    expect(money(1200, 'JPY')).toBe('¥1,200');
    expect(money(3951, 'EUR', 'de-DE').replace('\u00a0', ' ')).toBe('39,51 €');
  });
});
