import { describe, expect, it } from 'vitest';
import { balance, canMovePayment, changeDue, refundedStatus, standaloneRefusal } from './rules.ts';

describe('payment rules', () => {
  it('balances split tender against the order, tips on top, failed and unknown (pending) payments ignored', () => {
    const b = balance(3951, [
      { status: 'captured', amount: 2000, tip: 0 },
      { status: 'failed', amount: 1951, tip: 300 },
      { status: 'pending', amount: 1951, tip: 0 },
      { status: 'captured', amount: 1951, tip: 300 },
    ]);
    expect(b).toEqual({ paid: 3951, tips: 300, due: 0 });
    // A standalone terminal's card counts until a manager says it never arrived.
    expect(balance(3951, [{ status: 'unverified', amount: 3951, tip: 0 }]).due).toBe(0);
  });

  it('computes change and refuses illegal moves', () => {
    expect(changeDue(5000, 3951, 0)).toBe(1049);
    expect(changeDue(undefined, 100, 0)).toBe(0);
    expect(canMovePayment('pending', 'captured')).toBe(true);
    expect(canMovePayment('refunded', 'captured')).toBe(false);
    expect(canMovePayment('failed', 'captured')).toBe(false);
    expect(canMovePayment('pending', 'unverified')).toBe(false);
    expect(canMovePayment('unverified', 'failed')).toBe(true);
    expect(refundedStatus(1000, 200, 500)).toBe('partially_refunded');
    expect(refundedStatus(1000, 200, 1200)).toBe('refunded');
  });

  it('caps standalone card payments per transaction and in total', () => {
    const limits = { perTransaction: 20_000, total: 200_000 };
    expect(standaloneRefusal(19_999, 0, limits)).toBeNull();
    expect(standaloneRefusal(20_001, 0, limits)).toMatch(/limited to 20000 each/);
    expect(standaloneRefusal(15_000, 190_000, limits)).toMatch(/not yet verified/);
  });
});
