import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Device, Role } from '../../protocol/devices.ts';
import type { DeviceService } from '../devices/service.ts';
import { bearerToken } from '../devices/tokens.ts';
import { HubError } from '../errors.ts';
import type { Limiter } from '../limits/limiter.ts';
import { tokenLockout } from '../limits/policy.ts';
import { sendProblem } from './problems.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on this route. Every route declares either `roles` or `public: true`. */
    roles?: readonly Role[];
    public?: boolean;
    /** Extra limit per client address (on public routes, where there is no device to count). */
    ipRateLimit?: { limit: number; windowMs: number };
  }
  interface FastifyRequest {
    device: Device | null;
  }
  interface FastifyInstance {
    /** Every route with who may call it: the auth tests walk this, so a new route is covered. */
    routeTable: RouteAccess[];
  }
}

export interface RouteAccess {
  method: string;
  url: string;
  roles: readonly Role[];
  public: boolean;
}

export const anyRole: readonly Role[] = ['pos', 'kds', 'manager'];

/**
 * Deny by default: a route that forgets to say who may call it fails at startup, not in
 * production. Authentication runs on onRequest, before the body is read, so an anonymous caller
 * learns nothing from validation errors.
 */
export interface AuthLimits {
  limiter: Limiter;
  /** Mutating requests (POST, PUT, PATCH, DELETE) per device per minute. */
  commandsPerMinute: number;
  /** Bad tokens from one address before it is locked out (then doubling, capped). */
  tokenFailuresBeforeLockout: number;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

export function registerAuth(
  app: FastifyInstance,
  devices: DeviceService,
  limits: AuthLimits,
  publicPrefixes: readonly string[] = [],
): void {
  app.decorateRequest('device', null);
  const table: RouteAccess[] = [];
  app.decorate('routeTable', table);
  app.addHook('onRoute', (route) => {
    // The web apps' pages and assets carry no secrets: a device that has no token yet must load
    // them to pair. Everything else must say who may call it.
    if (publicPrefixes.some((p) => route.url === p || route.url.startsWith(`${p}/`))) {
      route.config = { ...route.config, public: true };
    }
    const config = route.config as { roles?: readonly Role[]; public?: boolean } | undefined;
    if (route.method === 'HEAD') return;
    if (!config?.public && !config?.roles?.length) {
      throw new Error(
        `Route ${String(route.method)} ${route.url} declares neither config.roles nor config.public`,
      );
    }
    for (const method of [route.method].flat()) {
      table.push({
        method: String(method),
        url: route.url,
        roles: config.roles ?? [],
        public: config.public === true,
      });
    }
  });
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    const config = request.routeOptions.config;
    if (config.ipRateLimit) {
      const verdict = limits.limiter.take(
        `ip:${request.ip}:${request.routeOptions.url}`,
        config.ipRateLimit.limit,
        config.ipRateLimit.windowMs,
      );
      if (!verdict.ok) {
        const s = seconds(verdict.retryAfterMs);
        return sendProblem(
          reply,
          request,
          new HubError(
            'RATE_LIMITED',
            `Too many requests from ${request.ip}; retry in ${s} s.`,
            undefined,
            s,
          ),
        );
      }
    }
    if (config.public || !request.routeOptions.url) return;
    // Guessing tokens is hopeless (256 bits), but a flood of bad ones still costs CPU: lock the address out.
    const authKey = `auth:${request.ip}`;
    const locked = limits.limiter.lockedFor(authKey);
    if (locked > 0) {
      return sendProblem(
        reply,
        request,
        new HubError(
          'LOCKED_OUT',
          `Too many bad tokens from ${request.ip}; retry in ${seconds(locked)} s.`,
          undefined,
          seconds(locked),
        ),
      );
    }
    const token = bearerToken(request.headers.authorization);
    const device = token ? devices.authenticate(token) : null;
    if (!device) {
      if (token)
        limits.limiter.fail(authKey, { ...tokenLockout, threshold: limits.tokenFailuresBeforeLockout });
      reply.header('www-authenticate', 'Bearer realm="grow-hub"');
      return sendProblem(
        reply,
        request,
        new HubError(
          'UNAUTHENTICATED',
          'Send Authorization: Bearer <device token>. Pair the device or run `grow-hub device create`.',
        ),
      );
    }
    request.device = device;
    if (!config.roles?.includes(device.role)) {
      return sendProblem(
        reply,
        request,
        new HubError(
          'FORBIDDEN',
          `A ${device.role} device may not call this; it needs one of: ${config.roles?.join(', ')}.`,
        ),
      );
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const verdict = limits.limiter.take(`device:${device.id}`, limits.commandsPerMinute, 60_000);
      if (!verdict.ok) {
        const s = seconds(verdict.retryAfterMs);
        return sendProblem(
          reply,
          request,
          new HubError(
            'RATE_LIMITED',
            `This device sent more than ${limits.commandsPerMinute} commands in a minute; retry in ${s} s.`,
            undefined,
            s,
          ),
        );
      }
    }
  });
}

/** The authenticated device; routes behind `roles` always have one. */
export function deviceOf(request: FastifyRequest): Device {
  return request.device!;
}
