import { describe, expect, it } from 'vitest';
import { classifyFailure, gapSyncedSeq } from './classify.ts';

describe('classifyFailure', () => {
  it('separates retryable, auth, gap and permanent failures', () => {
    expect(classifyFailure({ status: 0, message: 'fetch failed' })).toBe('retryable');
    expect(classifyFailure({ status: 503, message: '' })).toBe('retryable');
    expect(classifyFailure({ status: 429, message: '' })).toBe('retryable');
    expect(classifyFailure({ status: 401, code: 'PGRST301', message: '' })).toBe('auth');
    expect(classifyFailure({ status: 403, code: '42501', message: '' })).toBe('auth');
    expect(classifyFailure({ status: 400, code: 'GR409', message: '' })).toBe('gap');
    expect(
      classifyFailure({ status: 400, code: '22P02', message: 'invalid input syntax for type uuid' }),
    ).toBe('permanent');
    expect(gapSyncedSeq({ status: 400, message: '', details: '{"synced_seq" : 41}' })).toBe(41);
    expect(gapSyncedSeq({ status: 400, message: '', details: 'nonsense' })).toBeNull();
  });
});
