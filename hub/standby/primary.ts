// Long because the primary's side of a pair is one state machine (connection, shipping, waiting,
// leases, the device quorum, handover) whose parts read and change the same few fields.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../../protocol/logger.ts';
import { type FromPrimary, FromStandby, type StandbyState } from '../../protocol/standby.ts';
import { sameSecret } from '../devices/tokens.ts';
import { HubError } from '../errors.ts';
import type { Store } from '../store/index.ts';
import { installCapture, ReplicationLog } from '../store/replication.ts';
import { standbyKeys } from './pairing.ts';

export interface PrimaryOptions {
  ackTimeoutMs: number;
  /** How far back a device counts as with this hub (several leases). */
  deviceWindowMs?: number;
  leaseMs: number;
  backlogMax: number;
  box: string;
}

/** What status, /metrics and HQ show of the standby. */
export interface StandbyStatus {
  state: StandbyState;
  box: string | null;
  url: string | null;
  /** Row changes the standby has yet to confirm. */
  behind: number;
  lastHeardAt: string | null;
  /** Commits answered without the standby since it last was in sync. */
  answeredAlone: number;
}

/** What a hub without a standby reports. */
export const noStandby: StandbyStatus = {
  state: 'none',
  box: null,
  url: null,
  behind: 0,
  lastHeardAt: null,
  answeredAlone: 0,
};

interface Waiter {
  to: number;
  resolve: () => void;
  reject: (err: Error) => void;
  deadline: number;
}

/** A commit the standby did not confirm, at a moment the standby may be taking over: not acknowledged. */
const unconfirmed = () =>
  new HubError(
    'STANDBY_UNCONFIRMED',
    'The standby hub did not confirm this order and may be taking over: send it again (to the other hub if this one refuses); it will not be taken twice.',
    undefined,
    1,
  );

/**
 * The primary's side of a standby (docs/operations.md, "A standby hub"). After each commit the
 * committer asks `afterCommit()`: the new row changes are shipped at once, and while the standby
 * is in sync the answer waits until it has them on its disk (RPO 0 if this box dies). A standby
 * that does not confirm within `ackTimeoutMs` is marked lagging: the hub answers without it (and
 * says so in status, /metrics and the admin page) until it has caught up. A lease message every
 * quarter lease tells the standby the primary lives; when they stop, the standby takes over.
 */
export class PrimaryReplication {
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: 1_048_576,
    perMessageDeflate: false,
  });
  private readonly log: ReplicationLog;
  private socket: WebSocket | null = null;
  private peer: { box: string; url: string } | null = null;
  private state: StandbyState = 'away';
  private sentTo = 0;
  private ackedTo = 0;
  private lastHeardAt: number | null = null;
  private answeredAlone = 0;
  private waiters: Waiter[] = [];
  private readonly timer: NodeJS.Timeout;
  /** The connected standby said where it stands: only then is anything shipped to it. */
  private greeted = false;
  /** Device id → when it last sent this hub anything (the device quorum, below). */
  private readonly deviceSeen = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly options: PrimaryOptions,
    private readonly epoch: () => number,
    private readonly logger: Logger,
    /** This hub lost its standby and most of its devices: step down, to follow `primary`. */
    private readonly onLostQuorum: (primary: string | null) => void = () => {},
  ) {
    installCapture(store.db);
    if (store.meta(standbyKeys.stream) === null) store.putMeta(standbyKeys.stream, crypto.randomUUID());
    this.log = new ReplicationLog(store.db);
    this.timer = setInterval(() => this.tick(), Math.max(50, Math.floor(options.leaseMs / 4)));
    this.timer.unref();
  }

  private stream(): string {
    return this.store.meta(standbyKeys.stream)!;
  }

  /**
   * Called by the committer right after a COMMIT: ships it, and resolves once the standby holds it
   * (or at once when no standby is in sync, or when it does not answer in time).
   */
  afterCommit(): Promise<void> | null {
    if (!this.socket) {
      if (this.mayAnswerAlone()) {
        this.answeredAlone++;
        return null;
      }
      return Promise.reject(this.lostQuorum());
    }
    const head = this.log.headId();
    this.pump();
    if (this.state !== 'in-sync' || this.ackedTo >= head) {
      if (this.state !== 'in-sync') this.answeredAlone++;
      return null;
    }
    return new Promise((resolve, reject) => {
      this.waiters.push({ to: head, resolve, reject, deadline: Date.now() + this.options.ackTimeoutMs });
      if (this.waiters.length === 1) setTimeout(() => this.expire(), this.options.ackTimeoutMs + 1).unref();
    });
  }

  status(): StandbyStatus {
    return {
      state: this.state,
      box: this.peer?.box ?? null,
      url: this.peer?.url ?? null,
      behind: Math.max(0, this.log.headId() - this.ackedTo),
      lastHeardAt: this.lastHeardAt ? new Date(this.lastHeardAt).toISOString() : null,
      answeredAlone: this.answeredAlone,
    };
  }

  /** Wire to `server.on('upgrade')` for `/replication`: only the paired standby gets in. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /i, '');
    const hash = this.store.meta(standbyKeys.tokenHash);
    const refuse = (status: number, why: string) => {
      socket.end(`HTTP/1.1 ${status} ${why}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!hash || !token || !sameSecret(token, Buffer.from(hash, 'hex'))) refuse(401, 'Unknown standby');
    else if (this.socket) refuse(409, 'A standby is already connected');
    else this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    this.socket = ws;
    this.greeted = false;
    this.state = 'catching-up';
    this.lastHeardAt = Date.now();
    ws.on('message', (data, binary) => {
      if (binary) return;
      const parsed = FromStandby.safeParse(JSON.parse(String(data)));
      if (!parsed.success) return ws.close(1008, 'not a standby message');
      this.lastHeardAt = Date.now();
      const m = parsed.data;
      if (m.type === 'hello') this.greet(ws, m);
      else this.acked(m.to);
    });
    ws.on('close', () => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.state = 'away';
      this.logger.warn({ standby: this.peer?.box }, 'standby disconnected: this hub carries on alone');
      this.release();
    });
    ws.on('error', () => {});
  }

  private greet(
    ws: WebSocket,
    hello: { stream: string | null; position: number; box: string; url: string },
  ): void {
    this.peer = { box: hello.box, url: hello.url };
    this.greeted = true;
    const head = this.log.headId();
    const oldest = this.log.oldestId() ?? head + 1;
    if (hello.stream === this.stream() && hello.position >= oldest - 1 && hello.position <= head) {
      this.sentTo = hello.position;
      this.ackedTo = hello.position;
      this.logger.info(
        { standby: hello.box, behind: head - hello.position },
        'standby connected: sending what it missed',
      );
    } else {
      // Too far behind (or another primary's copy): the whole database, then the log after it.
      const image = this.store.db.serialize();
      const position = this.log.headId();
      this.send(ws, { type: 'snapshot', stream: this.stream(), position, bytes: image.length });
      ws.send(image);
      this.sentTo = position;
      this.ackedTo = 0;
      this.logger.info(
        { standby: hello.box, bytes: image.length },
        'standby connected: sending a copy of the database',
      );
    }
    this.pump();
  }

  private acked(to: number): void {
    this.ackedTo = Math.max(this.ackedTo, to);
    const head = this.log.headId();
    if (this.ackedTo >= head && this.state !== 'in-sync') {
      this.logger.info({ standby: this.peer?.box }, 'standby in sync: commits wait for it again');
      this.state = 'in-sync';
      this.sendLease(); // at once: the standby may take over only once it knows it is in sync
    }
    const done = this.waiters.filter((w) => w.to <= this.ackedTo);
    if (done.length) {
      this.waiters = this.waiters.filter((w) => w.to > this.ackedTo);
      for (const w of done) w.resolve();
    }
  }

  private expire(): void {
    const now = Date.now();
    const late = this.waiters.filter((w) => w.deadline <= now);
    if (late.length === 0) {
      if (this.waiters.length)
        setTimeout(() => this.expire(), Math.max(1, this.waiters[0]!.deadline - now)).unref();
      return;
    }
    if (this.state === 'in-sync') {
      this.state = 'lagging';
      this.logger.warn(
        { standby: this.peer?.box, timeoutMs: this.options.ackTimeoutMs },
        'standby lagging: it did not confirm a commit in time; answering without it until it catches up',
      );
    }
    if (this.mayAnswerAlone()) {
      this.answeredAlone += late.length;
      this.release();
    } else this.refuse();
  }

  /** A device sent this hub something (any request with its token). */
  seen(deviceId: string): void {
    this.deviceSeen.set(deviceId, Date.now());
  }

  private devicesSince(from: number, to = Number.POSITIVE_INFINITY): number {
    let n = 0;
    for (const at of this.deviceSeen.values()) if (at > from && at <= to) n++;
    return n;
  }

  private get window(): number {
    return this.options.deviceWindowMs ?? Math.max(3_000, 3 * this.options.leaseMs);
  }

  /**
   * Whether this hub may acknowledge a commit its standby does not hold. While the standby was
   * heard from within three quarters of a lease, it cannot be taking over (it takes over only
   * after a whole lease without word from this hub). Past that, two boxes cannot tell a dead peer
   * from a cut link, and the devices decide: this hub goes on alone only while at least half the
   * devices that were using it before the standby went quiet still do; the standby takes over
   * only with more than half of them (docs/operations.md, "When the two cannot see each other").
   */
  mayAnswerAlone(): boolean {
    const now = Date.now();
    const quiet = this.lastHeardAt ?? 0;
    if (now - quiet < (this.options.leaseMs * 3) / 4) return true;
    const before = this.devicesSince(quiet - this.window, quiet);
    const since = this.devicesSince(quiet);
    return before === 0 || since * 2 >= before;
  }

  /** This hub may not answer alone: it steps down (its owner follows the other box) and refuses. */
  private lostQuorum(): HubError {
    this.onLostQuorum(this.peer?.url ?? null);
    return unconfirmed();
  }

  /** Commits waiting for the standby fail: their devices retry (on the other hub if this one refuses). */
  private refuse(): void {
    const all = this.waiters;
    this.waiters = [];
    for (const w of all) w.reject(this.lostQuorum());
  }

  /** Lets every waiting commit answer (the standby is gone or late). */
  private release(): void {
    const all = this.waiters;
    this.waiters = [];
    for (const w of all) w.resolve();
  }

  /** Sends whatever the standby has not been sent yet, in order, in bounded messages. */
  private pump(): void {
    const ws = this.socket;
    if (!ws || ws.readyState !== ws.OPEN || !this.greeted) return;
    while (ws.bufferedAmount < 16 * 1_048_576) {
      const changes = this.log.since(this.sentTo, 2_000);
      if (changes.length === 0) return;
      const to = changes.at(-1)!.id;
      this.send(ws, { type: 'changes', stream: this.stream(), to, changes });
      this.sentTo = to;
    }
  }

  private tick(): void {
    const ws = this.socket;
    if (ws && ws.readyState === ws.OPEN) {
      this.pump(); // changes written outside the committer (the sync cursor, a CLI beside the hub)
      this.sendLease();
      if (this.ackedTo > 0) this.log.trim(this.ackedTo);
    } else {
      // Away: keep at most the backlog's bound for it; further behind, it copies the database.
      const head = this.log.headId();
      if (head > this.options.backlogMax) this.log.trim(head - this.options.backlogMax);
    }
  }

  private sendLease(): void {
    const ws = this.socket;
    if (!ws || ws.readyState !== ws.OPEN || !this.greeted) return;
    this.send(ws, {
      type: 'lease',
      epoch: this.epoch(),
      ttlMs: this.options.leaseMs,
      head: this.log.headId(),
      box: this.options.box,
      inSync: this.state === 'in-sync',
      devices: this.devicesSince(Date.now() - this.window),
    });
  }

  /**
   * Planned switchover: once the standby holds everything, tell it to take over. The caller has
   * stopped taking commands. Resolves with where the new primary is.
   */
  async handOver(timeoutMs: number): Promise<{ box: string; url: string }> {
    const ws = this.socket;
    if (!ws || !this.peer) throw new Error('no standby is connected: nothing to hand over to');
    const head = this.log.headId();
    this.pump();
    const deadline = Date.now() + timeoutMs;
    while (this.ackedTo < head) {
      if (Date.now() > deadline || this.socket !== ws)
        throw new Error(`the standby did not confirm everything within ${timeoutMs} ms: not switched`);
      await new Promise((r) => setTimeout(r, 10));
    }
    this.send(ws, { type: 'handover', epoch: this.epoch(), head });
    return this.peer;
  }

  private send(ws: WebSocket, message: FromPrimary): void {
    ws.send(JSON.stringify(message));
  }

  close(): void {
    clearInterval(this.timer);
    this.release();
    this.socket?.close(1001, 'primary stopping');
    this.socket = null;
  }
}
