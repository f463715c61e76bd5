import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Device, Role } from '../../protocol/devices.ts';
import type { DeviceService } from '../devices/service.ts';
import { bearerToken } from '../devices/tokens.ts';
import { HubError } from '../errors.ts';
import { sendProblem } from './problems.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on this route. Every route declares either `roles` or `public: true`. */
    roles?: readonly Role[];
    public?: boolean;
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
export function registerAuth(
  app: FastifyInstance,
  devices: DeviceService,
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
    if (config.public || !request.routeOptions.url) return;
    const token = bearerToken(request.headers.authorization);
    const device = token ? devices.authenticate(token) : null;
    if (!device) {
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
  });
}

/** The authenticated device; routes behind `roles` always have one. */
export function deviceOf(request: FastifyRequest): Device {
  return request.device!;
}
