import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { HubError } from '../errors.ts';
import { sendProblem } from '../http/problems.ts';

/** The built apps, next to the sources (hub/web) or to the compiled build (dist/hub/web). */
const appsDist =
  [join(import.meta.dirname, '../../apps/dist'), join(import.meta.dirname, '../../../apps/dist')].find((d) =>
    existsSync(join(d, 'pos/index.html')),
  ) ?? join(import.meta.dirname, '../../apps/dist');
/** Paths the web apps live under; public, because a tablet loads them before it has a token. */
export const appPaths = ['/pos', '/kds', '/admin', '/assets'] as const;

/**
 * Serves the built web apps (apps/dist, made by `npm run build:apps`). Hashed assets are cached
 * for a year; pages are revalidated so a tablet picks up a new build on its next load.
 */
export async function appRoutes(app: FastifyInstance): Promise<void> {
  if (!existsSync(join(appsDist, 'pos/index.html'))) {
    app.log.warn({ appsDist }, 'web apps are not built; run `npm run build:apps` (npm start does it)');
    for (const path of appPaths.slice(0, 3)) {
      app.get(`${path}/*`, async (request, reply) =>
        sendProblem(
          reply,
          request,
          new HubError(
            'NOT_FOUND',
            'The web apps are not built on this hub. Run `npm run build:apps`, then restart.',
          ),
        ),
      );
    }
    return;
  }
  await app.register(fastifyStatic, {
    root: appsDist,
    prefix: '/',
    wildcard: false,
    index: ['index.html'],
    // @fastify/static sets its own cache-control; ours (below) decides per file.
    cacheControl: false,
    redirect: true,
    setHeaders: (reply, path) => {
      reply.header(
        'cache-control',
        path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
      );
    },
  });
}
