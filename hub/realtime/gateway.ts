import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import type { Device } from '../../protocol/devices.ts';
import { ClientMessage, CloseCode, RealtimeQuery } from '../../protocol/realtime.ts';
import type { DeviceService } from '../devices/service.ts';
import { bearerToken } from '../devices/tokens.ts';
import type { OrderService } from '../orders/service.ts';
import { eventWire, type StoredEvent } from '../store/events.ts';
import type { Store } from '../store/index.ts';
import { type CommandDeps, runCommand } from './commands.ts';
import type { EventFeed } from './feed.ts';

export interface GatewayOptions {
  heartbeatMs: number;
  sendBufferBytes: number;
  maxReplayEvents: number;
  maxSockets: number;
  handshakesPerSecond: number;
}

interface Client {
  ws: WebSocket;
  device: Device;
  /** null = every topic (POS, manager, expo). */
  topics: Set<string> | null;
  /** Highest seq this socket has been given (or skipped past by filter). */
  lastSeq: number;
  /** false while replaying from SQLite; live events are then read from the store instead. */
  live: boolean;
  alive: boolean;
}

const replayPage = 500;

/**
 * `/ws`: authenticated sockets that replay the event log from `since` and then stream live
 * (invariant 5). One serialisation per event for all sockets; a socket whose send buffer passes
 * the limit is closed, so a stalled tablet costs at most that buffer, and resumes by seq.
 */
export class RealtimeGateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4_096, perMessageDeflate: false });
  private readonly clients = new Set<Client>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly unsubscribe: Array<() => void>;
  private closing = false;
  /** Sockets refused by the handshake rate since start (a reconnect storm shows up here). */
  refusedHandshakes = 0;
  private presenceTimer: NodeJS.Timeout | null = null;
  /** Token bucket for new sockets: a reconnect storm is admitted at a steady pace. */
  private handshakeTokens: number;
  private handshakeRefilledAt = Date.now();

  constructor(
    private readonly store: Store,
    private readonly devices: DeviceService,
    private readonly orders: OrderService,
    feed: EventFeed,
    private readonly options: GatewayOptions,
    private readonly log: FastifyBaseLogger,
    private readonly commands: CommandDeps,
  ) {
    this.unsubscribe = [
      feed.subscribe((events) => this.broadcast(events)),
      devices.onRevoked((id) => this.dropDevice(id)),
    ];
    this.handshakeTokens = options.handshakesPerSecond;
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs);
    this.heartbeat.unref();
  }

  get socketCount(): number {
    return this.clients.size;
  }

  countsByRole(): Record<string, number> {
    const counts: Record<string, number> = { pos: 0, kds: 0, manager: 0 };
    for (const c of this.clients) counts[c.device.role] = (counts[c.device.role] ?? 0) + 1;
    return counts;
  }

  /** Wire to `server.on('upgrade')`: auth and query are checked before the socket is accepted. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://hub');
    if (url.pathname !== '/ws') {
      refuse(socket, 404, 'Not Found', 'Realtime lives at /ws.');
      return;
    }
    if (this.closing) {
      refuse(socket, 503, 'Service Unavailable', 'The hub is restarting; reconnect shortly.');
      return;
    }
    // Browsers always send Origin: a page from another site must not ride a device's token.
    const origin = req.headers.origin;
    if (origin && safeHost(origin) !== req.headers.host) {
      refuse(socket, 403, 'Forbidden', 'Cross-origin WebSocket refused: open the app from the hub itself.');
      return;
    }
    const query = RealtimeQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!query.success) {
      const issue = query.error.issues[0]!;
      refuse(socket, 400, 'Bad Request', `Query field "${issue.path.join('.')}": ${issue.message}`);
      return;
    }
    const token = bearerToken(req.headers.authorization) ?? query.data.token ?? null;
    const device = token ? this.devices.authenticate(token) : null;
    if (!device) {
      refuse(socket, 401, 'Unauthorized', 'Send a device token (Bearer header or ?token=).');
      return;
    }
    // After auth, so strangers cannot spend the restaurant's own devices' handshake budget.
    if (!this.admitHandshake()) {
      this.refusedHandshakes++;
      refuse(
        socket,
        503,
        'Service Unavailable',
        'Too many devices are connecting at once; retry in a moment.',
        1,
      );
      return;
    }
    if (this.clients.size >= this.options.maxSockets) {
      refuse(socket, 503, 'Service Unavailable', 'Too many open sockets on this hub.');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, device, query.data));
  }

  private admitHandshake(): boolean {
    const now = Date.now();
    const rate = this.options.handshakesPerSecond;
    this.handshakeTokens = Math.min(
      rate,
      this.handshakeTokens + ((now - this.handshakeRefilledAt) / 1_000) * rate,
    );
    this.handshakeRefilledAt = now;
    if (this.handshakeTokens < 1) return false;
    this.handshakeTokens -= 1;
    return true;
  }

  private accept(ws: WebSocket, device: Device, query: RealtimeQuery): void {
    const stations = device.role === 'kds' || device.role === 'manager' ? (query.stations ?? null) : null;
    const topics = stations ? new Set(['menu', ...stations.map((s) => `station:${s}`)]) : null;
    const client: Client = { ws, device, topics, lastSeq: query.since, live: false, alive: true };
    this.clients.add(client);
    ws.on('pong', () => {
      client.alive = true;
    });
    ws.on('message', (data, isBinary) => this.onMessage(client, data, isBinary));
    ws.on('close', () => {
      this.clients.delete(client);
      this.presenceChanged();
    });
    ws.on('error', (err) => this.log.debug({ deviceId: device.id, err }, 'socket error'));
    this.devices.touch(device.id).catch(() => {});
    this.presenceChanged();
    const headSeq = this.store.events.headSeq();
    this.send(
      client,
      JSON.stringify({ type: 'hello', headSeq, deviceId: device.id, role: device.role, stations }),
    );
    this.catchUp(client, headSeq).catch((err) => {
      this.log.error({ deviceId: device.id, err }, 'replay failed; closing socket so the device resumes');
      ws.close(CloseCode.restart, 'replay failed');
    });
  }

  /** Replay from SQLite in pages, waiting for each page to flush, then go live in the same tick
   * as the last read so no committed event can fall between replay and live. */
  private async catchUp(client: Client, headSeq: number): Promise<void> {
    if (client.lastSeq > headSeq || headSeq - client.lastSeq > this.options.maxReplayEvents) {
      this.sendSnapshot(client, headSeq);
    }
    const topics = client.topics ? [...client.topics] : null;
    for (;;) {
      if (client.ws.readyState !== WebSocket.OPEN) return;
      const rows = this.store.events.after(client.lastSeq, replayPage, topics);
      for (const e of rows) this.send(client, eventWire(e));
      if (rows.length > 0) client.lastSeq = rows.at(-1)!.seq;
      if (rows.length < replayPage) {
        client.live = true;
        this.send(client, JSON.stringify({ type: 'caught_up', headSeq: client.lastSeq }));
        return;
      }
      await flushed(client.ws);
    }
  }

  /** For a device too far behind (or ahead, after a restore): current state, then events after it. */
  private sendSnapshot(client: Client, headSeq: number): void {
    const stations = client.topics
      ? [...client.topics].filter((t) => t.startsWith('station:')).map((t) => t.slice('station:'.length))
      : null;
    const tickets = stations
      ? stations.flatMap((station) => this.orders.tickets({ station, limit: 500 }))
      : this.orders.tickets({ limit: 500 });
    const orders = stations ? [] : this.store.orders.active(500);
    this.send(client, JSON.stringify({ type: 'snapshot', seq: headSeq, orders, tickets }));
    client.lastSeq = headSeq;
  }

  /**
   * Managers' screens show who is connected, live. Presence is not state anyone owns, so it is a
   * control message (no seq, not in the log), sent at most twice a second.
   */
  private presenceChanged(): void {
    if (this.presenceTimer || this.closing) return;
    this.presenceTimer = setTimeout(() => {
      this.presenceTimer = null;
      const wire = JSON.stringify({ type: 'presence', sockets: this.countsByRole() });
      for (const c of this.clients) if (c.device.role === 'manager' && c.live) this.send(c, wire);
    }, 500);
    this.presenceTimer.unref();
  }

  private broadcast(events: readonly StoredEvent[]): void {
    if (this.clients.size === 0) return;
    // Encoded to UTF-8 once here: ws would otherwise encode the string again for every socket.
    const wires = events.map((e) => Buffer.from(eventWire(e)));
    for (const client of this.clients) {
      if (!client.live) continue;
      // Corked, a commit's events leave in one write per socket instead of one per event: the
      // per-frame writev was the largest cost of fan-out (`--cpu-prof`, npm run bench). ws has no
      // public cork; its frames are written to this socket, and cork/uncork nest.
      const socket = (client.ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
      socket?.cork();
      events.forEach((e, i) => {
        if (e.seq <= client.lastSeq) return;
        client.lastSeq = e.seq;
        if (client.topics === null || client.topics.has(e.topic)) this.send(client, wires[i]!);
      });
      socket?.uncork();
    }
  }

  private send(client: Client, wire: string | Buffer): void {
    const { ws } = client;
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > this.options.sendBufferBytes) {
      this.log.warn(
        { deviceId: client.device.id, buffered: ws.bufferedAmount },
        'slow socket closed; it will resume by seq',
      );
      client.live = false;
      ws.close(CloseCode.slowConsumer, 'send buffer full; reconnect with since');
      // A peer that stopped reading will not complete the closing handshake either.
      setTimeout(() => ws.terminate(), 1_000).unref();
      return;
    }
    ws.send(wire, { binary: false }); // a text frame, from a string or its pre-encoded bytes
  }

  private onMessage(client: Client, data: RawData, isBinary: boolean): void {
    let parsed: unknown;
    try {
      parsed = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      parsed = undefined;
    }
    const message = ClientMessage.safeParse(parsed);
    if (!message.success) {
      client.ws.close(CloseCode.badMessage, 'expected {"type":"ping"} or {"type":"order.create",…}');
      return;
    }
    if (message.data.type === 'ping') {
      this.send(client, '{"type":"pong"}');
      return;
    }
    runCommand(this.commands, client.device, message.data).then(
      (wire) => this.send(client, wire),
      (err) => this.log.error({ deviceId: client.device.id, err }, 'socket command failed'),
    );
  }

  private beat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.ws.terminate();
        continue;
      }
      // Catches revocations made by another process (the CLI), which cannot call dropDevice.
      if (!this.devices.isActive(client.device.id)) {
        client.ws.close(CloseCode.unauthorized, 'device revoked');
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }

  private dropDevice(deviceId: string): void {
    for (const c of this.clients)
      if (c.device.id === deviceId) c.ws.close(CloseCode.unauthorized, 'device revoked');
  }

  /** Close every socket with 1012 so devices reconnect (with backoff) to the restarted hub. */
  async close(graceMs = 1_000): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    for (const u of this.unsubscribe) u();
    for (const c of this.clients) c.ws.close(CloseCode.restart, 'hub restarting');
    const deadline = Date.now() + graceMs;
    while (this.clients.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const c of this.clients) c.ws.terminate();
    this.wss.close();
  }
}

function refuse(
  socket: Duplex,
  status: number,
  reason: string,
  detail: string,
  retryAfterSeconds?: number,
): void {
  const body = JSON.stringify({ title: reason, status, detail });
  const retry = retryAfterSeconds ? `Retry-After: ${retryAfterSeconds}\r\n` : '';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${retry}Connection: close\r\n\r\n${body}`,
  );
}

function safeHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null;
  }
}

/** Resolves when everything queued so far has been handed to the kernel: frames go out in order,
 * so a ping's write callback fires after the replay page before it. */
function flushed(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState !== WebSocket.OPEN) return resolve();
    ws.ping(undefined, undefined, () => resolve());
  });
}
