import { readFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { parseConfig } from '../hub/config.ts';
import { Hub } from '../hub/hub.ts';
import type { HubEvent } from '../protocol/events.ts';
import { CloseCode } from '../protocol/realtime.ts';
import { type ConnectionState, RealtimeClient } from '../protocol/realtime-client.ts';
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
import { nodeSocket, RecordingSocket } from './support/socket.ts';

const colaOrder = () => ({ id: newOrderId(), lines: [{ itemId: 'cola', qty: 1 }] });
const sockets: RecordingSocket[] = [];
const open = (t: TestHub, token: string, query: Record<string, string | number> = {}) => {
  const s = new RecordingSocket(t.wsUrl, token, query);
  sockets.push(s);
  return s;
};
const live = (s: RecordingSocket) => s.waitFor(() => s.messages.find((m) => m.type === 'caught_up'));
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

describe('realtime /ws', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startHub();
  });
  afterAll(() => t.stop());

  it('delivers an order posted over HTTP to a connected socket as {type, seq, data}', async () => {
    const socket = open(t, t.tokens.pos, { since: t.hub.store.events.headSeq() });
    await live(socket);
    const { body: order } = await t.api('POST', '/api/v1/orders', burgerOrder());
    const created = await socket.waitFor(() => socket.events().find((e) => e.type === 'order.created'));
    expect(created.data.order.id).toBe(order.id);
    expect(created.seq).toBeGreaterThan(0);
    const seqs = socket.events().map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  });

  it('resumes with ?since=: a socket that missed 500 events gets exactly those 500, in order', async () => {
    const socket = open(t, t.tokens.pos, { since: t.hub.store.events.headSeq() });
    await live(socket);
    await t.api('POST', '/api/v1/orders', colaOrder());
    const last = await socket.waitFor(() => socket.events().at(-1));
    socket.close();
    // 250 one-line orders = 250 × (order.created + ticket.created) = 500 events.
    await Promise.all(Array.from({ length: 250 }, () => t.api('POST', '/api/v1/orders', colaOrder())));
    expect(t.hub.store.events.headSeq()).toBe(last.seq + 500);
    const back = open(t, t.tokens.pos, { since: last.seq });
    await live(back);
    const seqs = back.events().map((e) => e.seq);
    expect(seqs).toEqual(Array.from({ length: 500 }, (_, i) => last.seq + 1 + i));
  });

  it('gives a KDS station only its own tickets (plus menu changes)', async () => {
    const grill = open(t, t.tokens.kds, { since: t.hub.store.events.headSeq(), stations: 'grill' });
    const expo = open(t, t.tokens.kds, { since: t.hub.store.events.headSeq() });
    await Promise.all([live(grill), live(expo)]);
    await t.api('POST', '/api/v1/orders', colaOrder());
    const { body: burger } = await t.api('POST', '/api/v1/orders', burgerOrder());
    // cola → bar; burgers → grill, their fries → fry.
    await expo.waitFor(() => expo.events().filter((e) => e.type === 'ticket.created').length === 4);
    await grill.waitFor(() => grill.events().find((e) => e.type === 'ticket.created'));
    await t.api('POST', '/api/v1/menu/items/fries/availability', { available: false }, t.tokens.manager);
    await grill.waitFor(() => grill.events().find((e) => e.type === 'item.availability_changed'));
    const types = grill.events().map((e) => `${e.type}:${e.topic}`);
    expect(types).toEqual(['ticket.created:station:grill', 'item.availability_changed:menu']);
    expect(grill.events()[0].data.ticket.orderId).toBe(burger.id);
  });

  it('sends a snapshot to a device too far behind, then continues live from its seq', async () => {
    const small = await startHub({ wsMaxReplayEvents: 100 });
    try {
      await Promise.all(Array.from({ length: 80 }, () => small.api('POST', '/api/v1/orders', colaOrder())));
      const head = small.hub.store.events.headSeq();
      const socket = open(small, small.tokens.kds, { since: 0, stations: 'bar' });
      const snapshot = await socket.waitFor(() => socket.messages.find((m) => m.type === 'snapshot'));
      expect(snapshot.seq).toBe(head);
      expect(snapshot.tickets).toHaveLength(80);
      await live(socket);
      await small.api('POST', '/api/v1/orders', colaOrder());
      const next = await socket.waitFor(() => socket.events().find((e) => e.type === 'ticket.created'));
      expect(next.seq).toBe(head + 2);
    } finally {
      await small.stop();
    }
  });

  it('closes a socket that sends a frame that is not a client message', async () => {
    const socket = open(t, t.tokens.pos);
    await live(socket);
    socket.ws.send('{"type":"drop_tables"}');
    await socket.waitFor(() => socket.closed);
    expect(socket.closed!.code).toBe(CloseCode.badMessage);
    const ok = open(t, t.tokens.pos);
    await live(ok);
    ok.ws.send('{"type":"ping"}');
    await ok.waitFor(() => ok.messages.find((m) => m.type === 'pong'));
  });

  it('creates orders over the socket with the same validation, roles and idempotency as HTTP', async () => {
    const socket = open(t, t.tokens.pos, { since: t.hub.store.events.headSeq() });
    await live(socket);
    const body = burgerOrder();
    const result = (requestId: string) =>
      socket.waitFor(() =>
        socket.messages.find((m) => m.type === 'command.result' && m.requestId === requestId),
      );
    socket.ws.send(JSON.stringify({ type: 'order.create', requestId: 'r1', body }));
    expect(await result('r1')).toMatchObject({ status: 201, order: { id: body.id, total: 3951 } });
    socket.ws.send(JSON.stringify({ type: 'order.create', requestId: 'r2', body }));
    expect(await result('r2')).toMatchObject({ status: 200, order: { id: body.id } });
    socket.ws.send(
      JSON.stringify({
        type: 'order.create',
        requestId: 'r3',
        body: { ...burgerOrder(), lines: [{ itemId: 'cola', qty: 0 }] },
      }),
    );
    const bad = await result('r3');
    expect(bad.status).toBe(400);
    expect(bad.problem.errors[0].field).toBe('lines[0].qty');
    expect(socket.closed).toBeNull(); // a bad command is answered, not punished
    await socket.waitFor(() =>
      socket.events().find((e) => e.type === 'order.created' && e.data.order.id === body.id),
    );
    const kds = open(t, t.tokens.kds);
    await live(kds);
    kds.ws.send(JSON.stringify({ type: 'order.create', requestId: 'k1', body: burgerOrder() }));
    const refused = await kds.waitFor(() => kds.messages.find((m) => m.type === 'command.result'));
    expect(refused).toMatchObject({ status: 403, problem: { code: 'FORBIDDEN' } });
  });

  it('refuses a bad query before upgrading', async () => {
    const socket = open(t, t.tokens.pos, { since: 'yesterday' });
    await socket.waitFor(() => socket.closed);
    expect(socket.closed!.code).toBe(400);
  });
});

describe('bounded sockets', () => {
  it('closes a socket that never reads once its send buffer passes the limit; hub RSS stays bounded', async () => {
    const { dir, remove } = tempDir();
    const made = await runCli([
      'device',
      'create',
      '--data-dir',
      dir,
      '--role',
      'manager',
      '--name',
      'probe',
    ]);
    const token = JSON.parse(made.stdout).token as string;
    const { child, base } = await spawnHub(dir, ['--demo'], { GROW_WS_SEND_BUFFER_BYTES: '65536' });
    const api = apiFor(base, token);
    const rss = () =>
      Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024;
    const openSockets = async () => (await api('GET', '/api/v1/status')).body.sockets.manager as number;
    try {
      const raw = tcpConnect(Number(new URL(base).port), '127.0.0.1');
      raw.write(
        `GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer ${token}\r\n\r\n`,
      );
      await new Promise<void>((r) => raw.once('data', () => r()));
      raw.pause(); // never read again: the kernel's buffers fill, then the hub's
      expect(await openSockets()).toBe(1);
      // Warm up so the baseline includes the JIT, caches and SQLite page cache an order stream needs.
      await Promise.all(Array.from({ length: 200 }, () => api('POST', '/api/v1/orders', burgerOrder())));
      const baseline = rss();
      const note = 'x'.repeat(250);
      let batches = 0;
      while ((await openSockets()) > 0 && batches < 60) {
        await Promise.all(
          Array.from({ length: 100 }, () => api('POST', '/api/v1/orders', { ...burgerOrder(), note })),
        );
        batches++;
      }
      expect(await openSockets()).toBe(0);
      // Keep streaming after the close: memory must not grow with what the dead socket missed.
      for (let i = 0; i < 20; i++)
        await Promise.all(
          Array.from({ length: 100 }, () => api('POST', '/api/v1/orders', { ...burgerOrder(), note })),
        );
      // The bound leaves room for V8's lazy collection during a burst (old-generation garbage is
      // collected late); that memory is flat over time is `npm run bench`'s 10k → 100k figure.
      expect(rss() - baseline).toBeLessThan(128 * 1024 * 1024);
      raw.destroy();
    } finally {
      child.kill('SIGKILL');
      await exited(child);
      remove();
    }
  });

  it('terminates a socket that stops answering pings', async () => {
    const t = await startHub({ wsHeartbeatMs: 1_000 });
    try {
      const ws = new WebSocket(`${t.wsUrl}?since=0`, {
        headers: { authorization: `Bearer ${t.tokens.kds}` },
        autoPong: false,
      });
      const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
      await new Promise((r) => ws.on('open', r));
      expect(t.hub.gateway.socketCount).toBe(1);
      expect(await closed).toBe(1006);
      await expect.poll(() => t.hub.gateway.socketCount).toBe(0);
    } finally {
      await t.stop();
    }
  });
});

describe('RealtimeClient (protocol/realtime-client.ts)', () => {
  it('reconnects with backoff after a hub restart and sees every event exactly once, in order', async () => {
    const first = await startHub();
    const port = Number(new URL(first.base).port);
    const received: HubEvent[] = [];
    const states: ConnectionState[] = [];
    const client = new RealtimeClient({
      url: first.wsUrl,
      token: first.tokens.kds,
      connect: (url) => new WebSocket(url) as never,
      onEvent: (e) => received.push(e),
      onState: (s) => states.push(s),
      backoff: { baseMs: 50, capMs: 400 },
    });
    client.start();
    const until = (check: () => boolean) => expect.poll(check, { timeout: 5_000 }).toBe(true);
    await until(() => states.some((s) => s.status === 'live'));
    for (let i = 0; i < 5; i++) await first.api('POST', '/api/v1/orders', colaOrder());
    await first.hub.stop(); // closes with 1012; the client backs off and retries

    const config = parseConfig({ dataDir: first.dir, port, host: '127.0.0.1', logLevel: 'silent' });
    const second = new Hub(config);
    // Orders taken while the client is away reach it by replay, the rest live.
    const pos = await second.devices.create('till', 'pos');
    const extra = apiFor(`http://127.0.0.1:${port}`, pos.token);
    await second.listen();
    for (let i = 0; i < 5; i++) await extra('POST', '/api/v1/orders', colaOrder());
    const head = second.store.events.headSeq();
    await until(() => client.lastSeq === head);
    client.stop();
    await second.stop();

    expect(states.some((s) => s.status === 'reconnecting')).toBe(true);
    // A KDS without a station filter sees every event: exactly 1..head, once each, in order.
    expect(received.map((e) => e.seq)).toEqual(Array.from({ length: head }, (_, k) => k + 1));
  });

  it('is told by a restarting hub when to come back: one slot per socket at the handshake pace', async () => {
    const hub = await startHub({ wsHandshakesPerSecond: 50 });
    const waits: Array<{ retryInMs: number; reason: string }> = [];
    const live = new Set<number>();
    const clients = Array.from({ length: 5 }, (_, i) => {
      const c = new RealtimeClient({
        url: hub.wsUrl,
        token: hub.tokens.kds,
        connect: nodeSocket,
        onEvent: () => {},
        onState: (s) => {
          if (s.status === 'live') live.add(i);
          if (s.status === 'reconnecting') waits.push({ retryInMs: s.retryInMs, reason: s.reason });
        },
      });
      c.start();
      return c;
    });
    try {
      await expect.poll(() => live.size, { timeout: 5_000 }).toBe(5);
      await hub.hub.stop();
      await expect.poll(() => waits.length, { timeout: 5_000 }).toBe(5);
      // 1 s for the restart, then one every 20 ms (50 handshakes a second): not all at once.
      expect(waits.map((w) => w.retryInMs).sort((a, b) => a - b)).toEqual([
        1_000, 1_020, 1_040, 1_060, 1_080,
      ]);
      expect(new Set(waits.map((w) => w.reason))).toEqual(new Set(['the hub is restarting']));
    } finally {
      for (const c of clients) c.stop();
      await hub.stop(); // the hub is stopped already; this removes its data dir
    }
  });
});
