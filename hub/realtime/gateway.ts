import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { Device } from '../../protocol/devices.ts';
import type { Logger } from '../../protocol/logger.ts';
import { ClientMessage, CloseCode, type RealtimeQuery } from '../../protocol/realtime.ts';
import type { Admission } from '../http/admission.ts';
import type { OrderService } from '../orders/service.ts';
import type { Store } from '../store/index.ts';
import { runCommand, type SocketCommands, type StaffOnDuty } from './commands.ts';
import { type Client, Fanout } from './fanout.ts';
import type { EventFeed } from './feed.ts';
import { HandshakeGate, refuse } from './handshake.ts';
import { Replay } from './replay.ts';

export interface GatewayOptions {
  heartbeatMs: number;
  sendBufferBytes: number;
  maxReplayEvents: number;
  maxSockets: number;
  maxSocketsPerDevice: number;
  handshakesPerSecond: number;
  now: () => number;
  /** Who the `staff` session of a socket command belongs to (hub/staff). */
  staffOnDuty: StaffOnDuty;
}

/** Who the gateway asks whether a device is still allowed, and hears revocations from. */
export interface DeviceWatch {
  isActive(deviceId: string): boolean;
  /** Devices revoked at or after `at` (ISO), by anyone: this hub or the CLI beside it. */
  revokedSince(at: string): string[];
  touch(deviceId: string): Promise<void>;
  onRevoked(listener: (deviceId: string) => void): () => void;
}

/**
 * `/ws`: authenticated sockets that replay the event log from `since` and then stream live
 * (invariant 5). Handshakes are admitted by HandshakeGate, catching up is Replay's, sending is
 * Fanout's; this class keeps the sockets, their heartbeats and the managers' presence view.
 */
/** A restart (stop, then start from the same data dir) usually takes less (0.6 s measured). */
const RESTART_TAKES_MS = 1_000;

export class RealtimeGateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4_096, perMessageDeflate: false });
  private readonly clients = new Set<Client>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly revocations: NodeJS.Timeout;
  private sweptAt: string;
  private readonly unsubscribe: Array<() => void>;
  private readonly gate: HandshakeGate;
  private readonly fanout: Fanout;
  private readonly replay: Replay;
  private closing = false;
  private presenceTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly devices: DeviceWatch,
    orders: OrderService,
    feed: EventFeed,
    private readonly admission: Admission,
    private readonly commands: SocketCommands,
    private readonly options: GatewayOptions,
    private readonly log: Logger,
  ) {
    this.gate = new HandshakeGate(admission, options);
    this.fanout = new Fanout(options.sendBufferBytes, log);
    this.replay = new Replay(store, orders, this.fanout, options.maxReplayEvents);
    this.unsubscribe = [
      feed.subscribe((events) => this.fanout.broadcast(this.clients, events)),
      devices.onRevoked((id) => this.dropDevice(id)),
    ];
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs);
    this.heartbeat.unref();
    // A revocation made by another process (the CLI) reaches open sockets within a second; one
    // made through this hub closes them at once (onRevoked).
    this.sweptAt = new Date(options.now()).toISOString();
    this.revocations = setInterval(() => this.sweepRevocations(), 1_000);
    this.revocations.unref();
  }

  get socketCount(): number {
    return this.clients.size;
  }

  /** Sockets refused by the handshake rate since start. */
  get refusedHandshakes(): number {
    return this.gate.refused;
  }

  private socketsOf(deviceId: string): number {
    let n = 0;
    for (const c of this.clients) if (c.device.id === deviceId) n++;
    return n;
  }

  /** Stations with a kitchen screen connected now (a KDS socket that asked for them). */
  kdsStations(): Set<string> {
    const stations = new Set<string>();
    for (const c of this.clients) {
      if (c.device.role !== 'kds' || !c.topics) continue;
      for (const t of c.topics) if (t.startsWith('station:')) stations.add(t.slice('station:'.length));
    }
    return stations;
  }

  countsByRole(): Record<string, number> {
    const counts: Record<string, number> = { pos: 0, kds: 0, manager: 0 };
    for (const c of this.clients) counts[c.device.role] = (counts[c.device.role] ?? 0) + 1;
    return counts;
  }

  /** Wire to `server.on('upgrade')`: auth and query are checked before the socket is accepted. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const handshake = this.gate.check(req, {
      openSockets: this.clients.size,
      socketsOf: (deviceId) => this.socketsOf(deviceId),
      headSeq: () => this.store.events.headSeq(),
      closing: this.closing,
    });
    if (handshake.ok === 'later') {
      // Completed, then closed with the time to come back: a browser cannot read a refused
      // upgrade's status or headers, but it can read a close code and reason.
      this.wss.handleUpgrade(req, socket, head, (ws) =>
        ws.close(CloseCode.busy, `busy; retry in ${handshake.retryInMs} ms`),
      );
      return;
    }
    if (!handshake.ok) {
      refuse(socket, handshake);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) =>
      this.accept(ws, socket, handshake.device, handshake.query),
    );
  }

  private accept(ws: WebSocket, socket: Duplex, device: Device, query: RealtimeQuery): void {
    const stations = device.role === 'kds' || device.role === 'manager' ? (query.stations ?? null) : null;
    const topics = stations ? new Set(['menu', ...stations.map((s) => `station:${s}`)]) : null;
    const client: Client = { ws, socket, device, topics, lastSeq: query.since, live: false, alive: true };
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
    this.devices
      .touch(device.id)
      .catch((err) => this.log.warn({ deviceId: device.id, err }, 'last-seen time not saved'));
    this.presenceChanged();
    const headSeq = this.store.events.headSeq();
    this.fanout.send(
      client,
      JSON.stringify({ type: 'hello', headSeq, deviceId: device.id, role: device.role, stations }),
    );
    this.replay.catchUp(client, headSeq).catch((err) => {
      this.log.error({ deviceId: device.id, err }, 'replay failed; closing socket so the device resumes');
      ws.close(CloseCode.restart, 'replay failed');
    });
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
      for (const c of this.clients) if (c.device.role === 'manager' && c.live) this.fanout.send(c, wire);
    }, 500);
    this.presenceTimer.unref();
  }

  private onMessage(client: Client, data: RawData, isBinary: boolean): void {
    let parsed: unknown;
    try {
      parsed = isBinary ? undefined : JSON.parse(data.toString());
    } catch {
      parsed = undefined; // not JSON: refused below like any other malformed message
    }
    const message = ClientMessage.safeParse(parsed);
    if (!message.success) {
      client.ws.close(CloseCode.badMessage, 'expected {"type":"ping"} or {"type":"order.create",…}');
      return;
    }
    if (message.data.type === 'ping') {
      this.fanout.send(client, '{"type":"pong"}');
      return;
    }
    // A command changes state: the device must still be allowed now, not just when it connected.
    if (!this.devices.isActive(client.device.id)) {
      client.ws.close(CloseCode.unauthorized, 'device revoked');
      return;
    }
    const by = { device: client.device, onDuty: this.options.staffOnDuty };
    runCommand(this.admission, this.commands, by, message.data, this.log).then((wire) =>
      this.fanout.send(client, wire),
    );
  }

  private beat(): void {
    for (const client of this.clients) {
      if (!client.alive) {
        client.ws.terminate();
        continue;
      }
      client.alive = false;
      client.ws.ping();
    }
  }

  private sweepRevocations(): void {
    if (this.clients.size === 0) return;
    const from = this.sweptAt;
    // Overlapping sweeps: a revocation stamped just before a sweep may commit just after it.
    this.sweptAt = new Date(this.options.now() - 5_000).toISOString();
    for (const id of this.devices.revokedSince(from)) this.dropDevice(id);
  }

  private dropDevice(deviceId: string): void {
    for (const c of this.clients)
      if (c.device.id === deviceId) c.ws.close(CloseCode.unauthorized, 'device revoked');
  }

  /** Close every socket with 1012 so devices reconnect (with backoff) to the restarted hub. */
  async close(graceMs = 1_000): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeat);
    clearInterval(this.revocations);
    if (this.presenceTimer) clearTimeout(this.presenceTimer);
    for (const u of this.unsubscribe) u();
    const closed = [...this.clients].map((c) => new Promise((r) => c.ws.once('close', r)));
    // Each device is told when to come back: a slot at the handshake pace, starting when a restart
    // has usually finished, so the crowd returns evenly and is let in without being turned away.
    const interval = 1_000 / this.options.handshakesPerSecond;
    let slot = 0;
    for (const c of this.clients)
      c.ws.close(
        CloseCode.restart,
        `hub restarting; retry in ${Math.round(RESTART_TAKES_MS + slot++ * interval)} ms`,
      );
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closed), new Promise((r) => (grace = setTimeout(r, graceMs)))]);
    clearTimeout(grace);
    for (const c of this.clients) c.ws.terminate();
    this.wss.close();
  }
}
