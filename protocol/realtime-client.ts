import { type BackoffPolicy, backoffDelay, deviceReconnectBackoff } from './backoff.ts';
import { CloseCode, retryHintMs } from './close-codes.ts';
import type { HubEvent } from './events.ts';

/** The slice of the WebSocket API we use: the browser's, or `ws` in Node. */
export interface SocketLike {
  readonly readyState: number;
  addEventListener(type: 'message', listener: (ev: { data: unknown }) => void): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'close', listener: (ev: { code: number; reason: string }) => void): void;
  close(code?: number, reason?: string): void;
}
export type SocketFactory = (url: string) => SocketLike;

export type ConnectionState =
  | { status: 'connecting'; attempt: number }
  | { status: 'replaying' }
  | { status: 'live'; headSeq: number }
  | { status: 'reconnecting'; attempt: number; retryInMs: number; reason: string }
  | { status: 'unauthorized'; reason: string }
  | { status: 'stopped' };

export interface SnapshotPayload {
  seq: number;
  orders: unknown[];
  tickets: unknown[];
}

export interface RealtimeClientOptions {
  /** `ws://hub:8080/ws` */
  url: string;
  token: string;
  /** Last seq this device has applied (persist it; start at 0 on a new device). */
  since?: number;
  stations?: string[];
  connect: SocketFactory;
  onEvent: (event: HubEvent) => void;
  onSnapshot?: (snapshot: SnapshotPayload) => void;
  onState?: (state: ConnectionState) => void;
  /** Control messages without a seq (e.g. `presence` for managers). */
  onControl?: (message: { type: string } & Record<string, unknown>) => void;
  backoff?: BackoffPolicy;
  random?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * Keeps one device subscribed to the hub through drops and restarts (invariant 5): it reconnects
 * with exponential backoff and full jitter, asks for everything after the last seq it applied,
 * and drops anything at or below it, so the app sees every event once, in order.
 */
export class RealtimeClient {
  private socket: SocketLike | null = null;
  private attempt = 0;
  private timer: unknown = null;
  private stopped = true;
  private seq: number;

  constructor(private readonly options: RealtimeClientOptions) {
    this.seq = options.since ?? 0;
  }

  get lastSeq(): number {
    return this.seq;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) (this.options.clearTimer ?? clearTimeout)(this.timer as never);
    this.timer = null;
    this.socket?.close(1000, 'client stopped');
    this.socket = null;
    this.options.onState?.({ status: 'stopped' });
  }

  private open(): void {
    const params = new URLSearchParams({ since: String(this.seq), token: this.options.token });
    if (this.options.stations?.length) params.set('stations', this.options.stations.join(','));
    this.options.onState?.({ status: 'connecting', attempt: this.attempt });
    const socket = this.options.connect(`${this.options.url}?${params}`);
    this.socket = socket;
    socket.addEventListener('message', (ev) => this.onMessage(ev.data));
    socket.addEventListener('error', () => {});
    socket.addEventListener('close', (ev) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.stopped) return;
      if (ev.code === CloseCode.unauthorized || ev.code === CloseCode.forbidden) {
        this.stopped = true;
        this.options.onState?.({ status: 'unauthorized', reason: ev.reason || 'token refused' });
        return;
      }
      const slot = retryHintMs(ev.reason ?? '');
      if (slot !== null)
        this.reconnectIn(
          slot,
          ev.code === CloseCode.busy ? 'the hub is letting devices in one by one' : 'the hub is restarting',
        );
      else this.scheduleReconnect(ev.reason || `closed (${ev.code})`);
    });
  }

  /** Come back when the hub said to: its slot for this device, not a guess that grows. */
  private reconnectIn(retryInMs: number, reason: string): void {
    this.options.onState?.({ status: 'reconnecting', attempt: this.attempt, retryInMs, reason });
    this.timer = (this.options.setTimer ?? setTimeout)(() => {
      this.timer = null;
      if (!this.stopped) this.open();
    }, retryInMs);
  }

  private scheduleReconnect(reason: string): void {
    const retryInMs = backoffDelay(
      this.attempt,
      this.options.backoff ?? deviceReconnectBackoff,
      this.options.random,
    );
    this.attempt++;
    this.reconnectIn(retryInMs, reason);
  }

  private onMessage(data: unknown): void {
    let msg: { type?: unknown; seq?: unknown; headSeq?: unknown };
    try {
      msg = JSON.parse(typeof data === 'string' ? data : String(data));
    } catch {
      return; // not JSON: nothing the hub sends, so nothing to act on
    }
    if (msg.type === 'hello') {
      this.options.onState?.({ status: 'replaying' });
    } else if (msg.type === 'caught_up') {
      this.attempt = 0;
      this.options.onState?.({ status: 'live', headSeq: Number(msg.headSeq) });
    } else if (msg.type === 'snapshot') {
      const snapshot = msg as unknown as SnapshotPayload;
      this.seq = snapshot.seq;
      this.options.onSnapshot?.(snapshot);
    } else if (typeof msg.seq === 'number') {
      if (msg.seq <= this.seq) return;
      this.seq = msg.seq;
      this.options.onEvent(msg as HubEvent);
    } else if (typeof msg.type === 'string') {
      this.options.onControl?.(msg as { type: string });
    }
  }
}
