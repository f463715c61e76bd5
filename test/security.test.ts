/**
 * The holes an adversarial test found (issue 14), one story each: a hostile device on the
 * restaurant's LAN, a careless one, and someone else on the hub's own computer. Each test failed
 * on the code before the fix.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  apiFor,
  burgerOrder,
  exited,
  newOrderId,
  runCli,
  spawnHub,
  startHub,
  type TestHub,
  tempDir,
} from './support/hub.ts';
import { RecordingSocket } from './support/socket.ts';

const mode = (path: string) => statSync(path).mode & 0o777;

/** Open a socket and resolve with its handshake status (101 when accepted). */
function handshake(
  url: string,
  token: string,
  query = '',
): Promise<{ status: number; ws: WebSocket | null }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url}?${query}`, { headers: { authorization: `Bearer ${token}` } });
    ws.on('open', () => resolve({ status: 101, ws }));
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0, ws: null }));
    ws.on('error', () => {}); // the outcome is the status above
  });
}

describe('staff PINs', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startHub();
  });
  afterAll(() => t.stop());

  it('locks a staff member however many wrong PINs are in flight at once, and a manager can unlock (14.2, 14.13)', async () => {
    const made = await t.api(
      'POST',
      '/api/v1/staff',
      { name: 'Ria', roleId: 'cashier', pin: '482913' },
      t.tokens.manager,
    );
    const staffId = made.body.id;
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => t.api('POST', '/api/v1/staff/verify', { staffId, pin: '000000' })),
    );
    const checked = answers.filter((a) => a.body.code === 'PIN_INVALID');
    expect(checked.length).toBeLessThanOrEqual(5); // the rest were refused before any hashing
    expect(answers.filter((a) => a.body.code === 'LOCKED_OUT').length).toBeGreaterThanOrEqual(195);
    const right = await t.api('POST', '/api/v1/staff/verify', { staffId, pin: '482913' });
    expect(right.status).toBe(429);

    expect((await t.api('POST', `/api/v1/staff/${staffId}/unlock`)).status).toBe(403); // a till may not
    expect((await t.api('POST', `/api/v1/staff/${staffId}/unlock`, undefined, t.tokens.manager)).status).toBe(
      200,
    );
    expect((await t.api('POST', '/api/v1/staff/verify', { staffId, pin: '482913' })).body.name).toBe('Ria');
  });
});

describe('devices and addresses', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startHub({}, undefined, { limits: 'production' });
  });
  afterAll(() => t.stop());

  it('never locks out a valid token because its address sent bad ones, and counts bad WebSocket tokens too (14.12)', async () => {
    for (let i = 0; i < 20; i++)
      expect((await t.api('GET', '/api/v1/me', undefined, `ghd_guess-${i}`)).status).toBe(401);
    expect((await t.api('GET', '/api/v1/me', undefined, 'ghd_guess-again')).body.code).toBe('LOCKED_OUT');
    expect((await t.api('GET', '/api/v1/me')).status).toBe(200); // the till beside the attacker
    expect((await handshake(t.wsUrl, 'ghd_guess-ws')).status).toBe(429); // the same lock guards /ws
    const ok = await handshake(t.wsUrl, t.tokens.pos);
    expect(ok.status).toBe(101);
    ok.ws!.close();
  });

  it('a looping revoked tablet locks only its own token, not its neighbours (14.12)', async () => {
    const other = await startHub({}, undefined, { limits: 'production' });
    try {
      const old = (await other.hub.devices.create('old till', 'pos')).token;
      await other.api(
        'POST',
        `/api/v1/devices/${(await other.api('GET', '/api/v1/me', undefined, old)).body.id}/revoke`,
        undefined,
        other.tokens.manager,
      );
      for (let i = 0; i < 100; i++) await other.api('GET', '/api/v1/me', undefined, old);
      expect((await other.api('GET', '/api/v1/me', undefined, 'ghd_a-new-mistake')).status).toBe(401); // not locked
    } finally {
      await other.stop();
    }
  });

  it('gives each device its own share of sockets, handshakes, snapshots and reads (14.8)', async () => {
    const kds = (await t.hub.devices.create('greedy screen', 'kds')).token;
    const held: WebSocket[] = [];
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) {
      const h = await handshake(t.wsUrl, kds);
      statuses.push(h.status);
      if (h.ws) held.push(h.ws);
    }
    expect(statuses.filter((s) => s === 101)).toHaveLength(4);
    expect(statuses.slice(4).every((s) => s === 429)).toBe(true);
    const pos = await handshake(t.wsUrl, t.tokens.pos); // another device is not starved
    expect(pos.status).toBe(101);
    pos.ws!.close();
    for (const ws of held) ws.close();

    // A device in a reconnect loop spends its own handshake budget, not everyone's.
    const looping = (await t.hub.devices.create('looping till', 'pos')).token;
    const loop: number[] = [];
    for (let i = 0; i < 40; i++) {
      const h = await handshake(t.wsUrl, looping);
      loop.push(h.status);
      h.ws?.terminate();
    }
    expect(loop.filter((s) => s === 429).length).toBeGreaterThanOrEqual(10);
    expect((await handshake(t.wsUrl, t.tokens.manager)).status).toBe(101);

    // Snapshots (a device ahead of the log, as after a restore, or far behind) are costly: a few a
    // minute per device.
    const snapper = (await t.hub.devices.create('snapshot loop', 'pos')).token;
    const snaps: number[] = [];
    for (let i = 0; i < 8; i++) {
      const h = await handshake(t.wsUrl, snapper, 'since=999999999');
      snaps.push(h.status);
      h.ws?.terminate();
    }
    expect(snaps.slice(0, 4)).toEqual([101, 101, 101, 101]);
    expect(snaps.slice(4).every((s) => s === 429)).toBe(true);

    // Long lists cost a device more of its read budget than short ones: 10 units for 200 rows, of
    // 1,200 a minute.
    const reader = (await t.hub.devices.create('heavy reader', 'pos')).token;
    const api = apiFor(t.base, reader);
    let served = 0;
    while (served < 1_000 && (await api('GET', '/api/v1/orders?limit=200')).status === 200) served++;
    expect(served).toBe(120);
    expect((await api('GET', '/api/v1/orders?limit=200')).body.code).toBe('RATE_LIMITED');
    expect((await t.api('GET', '/api/v1/orders?limit=5')).status).toBe(200); // others read on
  });

  it('shows the requested role and name at approval, and gives the role the manager chose (14.7)', async () => {
    const asked = await t.api('POST', '/api/v1/pairings', { name: 'Till 3', role: 'manager' }, null);
    const pending = (await t.api('GET', '/api/v1/pairings', undefined, t.tokens.manager)).body.pairings;
    expect(pending).toContainEqual(
      expect.objectContaining({ code: asked.body.code, name: 'Till 3', requestedRole: 'manager' }),
    );
    const unconfirmed = await t.api(
      'POST',
      '/api/v1/pairings/approve',
      { code: asked.body.code },
      t.tokens.manager,
    );
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.errors[0].field).toBe('role');
    const approved = await t.api(
      'POST',
      '/api/v1/pairings/approve',
      { code: asked.body.code, role: 'pos' },
      t.tokens.manager,
    );
    expect(approved.body).toMatchObject({ name: 'Till 3', requestedRole: 'manager', role: 'pos' });
    const claimed = await t.api(
      'POST',
      `/api/v1/pairings/${asked.body.pairingId}/claim`,
      { secret: asked.body.secret },
      null,
    );
    expect(claimed.body.role).toBe('pos');
  });
});

describe('money', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startHub();
  });
  afterAll(() => t.stop());

  it('refuses an absurd tip or amount by name, and a void of a paid order until it is refunded (14.14)', async () => {
    const order = (await t.api('POST', '/api/v1/orders', burgerOrder())).body;
    const pay = (body: Record<string, unknown>) =>
      t.api('POST', `/api/v1/orders/${order.id}/payments`, { id: newOrderId(), ...body });
    const tip = await pay({ method: 'cash', amount: 1, tip: 100_000_000 });
    expect(tip.status).toBe(422);
    expect(tip.body).toMatchObject({ code: 'AMOUNT_TOO_LARGE', errors: [{ field: 'tip' }] });
    const paid = await pay({ method: 'cash', amount: order.total, tendered: order.total });
    expect(paid.status).toBe(201);
    const voided = await t.api(
      'POST',
      `/api/v1/orders/${order.id}/void`,
      { reason: 'guest left' },
      t.tokens.manager,
    );
    expect(voided.status).toBe(409);
    expect(voided.body.code).toBe('ORDER_HAS_PAYMENTS');
    expect(voided.body.detail).toMatch(/refund or cancel it first/);
    await t.api(
      'POST',
      `/api/v1/payments/${paid.body.id}/refunds`,
      { id: newOrderId(), amount: order.total, reason: 'guest left' },
      t.tokens.manager,
    );
    expect(
      (await t.api('POST', `/api/v1/orders/${order.id}/void`, { reason: 'guest left' }, t.tokens.manager))
        .status,
    ).toBe(200);
  });
});

describe('the hub computer', () => {
  it('keeps the data dir, the database and its backups to the hub user, and warns when they are wider (14.9)', async () => {
    const { dir, remove } = tempDir();
    try {
      const t = await startHub({}, join(dir, 'data'));
      const backup = await t.hub.backups.make();
      expect(mode(join(dir, 'data'))).toBe(0o700);
      for (const f of ['hub.db', 'hub.db-wal', 'hub.db-shm'].map((n) => join(dir, 'data', n)))
        expect(mode(f)).toBe(0o600);
      expect(mode(backup.file)).toBe(0o600);
      await t.hub.stop();
      const { chmodSync } = await import('node:fs');
      chmodSync(join(dir, 'data'), 0o755);
      chmodSync(join(dir, 'data', 'hub.db'), 0o644);
      const hub = await spawnHub(join(dir, 'data'));
      try {
        expect(hub.output()).toMatch(/readable by other users/);
        expect(hub.output()).toContain(`chmod 700 ${join(dir, 'data')}`);
        expect(hub.output()).toContain(`chmod 600 ${join(dir, 'data', 'hub.db')}`);
      } finally {
        hub.child.kill('SIGTERM');
        await exited(hub.child);
      }
    } finally {
      remove();
    }
  });

  it('refuses a second hub on the same data dir, and frees it when the first dies, even by kill -9 (14.10)', async () => {
    const { dir, remove } = tempDir();
    try {
      const first = await spawnHub(dir, ['--demo']);
      const second = await runCli(['start', '--data-dir', dir, '--port', '0', '--host', '127.0.0.1']);
      expect(second.code).toBe(2);
      expect(second.stderr).toMatch(/another hub \(pid \d+\) is running on .*: stop it first/);
      expect((await fetch(`${first.base}/health`)).status).toBe(200); // the first is untouched
      const restore = await runCli(['restore', join(dir, 'hub.db'), '--data-dir', dir]);
      expect(restore.stderr).toMatch(/a hub is running/);
      first.child.kill('SIGKILL');
      await exited(first.child);
      const again = await spawnHub(dir);
      again.child.kill('SIGTERM');
      expect((await exited(again.child)).code).toBe(0);
    } finally {
      remove();
    }
  });

  it('closes a device revoked from the command line at once, and refuses its socket commands (14.11)', async () => {
    const { dir, remove } = tempDir();
    try {
      const made = JSON.parse(
        (await runCli(['device', 'create', '--data-dir', dir, '--role', 'pos', '--name', 'lost till']))
          .stdout,
      );
      const hub = await spawnHub(dir, ['--demo']);
      try {
        const socket = new RecordingSocket(`${hub.base.replace('http', 'ws')}/ws`, made.token);
        await socket.waitFor(() => socket.messages.find((m) => m.type === 'caught_up'));
        expect((await runCli(['device', 'revoke', made.id, '--data-dir', dir])).code).toBe(0);
        socket.ws.send(JSON.stringify({ type: 'order.create', requestId: 'r1', body: burgerOrder() }));
        await socket.waitFor(() => socket.closed, 3_000); // within the second, not the 20 s heartbeat
        expect(socket.closed!.code).toBe(4001);
        expect(socket.messages.some((m) => m.type === 'command.result' && m.status === 201)).toBe(false);
      } finally {
        hub.child.kill('SIGTERM');
        await exited(hub.child);
      }
    } finally {
      remove();
    }
  });
});

describe('backups', () => {
  it('leave no -wal, -shm or partial files behind, so pruning keeps the folder clean (14.15)', async () => {
    const t = await startHub({ backupKeep: 2 });
    try {
      for (let i = 0; i < 3; i++) await t.hub.backups.make();
      const files = readdirSync(join(t.dir, 'backups'));
      expect(files).toHaveLength(2);
      expect(files.every((f) => /^hub-\d{8}T\d{6}\d{3}Z\.db$/.test(f))).toBe(true);
      // Each backup is one self-contained file (a rollback journal, not a WAL).
      expect(readFileSync(join(t.dir, 'backups', files[0]!)).subarray(18, 20)).toEqual(Buffer.from([1, 1]));
    } finally {
      await t.stop();
    }
  });
});
