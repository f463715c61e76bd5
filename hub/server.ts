import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { pino } from 'pino';
import type { BackupInfo } from './backup/backups.ts';
import { backupRoutes } from './backup/routes.ts';
import type { HubConfig } from './config.ts';
import { type DayServices, dayRoutes } from './day/routes.ts';
import { deviceRoutes } from './devices/routes.ts';
import type { DeviceService } from './devices/service.ts';
import type { Admission } from './http/admission.ts';
import { registerAuth } from './http/auth.ts';
import { clientErrorHandler, frameworkError, registerProblems } from './http/problems.ts';
import { validatorCompiler } from './http/validation.ts';
import { kdsRoutes } from './kds/routes.ts';
import type { Limiter } from './limits/limiter.ts';
import { menuRoutes } from './menu/routes.ts';
import type { MenuService } from './menu/service.ts';
import { checkRoutes } from './orders/check-routes.ts';
import type { CheckService } from './orders/checks.ts';
import { orderRoutes } from './orders/routes.ts';
import type { OrderService } from './orders/service.ts';
import type { ServiceSetup } from './orders/setup.ts';
import { paymentRoutes } from './payments/routes.ts';
import type { PaymentService } from './payments/service.ts';
import { printingRoutes } from './printing/routes.ts';
import type { PrintingService } from './printing/service.ts';
import { searchRoutes } from './search/routes.ts';
import type { SearchService } from './search/service.ts';
import { staffRoutes } from './staff/routes.ts';
import type { StaffService } from './staff/service.ts';
import { type StatusDeps, statusRoutes } from './status/routes.ts';
import type { TlsMaterial } from './tls.ts';
import { apiIndexRoutes, registerApiDocs } from './web/api-docs.ts';
import { appPaths, appRoutes } from './web/routes.ts';

export type HubLogger = pino.Logger;

/** The hub's one logger (pino, as fastify uses), made first so every part can log from the start. */
export function hubLogger(level: HubConfig['logLevel']): HubLogger {
  // Device tokens travel in headers (and, for browsers' WebSockets, the query): never log them.
  return pino({ level, redact: ['req.headers.authorization', 'req.query.token'] });
}

export interface ServerDeps {
  config: HubConfig;
  log: HubLogger;
  admission: Admission;
  menu: MenuService;
  orders: OrderService;
  checks: CheckService;
  setup: ServiceSetup;
  devices: DeviceService;
  search: SearchService;
  staff: StaffService;
  day: DayServices;
  payments: PaymentService;
  printing: PrintingService;
  limiter: Limiter;
  backups: { list: () => BackupInfo[]; make: () => Promise<BackupInfo> };
  status: StatusDeps;
  /** When set, HTTPS and WSS with this certificate. */
  tls: TlsMaterial | null;
}

/** Assembles the HTTP server from feature plugins; each feature owns its routes and schemas. */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // Every error is problem+json, also those raised before routing or before a request is read.
    frameworkErrors: frameworkError,
    clientErrorHandler,
    bodyLimit: deps.config.bodyLimitBytes,
    requestTimeout: deps.config.requestTimeoutMs,
    connectionTimeout: deps.config.requestTimeoutMs,
    keepAliveTimeout: deps.config.keepAliveTimeoutMs,
    // Header and request deadlines are enforced on this pace (Node's default, 30 s, would let a
    // slow connection live three times its deadline).
    ...(deps.tls
      ? {
          https: {
            key: deps.tls.key,
            cert: deps.tls.cert,
            headersTimeout: deps.config.headersTimeoutMs,
            connectionsCheckingInterval: 1_000,
            handshakeTimeout: deps.config.headersTimeoutMs,
          },
        }
      : { http: { headersTimeout: deps.config.headersTimeoutMs, connectionsCheckingInterval: 1_000 } }),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // A line per request at 2,000 orders/s is noise and CPU; debug and trace levels turn it on.
    logController: new LogController({
      disableRequestLogging: !['debug', 'trace'].includes(deps.config.logLevel),
    }),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerProblems(app);
  registerAuth(app, deps.admission, appPaths, (session, device) => deps.staff.onDuty(session, device));
  app.addHook('onSend', async (request, reply, payload) => {
    for (const [name, value] of securityHeaders(request.url)) reply.header(name, value);
    return payload;
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    deps.status.metrics.httpDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      reply.elapsedTime / 1_000,
    );
    if (reply.statusCode >= 500)
      request.log.warn({ url: request.url, status: reply.statusCode }, 'request failed');
  });
  registerApiDocs(app, deps.status.version);
  app.register(apiIndexRoutes);
  app.register(statusRoutes(deps.status));
  app.register(menuRoutes(deps.menu));
  app.register(searchRoutes(deps.search, deps.menu));
  app.register(orderRoutes(deps.orders));
  app.register(checkRoutes(deps.checks, deps.setup));
  app.register(kdsRoutes(deps.orders));
  app.register(paymentRoutes(deps.payments));
  app.register(printingRoutes(deps.printing));
  app.register(deviceRoutes(deps.devices, deps.limiter, deps.tls?.fingerprint ?? null));
  app.register(staffRoutes(deps.staff));
  app.register(dayRoutes(deps.day));
  app.register(backupRoutes(deps.backups));
  app.register(appRoutes);
  return app;
}

/**
 * Headers for every answer. The apps load only their own scripts and talk only to this hub, so
 * the policy can be strict; no CORS headers are sent, so other origins cannot read the API.
 */
function securityHeaders(url: string): [string, string][] {
  const headers: [string, string][] = [
    ['x-content-type-options', 'nosniff'],
    ['referrer-policy', 'no-referrer'],
    ['x-frame-options', 'DENY'],
    ['cross-origin-opener-policy', 'same-origin'],
    ['cross-origin-resource-policy', 'same-origin'],
  ];
  if (!url.startsWith('/api/')) {
    headers.push([
      'content-security-policy',
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    ]);
  }
  return headers;
}
