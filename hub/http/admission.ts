import type { Device, Role } from '../../protocol/devices.ts';
import { HubError } from '../errors.ts';
import type { Limiter } from '../limits/limiter.ts';
import { tokenLockout } from '../limits/policy.ts';

/** What admission needs from the device registry: who a token belongs to, if anyone. */
export interface DeviceDirectory {
  authenticate(token: string): Device | null;
}

export interface AdmissionLimits {
  /** Commands (anything that changes state) per device per minute. */
  commandsPerMinute: number;
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
  ) {}

  /**
   * The device a bearer token belongs to. Guessing tokens is hopeless (256 bits), but a flood of
   * bad ones still costs CPU, so bad tokens count against the caller's address.
   */
  authenticate(token: string | null, address: string): Device | HubError {
    const key = `auth:${address}`;
    const locked = this.limiter.lockedFor(key);
    if (locked > 0) {
      return new HubError(
        'LOCKED_OUT',
        `Too many bad tokens from ${address}; retry in ${seconds(locked)} s.`,
        undefined,
        seconds(locked),
      );
    }
    const device = token ? this.devices.authenticate(token) : null;
    if (device) return device;
    if (token) this.limiter.fail(key, { ...tokenLockout, threshold: this.limits.tokenFailuresBeforeLockout });
    return new HubError(
      'UNAUTHENTICATED',
      'Send Authorization: Bearer <device token>. Pair the device or run `grow-hub device create`.',
    );
  }

  /** The role check, then (for a command) the per-device command budget. */
  authorize(device: Device, roles: readonly Role[], kind: 'read' | 'command'): HubError | null {
    if (!roles.includes(device.role)) {
      return new HubError(
        'FORBIDDEN',
        `A ${device.role} device may not call this; it needs one of: ${roles.join(', ')}.`,
      );
    }
    if (kind === 'read') return null;
    return this.take(
      `device:${device.id}`,
      this.limits.commandsPerMinute,
      60_000,
      (s) =>
        `This device sent more than ${this.limits.commandsPerMinute} commands in a minute; retry in ${s} s.`,
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

  private take(key: string, limit: number, windowMs: number, detail: (s: number) => string): HubError | null {
    const verdict = this.limiter.take(key, limit, windowMs);
    if (verdict.ok) return null;
    const s = seconds(verdict.retryAfterMs);
    return new HubError('RATE_LIMITED', detail(s), undefined, s);
  }
}
