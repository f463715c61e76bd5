import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SearchHit } from '../../protocol/search.ts';
import { storable, unstorableMessage } from '../../protocol/text.ts';
import { anyRole } from '../http/admission.ts';
import type { MenuService } from '../menu/service.ts';
import type { SearchService } from './service.ts';

const SearchQuery = z.strictObject({
  q: z
    .string()
    .trim()
    .min(1, 'type something to search for')
    .max(200, 'keep searches under 200 characters')
    .refine(storable, unstorableMessage),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});

const SearchResults = z.object({
  query: z.string(),
  model: z.string().nullable(),
  results: z.array(SearchHit),
});

export const searchRoutes =
  (search: SearchService, menu: MenuService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/v1/menu/search',
      { schema: { querystring: SearchQuery, response: { 200: SearchResults } }, config: { roles: anyRole } },
      async (request) => ({
        query: request.query.q,
        model: search.modelId,
        results: await search.search(request.query.q, request.query.limit, menu.requireCatalog()),
      }),
    );
  };
