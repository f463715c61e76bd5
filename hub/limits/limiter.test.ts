import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/hub.ts';
import { openToolStore } from '../store/writer.ts';
import { Limiter } from './limiter.ts';
import { pinLockout, tokenLockout } from './policy.ts';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

function limiterOn(dir: string, now: () => number, maxKeys = 100) {
  const { store, committer } = openToolStore(`${dir}/hub.db`, 5_000);
  const limiter = new Limiter(store, {
    maxKeys,
    flushMs: 60_000,
    now,
    write: (fn) => committer.run(fn),
    log: quiet,
  });
  return { store, committer, limiter };
}

describe('Limiter', () => {
  it('never forgets a live lockout, however many other addresses fail (issue 14.3)', async () => {
    const { dir, remove } = tempDir();
    try {
      let t = 1_000_000;
      const { store, committer, limiter } = limiterOn(dir, () => t, 100);
      for (let i = 0; i < pinLockout.threshold; i++) limiter.fail('staff:sam', pinLockout);
      expect(limiter.lockedFor('staff:sam')).toBeGreaterThan(0);
      // 10,100 bad tokens from as many addresses, a hundred times the mirror's size.
      for (let i = 0; i < 10_100; i++) limiter.fail(`auth:ip:10.0.${i >> 8}.${i & 255}`, tokenLockout);
      await committer.drain();
      expect(limiter.lockedFor('staff:sam')).toBeGreaterThan(0);
      t += 10_000;
      expect(limiter.lockedFor('staff:sam')).toBeGreaterThan(0); // still locked, answered from SQLite
      store.close();
    } finally {
      remove();
    }
  });

  it('counts an attempt before it is checked, so attempts in flight at once cannot slip under the lock', () => {
    const { dir, remove } = tempDir();
    try {
      const { store, limiter } = limiterOn(dir, () => 5_000_000);
      const admitted = Array.from({ length: 200 }, () => limiter.attempt('staff:sam', pinLockout)).filter(
        (v) => v.ok,
      );
      expect(admitted).toHaveLength(pinLockout.threshold);
      limiter.succeed('staff:sam'); // a right answer clears the count
      expect(limiter.attempt('staff:sam', pinLockout).ok).toBe(true);
      store.close();
    } finally {
      remove();
    }
  });
});
