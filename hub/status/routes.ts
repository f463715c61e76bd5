import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { QuarantinedEvent, SyncStatus } from '../../protocol/sync.ts';
import { HubError } from '../errors.ts';
import { anyRole } from '../http/admission.ts';
import type { StandbyStatus } from '../standby/primary.ts';
import type { Store } from '../store/index.ts';
import type { HubMetrics } from './metrics.ts';
import { readiness } from './ready.ts';
import { StallReport, type StallTrace } from './stalls.ts';

export interface HubRole {
  role: 'primary';
  epoch: number;
  box: string;
  standby: StandbyStatus;
}

export interface StatusDeps {
  store: Store;
  version: string;
  startedAt: number;
  now: () => number;
  socketCounts: () => Record<string, number>;
  commitStats: () => { commits: number; commands: number; pending: number };
  syncStatus: () => SyncStatus;
  metrics: HubMetrics;
  /** The diagnostic timeline, when `stallTrace` is on. */
  stalls: StallTrace | null;
  /** Offline card payments a terminal has yet to forward to Stripe (shown with sync status). */
  /** Standalone-terminal card payments a manager has yet to verify. */
  standaloneCards: () => { count: number; amount: number };
  /** The embedding process ('none' when no model could be loaded) and the vector index. */
  searchStatus: () => {
    embedder: string;
    embedderPid: number | null;
    embedderRestarts: number;
    modelId: string | null;
    indexedItems: number;
  };
  /** This box's part in a pair of hubs (docs/operations.md, "A standby hub"). */
  role: () => HubRole;
  /** Hand the primary role to the standby (`grow-hub switchover`). */
  switchover: () => Promise<{ to: { box: string; url: string } }>;
  dataDir: string;
  readyMinDiskBytes: number;
  readyMaxSyncLagMs: number;
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

    app.get('/ready', { config: { public: true } }, async (_request, reply) => {
      const checks = readiness(
        deps.store,
        deps.dataDir,
        deps.readyMinDiskBytes,
        deps.syncStatus(),
        deps.readyMaxSyncLagMs,
        deps.now(),
      );
      const ok = checks.every((c) => c.ok);
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not_ready', checks });
    });

    app.get('/metrics', { config: { roles: ['manager'] } }, async (_request, reply) =>
      reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()),
    );

    app.get(
      '/api/v1/sync/status',
      {
        schema: {
          response: {
            200: SyncStatus.extend({
              standaloneCardsUnverified: z.object({ count: z.int(), amount: z.int() }),
            }),
          },
        },
        config: { roles: anyRole },
      },
      async () => ({ ...deps.syncStatus(), standaloneCardsUnverified: deps.standaloneCards() }),
    );

    app.get(
      '/api/v1/sync/quarantine',
      {
        schema: { response: { 200: z.object({ events: z.array(QuarantinedEvent) }) } },
        config: { roles: ['manager'] },
      },
      async () => ({ events: deps.store.sync.quarantined(200) }),
    );

    app.get(
      '/api/v1/status/stalls',
      {
        schema: {
          querystring: z.object({ since: z.coerce.number().min(0).default(0) }),
          response: { 200: StallReport.extend({ hint: z.string().optional() }) },
        },
        config: { roles: ['manager'] },
      },
      async (request) =>
        deps.stalls?.report(request.query.since) ?? {
          enabled: false,
          dropped: 0,
          loopDelay: { p50: 0, p99: 0, max: 0, mean: 0 },
          stalls: [],
          hint: 'Stall tracing is off: start the hub with GROW_STALL_TRACE=1 (or "stallTrace": true in config.json).',
        },
    );

    // Public: devices ask each hub of a pair which is primary, at which epoch, and where the other is.
    app.get('/api/v1/role', { config: { public: true } }, async () => {
      const r = deps.role();
      return {
        role: r.role,
        epoch: r.epoch,
        box: r.box,
        peer: r.standby.url ? { url: r.standby.url, box: r.standby.box } : null,
      };
    });
    // `grow-hub switchover`, run on this box: loopback only, like the CLI's other tools.
    app.post('/api/v1/standby/switchover', { config: { public: true } }, async (request) => {
      const from = request.socket.remoteAddress ?? '';
      if (!(from.startsWith('127.') || from === '::1' || from === '::ffff:127.0.0.1'))
        throw new HubError(
          'FORBIDDEN',
          'Run `grow-hub switchover` on the primary hub’s own computer.',
          undefined,
          0,
        );
      return deps.switchover();
    });
    app.get('/api/v1/status', { config: { roles: ['manager'] } }, async () => ({
      version: deps.version,
      uptimeSeconds: Math.floor((deps.now() - deps.startedAt) / 1000),
      dataFile: deps.store.file,
      schemaVersion: deps.store.schemaVersion(),
      headSeq: deps.store.events.headSeq(),
      sockets: deps.socketCounts(),
      commits: deps.commitStats(),
      sync: deps.syncStatus(),
      search: deps.searchStatus(),
      standby: deps.role(),
      rssBytes: process.memoryUsage().rss,
      heapUsedBytes: process.memoryUsage().heapUsed,
    }));
  };
