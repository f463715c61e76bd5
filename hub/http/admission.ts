import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Device, Role } from '../../protocol/devices.ts';
import { HubError } from '../errors.ts';
import type { Limiter } from '../limits/limiter.ts';
import { repeatedTokenLockout, tokenLockout } from '../limits/policy.ts';
import type { ConnectionGate } from './connections.ts';

/** What admission needs from the device registry: who a token belongs to, if anyone. */
export interface DeviceDirectory {
  authenticate(token: string): Device | null;
}

export interface AdmissionLimits {
  /** Commands (anything that changes state) per device per minute. */
  commandsPerMinute: number;
  /** Read cost per device per minute (a long list costs more than one row). */
  readsPerMinute: number;
  /** New sockets per device per minute, and full snapshots per device per minute. */
  handshakesPerDevicePerMinute: number;
  snapshotsPerDevicePerMinute: number;
  /** Bad tokens from one address before it is locked out (then doubling, capped). */
  tokenFailuresBeforeLockout: number;
}

export const anyRole: readonly Role[] = ['pos', 'kds', 'manager'];

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/** `Authorization: Bearer <token>` → the token, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S{1,200})\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/**
 * Who may do what, and how often: the one admission path for HTTP routes, WebSocket handshakes
 * and commands sent over a socket. Each step answers a device or the HubError to send back.
 */
export class Admission {
  constructor(
    private readonly devices: DeviceDirectory,
    private readonly limiter: Limiter,
    private readonly limits: AdmissionLimits,
    private readonly connections: ConnectionGate | null = null,
  ) {}

  /**
   * The device a bearer token belongs to. Guessing tokens is hopeless (256 bits), but a flood of
   * bad ones still costs CPU, so bad tokens count against the caller's address, and one bad token
   * sent again and again counts against itself (then no more against its address: one looping,
   * revoked tablet does not lock out its neighbours). A valid token is never held back by its
   * address's lockout: a till behind the same NAT as an attacker keeps working.
   */
  authenticate(token: string | null, address: string, socket?: Duplex): Device | HubError {
    const device = token ? this.devices.authenticate(token) : null;
    if (device) {
      if (socket) this.connections?.trust(socket);
      return device;
    }
    const addressKey = `auth:ip:${address}`;
    const locked = this.limiter.lockedFor(addressKey);
    if (locked > 0) {
      return new HubError(
        'LOCKED_OUT',
        `Too many bad tokens from ${address}; retry in ${seconds(locked)} s.`,
        undefined,
        seconds(locked),
      );
    }
    if (token) {
      const tokenKey = `auth:token:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}`;
      if (this.limiter.lockedFor(tokenKey) === 0) {
        this.limiter.fail(tokenKey, repeatedTokenLockout);
        this.limiter.fail(addressKey, { ...tokenLockout, threshold: this.limits.tokenFailuresBeforeLockout });
      }
    }
    return new HubError(
      'UNAUTHENTICATED',
      'Send Authorization: Bearer <device token>. Pair the device or run `grow-hub device create`.',
    );
  }

  /**
   * The role check, then the device's budget: commands per minute, or read cost per minute (one
   * device hammering long lists must not slow the others' orders).
   */
  authorize(device: Device, roles: readonly Role[], kind: 'read' | 'command', cost = 1): HubError | null {
    if (!roles.includes(device.role)) {
      return new HubError(
        'FORBIDDEN',
        `A ${device.role} device may not call this; it needs one of: ${roles.join(', ')}.`,
      );
    }
    if (kind === 'read') {
      return this.take(
        `reads:${device.id}`,
        this.limits.readsPerMinute,
        60_000,
        (s) => `This device read more than its share in the last minute; retry in ${s} s.`,
        cost,
      );
    }
    return this.take(
      `device:${device.id}`,
      this.limits.commandsPerMinute,
      60_000,
      (s) =>
        `This device sent more than ${this.limits.commandsPerMinute} commands in a minute; retry in ${s} s.`,
    );
  }

  /** A device opening a socket: its own handshake budget (and a snapshot's, when it needs one). */
  admitSocket(device: Device, needsSnapshot: boolean): HubError | null {
    const handshake = this.take(
      `ws:${device.id}`,
      this.limits.handshakesPerDevicePerMinute,
      60_000,
      (s) => `This device reconnected too often; retry in ${s} s.`,
    );
    if (handshake || !needsSnapshot) return handshake;
    return this.take(
      `snapshot:${device.id}`,
      this.limits.snapshotsPerDevicePerMinute,
      60_000,
      (s) => `This device asked for a full snapshot too often; retry in ${s} s.`,
    );
  }

  /** A limit per client address, for public routes where there is no device to count. */
  throttleAddress(address: string, route: string, limit: number, windowMs: number): HubError | null {
    return this.take(
      `ip:${address}:${route}`,
      limit,
      windowMs,
      (s) => `Too many requests from ${address}; retry in ${s} s.`,
    );
  }

  private take(
    key: string,
    limit: number,
    windowMs: number,
    detail: (s: number) => string,
    cost = 1,
  ): HubError | null {
    const verdict = this.limiter.take(key, limit, windowMs, cost);
    if (verdict.ok) return null;
    const s = seconds(verdict.retryAfterMs);
    return new HubError('RATE_LIMITED', detail(s), undefined, s);
  }
}
