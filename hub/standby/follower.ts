// Long because the standby's side is one state machine (follow, copy, apply, watch the lease, take
// over) plus the small server that refuses everything but its status while it follows.
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { WebSocket } from 'ws';
import type { Logger } from '../../protocol/logger.ts';
import { FromPrimary, type FromStandby, type RowChange } from '../../protocol/standby.ts';
import { hashSecret } from '../devices/tokens.ts';
import { Store } from '../store/index.ts';
import { ReplicaApplier, removeCapture } from '../store/replication.ts';
import { epochOf, standbyKeys } from './pairing.ts';

export interface FollowerOptions {
  /** The hub's database file (the standby's own copy). */
  file: string;
  primaryUrl: string;
  token: string;
  leaseMs: number;
  autoTakeover: boolean;
  box: string;
  /** This box's own URL, which the primary passes on to devices. */
  url: string;
  host: string;
  port: number;
  log: Logger;
}

/** Why the standby stopped following. */
export type Ending = { kind: 'promoted'; reason: string; epoch: number } | { kind: 'stopped' };

export interface FollowerStatus {
  role: 'standby';
  box: string;
  primary: {
    url: string;
    box: string | null;
    epoch: number | null;
    connected: boolean;
    lastHeardAt: string | null;
  };
  /** The last change of the primary's log this copy holds, and the last the primary announced. */
  position: number;
  primaryHead: number | null;
  inSync: boolean;
  takeover: 'automatic' | 'by hand';
  /** Devices the primary had lately, and how many came here since (takeover needs more than half). */
  devices: { withPrimary: number; cameHere: number };
}

/**
 * A standby hub (`grow-hub start --standby-of <primary URL>`): follows the primary's change log
 * into its own copy of the database, confirming each batch once it is on disk; serves only its
 * status (everything else answers 503 naming the primary); and takes over when the primary's
 * lease runs out while it holds everything the primary acknowledged, or when the primary hands
 * over. `run()` resolves when it stops following; the caller then starts the hub as primary.
 */
export class StandbyFollower {
  private store: Store | null = null;
  private applier: ReplicaApplier | null = null;
  private ws: WebSocket | null = null;
  private server: Server | null = null;
  private awaitingImage: { stream: string; position: number; bytes: number } | null = null;
  private lease: {
    at: number;
    epoch: number;
    head: number;
    box: string;
    inSync: boolean;
    devices: number;
  } | null = null;
  /** Devices that came to this standby (their requests to the primary failed): id → when. */
  private readonly deviceCame = new Map<string, number>();
  /** Changes received and not yet applied (this turn's). */
  private pending: { stream: string; to: number; changes: RowChange[] }[] = [];
  private connected = false;
  private ended: ((e: Ending) => void) | null = null;
  private timers: NodeJS.Timeout[] = [];
  private retryMs = 200;

  constructor(private readonly options: FollowerOptions) {}

  /** Follows until promoted or stopped. */
  run(): Promise<Ending> {
    if (existsSync(this.options.file)) this.open();
    const ending = new Promise<Ending>((resolve) => {
      this.ended = resolve;
    });
    this.connect();
    this.timers.push(setInterval(() => this.watch(), Math.max(20, Math.floor(this.options.leaseMs / 10))));
    return this.listen().then(() => ending);
  }

  status(): FollowerStatus {
    const position = Number(this.applier?.state('position') ?? 0);
    return {
      role: 'standby',
      box: this.options.box,
      primary: {
        url: this.options.primaryUrl,
        box: this.lease?.box ?? null,
        epoch: this.lease?.epoch ?? null,
        connected: this.connected,
        lastHeardAt: this.lease ? new Date(this.lease.at).toISOString() : null,
      },
      position,
      primaryHead: this.lease?.head ?? null,
      inSync: this.inSync(),
      takeover: this.options.autoTakeover ? 'automatic' : 'by hand',
      devices: { withPrimary: this.lease?.devices ?? 0, cameHere: this.devicesHere() },
    };
  }

  /** Takes over now (`grow-hub standby promote`, a handover, or an expired lease). */
  promote(reason: string): Ending {
    const store = this.store;
    if (!store) throw new Error('this standby has no copy of the database yet: it cannot take over');
    const epoch = Math.max(epochOf(store), this.lease?.epoch ?? 0) + 1;
    store.putMeta(standbyKeys.epoch, String(epoch));
    // A new log starts with this term: the old primary, rejoining, copies the database afresh.
    store.putMeta(standbyKeys.stream, randomUUID());
    const ending: Ending = { kind: 'promoted', reason, epoch };
    this.finish(ending);
    return ending;
  }

  stop(): void {
    this.finish({ kind: 'stopped' });
  }

  private finish(ending: Ending): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    const ws = this.ws;
    this.ws = null;
    ws?.removeAllListeners();
    ws?.on('error', () => {});
    ws?.terminate();
    this.store?.db.close();
    this.store = null;
    this.applier = null;
    const server = this.server;
    this.server = null;
    const done = this.ended;
    this.ended = null;
    if (!server) {
      done?.(ending);
      return;
    }
    server.closeAllConnections();
    server.close(() => done?.(ending));
  }

  private open(): void {
    this.store = Store.open(this.options.file);
    removeCapture(this.store.db); // a copy logs nothing of its own while it follows
    this.applier = new ReplicaApplier(this.store.db);
  }

  private inSync(): boolean {
    const position = Number(this.applier?.state('position') ?? -1);
    return this.lease !== null && this.lease.inSync && position >= this.lease.head;
  }

  /** Devices that came here since the primary's last lease (they could not reach it). */
  private devicesHere(): number {
    let n = 0;
    for (const at of this.deviceCame.values()) if (this.lease && at >= this.lease.at) n++;
    return n;
  }

  private connect(): void {
    if (!this.ended) return;
    const url = `${this.options.primaryUrl.replace(/^http/, 'ws').replace(/\/$/, '')}/replication`;
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${this.options.token}` },
      handshakeTimeout: 2_000,
    });
    this.ws = ws;
    ws.on('open', () => {
      this.connected = true;
      this.retryMs = 200;
      this.send({
        type: 'hello',
        stream: this.applier?.state('stream') ?? null,
        position: Number(this.applier?.state('position') ?? 0),
        epoch: this.store ? epochOf(this.store) : 0,
        box: this.options.box,
        url: this.options.url,
      });
    });
    ws.on('message', (data, binary) => this.receive(data as Buffer, binary));
    ws.on('unexpected-response', (_req, res) => {
      this.options.log.error(
        { status: res.statusCode, primary: this.options.primaryUrl },
        res.statusCode === 401
          ? 'the primary does not know this standby token: pair again with `grow-hub standby pair` on the primary'
          : 'the primary refused this standby',
      );
      ws.terminate();
    });
    ws.on('error', () => {});
    ws.on('close', () => {
      if (this.ws !== ws) return;
      this.connected = false;
      this.awaitingImage = null;
      this.ws = null;
      const wait = this.retryMs;
      this.retryMs = Math.min(2_000, this.retryMs * 2);
      setTimeout(() => this.connect(), wait).unref();
    });
  }

  private receive(data: Buffer, binary: boolean): void {
    if (binary) {
      this.takeImage(data);
      return;
    }
    const parsed = FromPrimary.safeParse(JSON.parse(String(data)));
    if (!parsed.success) return;
    const m = parsed.data;
    if (m.type === 'lease') {
      this.lease = {
        at: Date.now(),
        epoch: m.epoch,
        head: m.head,
        box: m.box,
        inSync: m.inSync,
        devices: m.devices,
      };
      // Heard: the primary counts on this answer to know it may not be taken over yet.
      this.send({ type: 'ack', to: Number(this.applier?.state('position') ?? 0) });
    } else if (m.type === 'snapshot')
      this.awaitingImage = { stream: m.stream, position: m.position, bytes: m.bytes };
    else if (m.type === 'changes') {
      // Applied in the next turn with whatever else has arrived: one transaction and one fsync for
      // all of them, so a standby that fell behind catches up faster than the primary commits.
      this.pending.push(m);
      if (this.pending.length === 1) setImmediate(() => this.applyPending());
    } else if (m.type === 'handover') {
      this.applyPending();
      if (Number(this.applier?.state('position') ?? -1) >= m.head) this.promote('the primary handed over');
    }
  }

  private applyPending(): void {
    const batch = this.pending.splice(0);
    if (batch.length === 0 || !this.applier) return;
    // Only changes of the log this copy follows, from where it stands; anything else means the
    // two disagree about where it is: start over with a hello.
    const from = Number(this.applier.state('position') ?? -1);
    if (
      batch.some((m) => m.stream !== this.applier!.state('stream')) ||
      (batch[0]!.changes[0]?.id !== undefined && batch[0]!.changes[0]!.id <= from)
    ) {
      this.options.log.warn(
        { position: from },
        'standby: changes that do not follow this copy; asking the primary again',
      );
      this.ws?.close(1002, 'out of order');
      return;
    }
    const last = batch.at(-1)!;
    this.applier.apply(
      batch.flatMap((m) => m.changes),
      { stream: last.stream, id: last.to },
    );
    this.send({ type: 'ack', to: last.to });
  }

  /** The primary's whole database: it replaces this copy, written whole and fsynced first. */
  private takeImage(image: Buffer): void {
    this.pending = [];
    const expected = this.awaitingImage;
    this.awaitingImage = null;
    if (!expected || image.length !== expected.bytes) {
      this.ws?.close(1002, 'unexpected database copy');
      return;
    }
    this.store?.db.close();
    this.store = null;
    const incoming = `${this.options.file}.incoming`;
    const fd = openSync(incoming, 'w', 0o600);
    try {
      writeSync(fd, image);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    for (const side of ['-wal', '-shm']) rmSync(`${this.options.file}${side}`, { force: true });
    renameSync(incoming, this.options.file);
    this.open();
    this.applier!.apply([], { stream: expected.stream, id: expected.position });
    this.options.log.info(
      { bytes: image.length, position: expected.position },
      'standby: took a copy of the primary database',
    );
    this.send({ type: 'ack', to: expected.position });
  }

  /** The lease watch: take over when the primary has gone quiet and this copy holds all it acknowledged. */
  private watch(): void {
    const lease = this.lease;
    if (!lease || Date.now() - lease.at < this.options.leaseMs) return;
    if (!this.options.autoTakeover) return;
    if (!this.inSync()) {
      this.options.log.error(
        { position: this.status().position, primaryHead: lease.head, primaryInSync: lease.inSync },
        'the primary is gone, but this standby does not hold everything it acknowledged: not taking over by itself (grow-hub standby promote does, losing what it lacks)',
      );
      this.lease = null;
      return;
    }
    // Two boxes cannot tell a dead peer from a cut link: the devices decide. With devices about,
    // take over only once more than half of those the primary had have come here instead.
    if (lease.devices > 0 && this.devicesHere() * 2 <= lease.devices) return;
    this.options.log.warn({ primary: lease.box, epoch: lease.epoch + 1 }, 'the primary is gone: taking over');
    this.promote(`no word from the primary for ${this.options.leaseMs} ms`);
  }

  private send(message: FromStandby): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  /** Its own port: status for people and devices, and a clear refusal of everything else. */
  private listen(): Promise<void> {
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0]!;
      const token = (req.headers.authorization ?? '').replace(/^Bearer /i, '');
      const device = token && this.store ? this.store.devices.findByTokenHash(hashSecret(token)) : null;
      if (device && !device.revokedAt) this.deviceCame.set(device.id, Date.now());
      if (req.method === 'GET' && path === '/api/v1/role') {
        res.writeHead(200, { 'content-type': 'application/json', 'x-grow-role': 'standby' });
        return void res.end(
          JSON.stringify({
            role: 'standby',
            epoch: this.store ? epochOf(this.store) : 0,
            box: this.options.box,
            peer: { url: this.options.primaryUrl, box: this.lease?.box ?? null },
          }),
        );
      }
      if (req.method === 'GET' && path === '/api/v1/status') {
        res.writeHead(200, { 'content-type': 'application/json', 'x-grow-role': 'standby' });
        return void res.end(JSON.stringify(this.status()));
      }
      if (req.method === 'GET' && (path === '/health' || path === '/api/v1/health')) {
        res.writeHead(200, { 'content-type': 'application/json', 'x-grow-role': 'standby' });
        return void res.end(JSON.stringify({ status: 'standby', primary: this.options.primaryUrl }));
      }
      if (
        req.method === 'POST' &&
        path === '/api/v1/standby/promote' &&
        req.socket.remoteAddress?.startsWith('127.')
      ) {
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ promoting: true }));
        return void this.promote('promoted by hand');
      }
      res.writeHead(503, {
        'content-type': 'application/problem+json',
        'x-grow-role': 'standby',
        'x-grow-primary': this.options.primaryUrl,
        'retry-after': '1',
      });
      res.end(
        JSON.stringify({
          type: 'about:blank',
          title: 'This hub is the standby',
          status: 503,
          code: 'STANDBY',
          detail: `This hub is the standby of ${this.lease?.box ?? 'the primary'} at ${this.options.primaryUrl}: send orders there. It takes over by itself if that hub stops.`,
          primary: this.options.primaryUrl,
        }),
      );
    });
    server.on('upgrade', (_req, socket) => {
      socket.end('HTTP/1.1 503 Standby\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => resolve());
    });
  }
}
