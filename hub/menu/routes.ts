import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Slug } from '../../protocol/ids.ts';
import { AvailabilityBody, MenuSnapshot } from '../../protocol/menu.ts';
import { anyRole } from '../http/admission.ts';
import type { MenuService } from './service.ts';

const menuBodyLimitBytes = 8 * 1024 * 1024;

export const menuRoutes =
  (menu: MenuService): FastifyPluginAsyncZod =>
  async (app) => {
    // Served from one cached string with an ETag: 1,000 items cost a buffer write, and a tablet
    // that already has this version gets 304.
    app.get('/api/v1/menu', { config: { roles: anyRole } }, async (request, reply) => {
      const { body, etag } = menu.menuJson();
      reply.header('etag', etag).header('cache-control', 'no-cache');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send();
      return reply.type('application/json').send(body);
    });

    app.put(
      '/api/v1/menu',
      {
        // A 5,000-item menu is a few MB: larger than any command body, so it has its own limit.
        bodyLimit: menuBodyLimitBytes,
        schema: {
          body: MenuSnapshot,
          response: { 200: z.object({ applied: z.boolean(), version: z.int() }) },
        },
        config: { roles: ['manager'] },
      },
      async (request) => menu.apply(request.body),
    );

    app.post(
      '/api/v1/menu/items/:itemId/availability',
      {
        schema: {
          params: z.strictObject({ itemId: Slug }),
          body: AvailabilityBody,
          response: { 200: z.object({ itemId: Slug, available: z.boolean() }) },
        },
        config: { roles: ['manager', 'kds'] },
      },
      async (request) => menu.setAvailability(request.params.itemId, request.body.available),
    );
  };
