import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CardFailureCode } from '../../protocol/payments.ts';
import { cardFailure, cardFailuresMarkdown } from './failures.ts';

describe('card failures, in the cashier’s words', () => {
  it('say for every code what happened and what to do, with the reader and detail filled in', () => {
    for (const code of CardFailureCode.options) {
      const { message } = cardFailure(code, { reader: 'tmr_front', detail: 'why' });
      expect(message, code).not.toMatch(/[{}]|\s\.|\s{2}/);
      expect(message.split('. ').length, code).toBeGreaterThanOrEqual(2);
    }
    expect(cardFailure('card_declined', { detail: 'insufficient funds' }).message).toBe(
      'The card was declined (insufficient funds). Ask for another card (Try again), or take cash.',
    );
    expect(cardFailure('card_declined').message).toMatch(/^The card was declined\. /);
    expect(cardFailure('reader_offline', { reader: 'tmr_bar' }).message).toMatch(
      /^The reader tmr_bar is offline\./,
    );
  });

  it('are documented: docs/payments.md holds the table generated from them', () => {
    const doc = readFileSync(new URL('../../docs/payments.md', import.meta.url), 'utf8');
    expect(doc).toContain(cardFailuresMarkdown());
  });
});
