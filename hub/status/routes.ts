import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SyncStatus } from '../../protocol/sync.ts';
import { anyRole } from '../http/auth.ts';
import type { Store } from '../store/index.ts';

export interface StatusDeps {
  store: Store;
  version: string;
  startedAt: number;
  now: () => number;
  socketCounts: () => Record<string, number>;
  commitStats: () => { commits: number; commands: number; pending: number };
}

const Health = z.object({
  status: z.literal('ok'),
  version: z.string(),
  uptimeSeconds: z.int(),
  headSeq: z.int(),
});

export const statusRoutes =
  (deps: StatusDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/health', { schema: { response: { 200: Health } }, config: { public: true } }, async () => ({
      status: 'ok' as const,
      version: deps.version,
      uptimeSeconds: Math.floor((deps.now() - deps.startedAt) / 1000),
      headSeq: deps.store.events.headSeq(),
    }));

    // Until the sync engine (issue 3) is configured the hub runs standalone and says so; the
    // backlog is still real: every event after the cursor is waiting for the cloud.
    app.get(
      '/api/v1/sync/status',
      { schema: { response: { 200: SyncStatus } }, config: { roles: anyRole } },
      async () => {
        const cursor = deps.store.syncCursor();
        const headSeq = deps.store.events.headSeq();
        return {
          state: 'not_configured' as const,
          pendingEvents: Math.max(0, headSeq - cursor.syncedSeq),
          lastSyncedSeq: cursor.syncedSeq,
          headSeq,
          lastSuccessAt: cursor.lastSuccessAt,
          nextRetryAt: null,
          lastError: null,
          detail:
            'Cloud sync is not configured: the hub runs standalone and keeps every event for when it is.',
        };
      },
    );

    app.get('/api/v1/status', { config: { roles: ['manager'] } }, async () => ({
      version: deps.version,
      uptimeSeconds: Math.floor((deps.now() - deps.startedAt) / 1000),
      dataFile: deps.store.file,
      schemaVersion: deps.store.schemaVersion(),
      headSeq: deps.store.events.headSeq(),
      sockets: deps.socketCounts(),
      commits: deps.commitStats(),
      rssBytes: process.memoryUsage().rss,
    }));
  };
