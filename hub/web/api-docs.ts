import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/** Routes that are part of the API (the apps' pages and assets are not). */
const documented = (url: string) =>
  url.startsWith('/api/') || ['/health', '/ready', '/metrics'].includes(url);

/**
 * The HTTP API described as OpenAPI 3, generated from the routes' own zod schemas (so it cannot
 * drift from what the hub validates). Register before the routes: it collects them as they are
 * added.
 */
export function registerApiDocs(app: FastifyInstance, version: string): void {
  app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'Grow Hub API',
        version,
        description:
          'The restaurant hub: menu, orders, kitchen tickets, payments, devices and status on the LAN. ' +
          'Every route but /health, /ready, the pairing steps and these documents takes ' +
          '`Authorization: Bearer <device token>`. Errors are RFC 9457 problem+json with a stable `code`. ' +
          'Realtime events stream on the WebSocket /ws?since=SEQ.',
      },
      components: { securitySchemes: { device: { type: 'http', scheme: 'bearer' } } },
      security: [{ device: [] }],
    },
    transform: (arg) => {
      const out = jsonSchemaTransform(arg);
      const publicRoute = (arg.route.config as { public?: boolean } | undefined)?.public === true;
      return {
        ...out,
        schema: {
          ...out.schema,
          ...(documented(arg.url) ? {} : { hide: true }),
          ...(publicRoute ? { security: [] } : {}),
        },
      };
    },
  });
}

/** `GET /api/v1` (what `grow-hub start` prints as the API address) and the OpenAPI document. */
export async function apiIndexRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/v1/openapi.json', { config: { public: true } }, async () => app.swagger());
  app.get('/api/v1', { config: { public: true } }, async () => ({
    name: 'Grow Hub API',
    openapi: '/api/v1/openapi.json',
    health: '/health',
    realtime: '/ws?since=SEQ',
    authentication: 'Authorization: Bearer <device token> (grow-hub device create, or pair a device)',
  }));
}
