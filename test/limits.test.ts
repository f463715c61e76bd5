import { describe, expect, it } from 'vitest';
import { apiFor, burgerOrder, startHub, tempDir } from './support/hub.ts';

/** The cloud-only system lost its rate limits at every deploy, a brute-force window. Not here. */
describe('rate limits and lockouts survive a restart', () => {
  it('keeps a device over its command limit limited across a restart, with Retry-After', async () => {
    const { dir, remove } = tempDir();
    try {
      let t = await startHub({ rateLimitCommandsPerMinute: 30 }, dir);
      for (let i = 0; i < 30; i++)
        expect((await t.api('POST', '/api/v1/orders', burgerOrder())).status).toBe(201);
      const limited = await t.api('POST', '/api/v1/orders', burgerOrder());
      expect(limited.status).toBe(429);
      expect(limited.body.code).toBe('RATE_LIMITED');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await t.api('GET', '/api/v1/orders?limit=1')).status).toBe(200); // reads are not commands
      const token = t.tokens.pos;
      await t.hub.stop();
      t = await startHub({ rateLimitCommandsPerMinute: 30 }, dir);
      const api = apiFor(t.base, token);
      const after = await api('POST', '/api/v1/orders', burgerOrder());
      expect(after.status).toBe(429);
      await t.hub.stop();
    } finally {
      remove();
    }
  });

  it('locks a staff PIN after five wrong tries, doubling, and the lockout outlives a restart', async () => {
    const { dir, remove } = tempDir();
    try {
      let t = await startHub({}, dir);
      const made = await t.api(
        'POST',
        '/api/v1/staff',
        { name: 'Sam', roleId: 'cashier', pin: '4821' },
        t.tokens.manager,
      );
      expect(made.status).toBe(201);
      const staffId = made.body.id;
      expect((await t.api('POST', '/api/v1/staff/verify', { staffId, pin: '4821' })).body.name).toBe('Sam');
      for (let i = 0; i < 4; i++)
        expect((await t.api('POST', '/api/v1/staff/verify', { staffId, pin: '0000' })).status).toBe(401);
      const fifth = await t.api('POST', '/api/v1/staff/verify', { staffId, pin: '0000' });
      expect(fifth.body.detail).toMatch(/locked for 30 s/);
      const locked = await t.api('POST', '/api/v1/staff/verify', { staffId, pin: '4821' });
      expect(locked.status).toBe(429);
      expect(locked.body.code).toBe('LOCKED_OUT');
      const token = t.tokens.pos;
      await t.hub.stop();
      t = await startHub({}, dir);
      const again = await apiFor(t.base, token)('POST', '/api/v1/staff/verify', { staffId, pin: '4821' });
      expect(again.status).toBe(429);
      expect(Number(again.headers.get('retry-after'))).toBeGreaterThan(20);
      const stored = t.hub.store.db.prepare('SELECT pin_hash FROM staff').pluck().get() as string;
      expect(stored).toMatch(/^scrypt\$/);
      expect(stored).not.toContain('4821');
      await t.hub.stop();
    } finally {
      remove();
    }
  });

  it('locks out an address that keeps sending bad tokens, and limits pairing requests per address', async () => {
    const t = await startHub({ authFailuresBeforeLockout: 5 });
    try {
      for (let i = 0; i < 5; i++)
        expect((await t.api('GET', '/api/v1/me', undefined, `ghd_guess${i}`)).status).toBe(401);
      const locked = await t.api('GET', '/api/v1/me', undefined, 'ghd_guess-again');
      expect(locked.status).toBe(429);
      expect(locked.body.code).toBe('LOCKED_OUT');
      const statuses = [];
      for (let i = 0; i < 12; i++)
        statuses.push(
          (await t.api('POST', '/api/v1/pairings', { name: `tablet ${i}`, role: 'pos' }, null)).status,
        );
      expect(statuses.filter((s) => s === 201)).toHaveLength(10);
      expect(statuses.slice(10)).toEqual([429, 429]);
    } finally {
      await t.stop();
    }
  });
});
