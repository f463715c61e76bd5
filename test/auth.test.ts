import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appPaths } from '../hub/web/routes.ts';
import type { Role } from '../protocol/devices.ts';
import { CloseCode } from '../protocol/realtime.ts';
import { newOrderId, startHub, type TestHub } from './support/hub.ts';
import { RecordingSocket } from './support/socket.ts';

let t: TestHub;
let revokedToken: string;
beforeAll(async () => {
  // The matrix sends hundreds of bad tokens on purpose; the lockout they would trip is tested below.
  t = await startHub({ authFailuresBeforeLockout: 1_000_000 });
  const doomed = await t.hub.devices.create('lost tablet', 'manager');
  await t.hub.devices.revoke(doomed.id);
  revokedToken = doomed.token;
});
afterAll(() => t.stop());

/** Fill path parameters with well-formed ids so the request reaches the auth check and beyond. */
const concrete = (url: string) => url.replace(':itemId', 'cola').replace(/:id/g, newOrderId());

describe('every route × {no token, revoked, each role}', () => {
  it('has routes to check, each declaring who may call it', () => {
    const secured = t.hub.app.routeTable.filter((r) => !r.public);
    expect(secured.length).toBeGreaterThanOrEqual(15);
    // Public: the two pairing steps, /health, /ready, the API index and its OpenAPI document, which
    // box of a pair is primary (devices ask before they have a session there), the switchover
    // (loopback only, checked in the route), and the web apps' static files (no secrets in any).
    const isApp = (url: string) => appPaths.some((p) => url === p || url.startsWith(`${p}/`));
    const publicApi = t.hub.app.routeTable.filter((r) => r.public && !isApp(r.url)).map((r) => r.url);
    expect(publicApi.sort()).toEqual([
      '/api/v1',
      '/api/v1/openapi.json',
      '/api/v1/pairings',
      '/api/v1/pairings/:id/claim',
      '/api/v1/role',
      '/api/v1/standby/switchover',
      '/health',
      '/ready',
    ]);
    expect(t.hub.app.routeTable.filter((r) => r.public && isApp(r.url)).length).toBeGreaterThan(3);
  });

  it('answers 401 without a token or with a revoked one, 403 for a wrong role, and lets allowed roles through', async () => {
    for (const route of t.hub.app.routeTable.filter((r) => !r.public)) {
      const path = concrete(route.url);
      const label = `${route.method} ${route.url}`;
      const none = await t.api(route.method, path, undefined, null);
      expect(none.status, `${label} without token`).toBe(401);
      expect(none.body.code).toBe('UNAUTHENTICATED');
      const revoked = await t.api(route.method, path, undefined, revokedToken);
      expect(revoked.status, `${label} revoked`).toBe(401);
      const garbage = await t.api(route.method, path, undefined, 'ghd_not-a-real-token');
      expect(garbage.status, `${label} unknown token`).toBe(401);
      for (const role of ['pos', 'kds', 'manager'] as Role[]) {
        const res = await t.api(route.method, path, undefined, t.tokens[role]);
        if (route.roles.includes(role)) expect([401, 403], `${label} as ${role}`).not.toContain(res.status);
        else {
          expect(res.status, `${label} as ${role}`).toBe(403);
          expect(res.body.code).toBe('FORBIDDEN');
        }
      }
    }
  });

  it('guards /ws the same way, and a revocation closes open sockets at once', async () => {
    const anonymous = new RecordingSocket(t.wsUrl, null);
    await anonymous.waitFor(() => anonymous.closed);
    expect(anonymous.closed!.code).toBe(401);
    const revoked = new RecordingSocket(t.wsUrl, revokedToken);
    await revoked.waitFor(() => revoked.closed);
    expect(revoked.closed!.code).toBe(401);

    const tablet = await t.hub.devices.create('till 9', 'pos');
    const socket = new RecordingSocket(t.wsUrl, tablet.token);
    await socket.waitFor(() => socket.messages.find((m) => m.type === 'caught_up'));
    const res = await t.api('POST', `/api/v1/devices/${tablet.id}/revoke`, undefined, t.tokens.manager);
    expect(res.body.revokedAt).not.toBeNull();
    await socket.waitFor(() => socket.closed, 2_000);
    expect(socket.closed!.code).toBe(CloseCode.unauthorized);
    expect((await t.api('GET', '/api/v1/me', undefined, tablet.token)).status).toBe(401);
  });

  it('pairs a tablet: request → manager approves the code → the tablet claims its token once', async () => {
    const req = await t.api('POST', '/api/v1/pairings', { name: 'Bar tablet', role: 'pos' }, null);
    expect(req.status).toBe(201);
    expect(req.body.code).toMatch(/^\d{6}$/);
    const early = await t.api(
      'POST',
      `/api/v1/pairings/${req.body.pairingId}/claim`,
      { secret: req.body.secret },
      null,
    );
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('PAIRING_NOT_APPROVED');
    expect(
      (await t.api('POST', '/api/v1/pairings/approve', { code: req.body.code, role: 'pos' }, t.tokens.pos))
        .status,
    ).toBe(403);
    const approved = await t.api(
      'POST',
      '/api/v1/pairings/approve',
      { code: req.body.code, role: 'pos' },
      t.tokens.manager,
    );
    expect(approved.body).toMatchObject({ name: 'Bar tablet', requestedRole: 'pos', role: 'pos' });
    const wrongSecret = await t.api(
      'POST',
      `/api/v1/pairings/${req.body.pairingId}/claim`,
      { secret: 'x'.repeat(32) },
      null,
    );
    expect(wrongSecret.status).toBe(404);
    const claim = await t.api(
      'POST',
      `/api/v1/pairings/${req.body.pairingId}/claim`,
      { secret: req.body.secret },
      null,
    );
    expect(claim.status).toBe(201);
    expect((await t.api('GET', '/api/v1/me', undefined, claim.body.token)).body).toMatchObject({
      name: 'Bar tablet',
      role: 'pos',
    });
    const again = await t.api(
      'POST',
      `/api/v1/pairings/${req.body.pairingId}/claim`,
      { secret: req.body.secret },
      null,
    );
    expect(again.status).toBe(404);
  });

  it('stores only token hashes', () => {
    const rows = t.hub.store.db.prepare('SELECT * FROM devices').all() as Record<string, unknown>[];
    const dump = JSON.stringify(rows);
    for (const token of Object.values(t.tokens)) expect(dump).not.toContain(token);
  });
});
