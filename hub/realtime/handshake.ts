import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Device } from '../../protocol/devices.ts';
import { RealtimeQuery } from '../../protocol/realtime.ts';
import { HubError } from '../errors.ts';
import { type Admission, bearerToken } from '../http/admission.ts';
import { needsSnapshot } from './replay.ts';

export interface HandshakeOptions {
  maxSockets: number;
  maxSocketsPerDevice: number;
  maxReplayEvents: number;
  handshakesPerSecond: number;
  now: () => number;
}

/** What the gate needs to know about the sockets open now and the log. */
export interface GateView {
  openSockets: number;
  socketsOf(deviceId: string): number;
  headSeq(): number;
  closing: boolean;
}

export type Handshake =
  | { ok: true; device: Device; query: RealtimeQuery }
  | { ok: false; status: number; reason: string; detail: string; retryAfterSeconds?: number }
  /** Over the shared pace: come back at `retryInMs`, a slot of its own (see `pace`). */
  | { ok: 'later'; retryInMs: number };

const refusal = (status: number, reason: string, detail: string, retryAfterSeconds?: number): Handshake => ({
  ok: false,
  status,
  reason,
  detail,
  ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
});

/**
 * Who may open a socket, checked before the upgrade is accepted: the path, the origin (a page from
 * another site must not ride a device's token), the query, the token (through the same admission
 * as every HTTP route), then a steady pace of new sockets so a reconnect storm is admitted evenly.
 */
export class HandshakeGate {
  /** Sockets refused by the handshake rate since start (a reconnect storm shows up here). */
  refused = 0;
  private tokens: number;
  private refilledAt: number;
  /** The latest slot handed to a device told to come back later (ms, the `now` clock). */
  private lastSlotAt = 0;

  constructor(
    private readonly admission: Admission,
    private readonly options: HandshakeOptions,
  ) {
    this.tokens = options.handshakesPerSecond;
    this.refilledAt = options.now();
  }

  check(req: IncomingMessage, view: GateView): Handshake {
    const url = new URL(req.url ?? '/', 'http://hub');
    if (url.pathname !== '/ws') return refusal(404, 'Not Found', 'Realtime lives at /ws.');
    if (view.closing) return refusal(503, 'Service Unavailable', 'The hub is restarting; reconnect shortly.');
    // Browsers always send Origin.
    const origin = req.headers.origin;
    if (origin && safeHost(origin) !== req.headers.host) {
      return refusal(403, 'Forbidden', 'Cross-origin WebSocket refused: open the app from the hub itself.');
    }
    const query = RealtimeQuery.safeParse(Object.fromEntries(url.searchParams));
    if (!query.success) {
      const issue = query.error.issues[0]!;
      return refusal(400, 'Bad Request', `Query field "${issue.path.join('.')}": ${issue.message}`);
    }
    const token = bearerToken(req.headers.authorization) ?? query.data.token ?? null;
    const device = this.admission.authenticate(token, req.socket.remoteAddress ?? 'unknown', req.socket);
    if (device instanceof HubError) {
      return device.code === 'LOCKED_OUT'
        ? refusal(429, 'Too Many Requests', device.detail, device.retryAfterSeconds)
        : refusal(401, 'Unauthorized', 'Send a device token (Bearer header or ?token=).');
    }
    // Each device first spends its own budgets (sockets, handshakes, snapshots), so one device in a
    // reconnect loop cannot spend the restaurant's shared budget; then the shared pace. All after
    // auth, so strangers cannot spend the restaurant's own devices' budgets.
    if (view.socketsOf(device.id) >= this.options.maxSocketsPerDevice) {
      return refusal(
        429,
        'Too Many Requests',
        `This device already has ${this.options.maxSocketsPerDevice} sockets open; close one (another tab?) first.`,
        5,
      );
    }
    const budget = this.admission.admitSocket(
      device,
      needsSnapshot(query.data.since, view.headSeq(), this.options.maxReplayEvents),
    );
    if (budget) return refusal(429, 'Too Many Requests', budget.detail, budget.retryAfterSeconds);
    const retryInMs = this.pace();
    if (retryInMs > 0) {
      this.refused++;
      return { ok: 'later', retryInMs };
    }
    if (view.openSockets >= this.options.maxSockets) {
      return refusal(503, 'Service Unavailable', 'Too many open sockets on this hub.');
    }
    return { ok: true, device, query: query.data };
  }

  /**
   * Token bucket: `handshakesPerSecond` new sockets a second, at most that many at once. Returns 0
   * to admit, or how long (ms) this device should wait: each device turned away gets the next free
   * slot at the pace, so a crowd after a restart comes back spread evenly at the rate the hub
   * admits, instead of retrying at random and being turned away again (which pushed the last
   * devices' backoff to its 15 s cap: 16.5 s for 500 sockets, `npm run bench`).
   */
  private pace(): number {
    const now = this.options.now();
    const rate = this.options.handshakesPerSecond;
    this.tokens = Math.min(rate, this.tokens + ((now - this.refilledAt) / 1_000) * rate);
    this.refilledAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    const interval = 1_000 / rate;
    const nextToken = now + (1 - this.tokens) * interval;
    this.lastSlotAt = Math.max(nextToken, this.lastSlotAt + interval);
    return Math.max(1, Math.ceil(this.lastSlotAt - now));
  }
}

/** Answer a refused upgrade with a problem+json body and close the connection. */
export function refuse(socket: Duplex, h: Extract<Handshake, { ok: false }>): void {
  const body = JSON.stringify({ title: h.reason, status: h.status, detail: h.detail });
  const retry = h.retryAfterSeconds ? `Retry-After: ${h.retryAfterSeconds}\r\n` : '';
  socket.end(
    `HTTP/1.1 ${h.status} ${h.reason}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${retry}Connection: close\r\n\r\n${body}`,
  );
}

function safeHost(origin: string): string | null {
  try {
    return new URL(origin).host;
  } catch {
    return null; // not a URL: no host can match
  }
}
