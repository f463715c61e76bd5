import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Device, Role } from '../../protocol/devices.ts';
import type { Acting, Caller } from '../../rules/permissions.ts';
import { HubError } from '../errors.ts';
import { type Admission, bearerToken } from './admission.ts';
import { sendProblem } from './problems.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on this route. Every route declares either `roles` or `public: true`. */
    roles?: readonly Role[];
    public?: boolean;
    /** Extra limit per client address (on public routes, where there is no device to count). */
    ipRateLimit?: { limit: number; windowMs: number };
    /** What a read costs against the device's read budget (1 unless the route says otherwise). */
    readCost?: (query: Record<string, unknown>) => number;
  }
  interface FastifyRequest {
    device: Device | null;
    /** The staff member signed in on the device (`X-Grow-Staff`), or null. */
    staff: Acting | null;
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

/**
 * Deny by default: a route that forgets to say who may call it fails at startup, not in
 * production. Admission runs on onRequest, before the body is read, so an anonymous caller
 * learns nothing from validation errors.
 */
export function registerAuth(
  app: FastifyInstance,
  admission: Admission,
  publicPrefixes: readonly string[] = [],
  onDuty: (session: string | undefined, device: Device) => Acting | null | HubError = () => null,
): void {
  app.decorateRequest('device', null);
  app.decorateRequest('staff', null);
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
      const refused = admission.throttleAddress(
        request.ip,
        request.routeOptions.url ?? request.url,
        config.ipRateLimit.limit,
        config.ipRateLimit.windowMs,
      );
      if (refused) return sendProblem(reply, request, refused);
    }
    if (config.public || !request.routeOptions.url) return;
    const device = admission.authenticate(
      bearerToken(request.headers.authorization),
      request.ip,
      request.raw.socket,
    );
    if (device instanceof HubError) {
      if (device.code === 'UNAUTHENTICATED') reply.header('www-authenticate', 'Bearer realm="grow-hub"');
      return sendProblem(reply, request, device);
    }
    request.device = device;
    const header = request.headers['x-grow-staff'];
    const staff = onDuty(typeof header === 'string' ? header : undefined, device);
    if (staff instanceof HubError) return sendProblem(reply, request, staff);
    request.staff = staff;
    const read = request.method === 'GET' || request.method === 'HEAD';
    const cost = read ? (config.readCost?.(request.query as Record<string, unknown>) ?? 1) : 1;
    const refused = admission.authorize(device, config.roles ?? [], read ? 'read' : 'command', cost);
    if (refused) return sendProblem(reply, request, refused);
  });
}

/** The authenticated device; routes behind `roles` always have one. */
export function deviceOf(request: FastifyRequest): Device {
  return request.device!;
}

/** The device and the staff member signed in on it, for commands that record who acted. */
export function callerOf(request: FastifyRequest): Caller {
  return { device: request.device!, staff: request.staff };
}
