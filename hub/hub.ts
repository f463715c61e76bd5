import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type IdSource, uuidv7Source } from '../protocol/ids.ts';
import { MenuSnapshot } from '../protocol/menu.ts';
import { HubClaims } from '../protocol/sync.ts';
import { supabaseCloud } from '../sync/cloud.ts';
import { SyncEngine, type SyncStorage, standaloneStatus } from '../sync/engine.ts';
import { jwtClaims } from '../sync/jwt.ts';
import { type BackupInfo, listBackups, makeBackup } from './backup/backups.ts';
import { ConfigError, type HubConfig } from './config.ts';
import { DeviceService } from './devices/service.ts';
import { Limiter } from './limits/limiter.ts';
import { demoMenu } from './menu/demo-menu.ts';
import { MenuService } from './menu/service.ts';
import { OrderService } from './orders/service.ts';
import { PaymentService } from './payments/service.ts';
import { stripeGateway } from './payments/stripe-gateway.ts';
import { EventFeed } from './realtime/feed.ts';
import { RealtimeGateway } from './realtime/gateway.ts';
import { EmbedderProcess } from './search/embedder-process.ts';
import { SearchService } from './search/service.ts';
import { buildServer } from './server.ts';
import { StaffService } from './staff/service.ts';
import { HubMetrics } from './status/metrics.ts';
import { Checkpointer } from './store/checkpointer.ts';
import { GroupCommitter } from './store/committer.ts';
import { Store } from './store/index.ts';
import { WalSync } from './store/wal-sync.ts';
import type { TlsMaterial } from './tls.ts';
import { hubVersion } from './version.ts';

export interface HubDeps {
  now?: () => number;
  newId?: IdSource;
  /** Required when config.tlsEnabled: from ensureCertificate (async, so made before the hub). */
  tls?: TlsMaterial;
}

export const dbFileName = 'hub.db';

export const pidFile = (config: Pick<HubConfig, 'dataDir'>) => join(resolve(config.dataDir), 'hub.pid');

/** Is a hub process running on this data dir (its pid file names a live process)? */
export function runningHubPid(config: Pick<HubConfig, 'dataDir'>): number | null {
  try {
    const pid = Number(readFileSync(pidFile(config), 'utf8'));
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

/** Builds every part of a hub from config (the composition root: the only place that wires). */
export function openStore(config: Pick<HubConfig, 'dataDir' | 'sqliteBusyTimeoutMs'>): Store {
  return Store.open(join(resolve(config.dataDir), dbFileName), { busyTimeoutMs: config.sqliteBusyTimeoutMs });
}

export class Hub {
  readonly store: Store;
  readonly feed = new EventFeed();
  readonly committer: GroupCommitter;
  readonly metrics: HubMetrics;
  private readonly walSync: WalSync;
  readonly menu: MenuService;
  readonly orders: OrderService;
  readonly devices: DeviceService;
  readonly search: SearchService;
  readonly limiter: Limiter;
  readonly staff: StaffService;
  readonly payments: PaymentService;
  readonly hubId: string;
  private reconcileTimer: NodeJS.Timeout | null = null;
  readonly app: FastifyInstance;
  readonly gateway: RealtimeGateway;
  /** null when no cloud is configured: the hub runs standalone. */
  readonly sync: SyncEngine | null;
  private checkpointer: Checkpointer | null = null;
  /** null until the model has loaded, and for good if it cannot be (search is lexical). */
  embedder: EmbedderProcess | null = null;
  private backupTimer: NodeJS.Timeout | null = null;
  readonly backups: { list: () => BackupInfo[]; make: () => Promise<BackupInfo> };
  private stopping: Promise<void> | null = null;

  constructor(
    readonly config: HubConfig,
    deps: HubDeps = {},
  ) {
    const now = deps.now ?? Date.now;
    if (config.tlsEnabled && !deps.tls) {
      throw new ConfigError(
        'tlsEnabled is on but no certificate was given: start the hub with `grow-hub start` (it makes one).',
      );
    }
    const newId = deps.newId ?? uuidv7Source(now);
    this.store = openStore(config);
    // Invariant 4 holds through WalSync: COMMIT writes the WAL, a flush off the event loop makes
    // it durable, and only then does the committer answer (hub/store/wal-sync.ts).
    this.store.db.pragma('synchronous = NORMAL');
    this.walSync = new WalSync(`${this.store.file}-wal`, (seconds) =>
      this.metrics.walFlushDuration.observe(seconds),
    );
    // Sources are read at scrape time, so the services they name may be built after this.
    this.metrics = new HubMetrics({
      headSeq: () => this.store.events.headSeq(),
      socketsByRole: () => this.gateway.countsByRole(),
      syncPending: () => (this.sync ? this.sync.status() : standaloneStatus(syncStorage)).pendingEvents,
      commits: () => ({ ...this.committer.stats, pending: this.committer.pending }),
    });
    this.committer = new GroupCommitter(
      this.store.db,
      this.store.events,
      {
        maxBatch: config.commitBatchMax,
        maxQueue: config.commitQueueMax,
        now,
        observeCommit: (seconds) => this.metrics.commitDuration.observe(seconds),
        durable: () => this.walSync.sync(),
      },
      (events) => this.feed.publish(events),
    );
    this.menu = new MenuService(this.store, this.committer);
    this.orders = new OrderService(this.store, this.committer, this.menu, newId);
    this.devices = new DeviceService(this.store, this.committer, newId, config.pairingTtlMs);
    this.limiter = new Limiter(this.store, {
      maxKeys: 10_000,
      flushMs: 1_000,
      now,
      write: (fn) => this.committer.run(fn),
    });
    this.staff = new StaffService(this.store, this.committer, this.limiter, newId);
    this.hubId = this.store.meta('hub_id') ?? newId();
    if (this.store.meta('hub_id') === null) this.store.putMeta('hub_id', this.hubId);
    this.payments = new PaymentService(
      this.store,
      this.committer,
      config.stripeSecretKey
        ? stripeGateway({
            secretKey: config.stripeSecretKey,
            apiBase: config.stripeApiBase,
            timeoutMs: config.stripeTimeoutMs,
            now,
          })
        : null,
      this.hubId,
      { perTransaction: config.offlineCardLimitPerTransaction, total: config.offlineCardLimitTotal },
      { info: (o, m) => this.app.log.info(o, m), warn: (o, m) => this.app.log.warn(o, m) },
      now,
    );
    const syncStorage = storageFor(this.store);
    const dataDir = resolve(config.dataDir);
    this.backups = {
      list: () => listBackups(dataDir),
      make: () => makeBackup(this.store, dataDir, config.backupKeep, now()),
    };
    this.search = new SearchService(
      this.store,
      null,
      { info: (o, m) => this.app.log.info(o, m), warn: (o, m) => this.app.log.warn(o, m) },
      config.searchIndexBudgetBytes,
    );
    this.app = buildServer({
      config,
      menu: this.menu,
      orders: this.orders,
      devices: this.devices,
      search: this.search,
      staff: this.staff,
      payments: this.payments,
      limiter: this.limiter,
      backups: this.backups,
      tls: deps.tls ?? null,
      status: {
        store: this.store,
        version: hubVersion,
        startedAt: now(),
        now,
        socketCounts: () => this.gateway.countsByRole(),
        commitStats: () => ({ ...this.committer.stats, pending: this.committer.pending }),
        syncStatus: () => (this.sync ? this.sync.status() : standaloneStatus(syncStorage)),
        metrics: this.metrics,
        awaitingForward: () => this.payments.awaitingForward(),
        searchStatus: () => ({
          embedder: this.embedder?.status ?? 'none',
          embedderPid: this.embedder?.pid ?? null,
          embedderRestarts: this.embedder?.restarts ?? 0,
          modelId: this.search.modelId,
          indexedItems: this.search.indexedItems,
        }),
        dataDir: resolve(config.dataDir),
        readyMinDiskBytes: config.readyMinDiskBytes,
        readyMaxSyncLagMs: config.readyMaxSyncLagMs,
      },
    });
    this.sync = cloudSync(config, syncStorage, this.menu, this.app, now);
    // A new menu means new texts to index and embed (only the changed items are embedded again).
    this.feed.subscribe((events) => {
      if (events.some((e) => e.type === 'menu.applied')) this.reindexInBackground();
    });
    if (this.sync) {
      const engine = this.sync;
      this.feed.subscribe(() => engine.notify());
    }
    this.gateway = new RealtimeGateway(
      this.store,
      this.devices,
      this.orders,
      this.feed,
      {
        heartbeatMs: config.wsHeartbeatMs,
        sendBufferBytes: config.wsSendBufferBytes,
        maxReplayEvents: config.wsMaxReplayEvents,
        maxSockets: config.wsMaxSockets,
        handshakesPerSecond: config.wsHandshakesPerSecond,
      },
      this.app.log,
      { orders: this.orders, limiter: this.limiter, commandsPerMinute: config.rateLimitCommandsPerMinute },
    );
    this.app.server.on('upgrade', (req, socket, head) => this.gateway.handleUpgrade(req, socket, head));
  }

  /** Loads the demo menu when the hub has none (never over a menu HQ or an operator applied). */
  async loadDemoMenuIfEmpty(): Promise<boolean> {
    if (this.menu.catalog()) return false;
    await this.menu.apply(MenuSnapshot.parse(demoMenu));
    return true;
  }

  private reindexInBackground(): void {
    const catalog = this.menu.catalog();
    if (catalog)
      this.search.reindex(catalog).catch((err) => this.app.log.error({ err }, 'search reindex failed'));
  }

  /** Start the embedding process and index the menu; search is lexical-only until this is done. */
  async prepareSearch(): Promise<void> {
    try {
      this.embedder = await EmbedderProcess.start({
        modelDir: this.config.embeddingModelDir && resolve(this.config.embeddingModelDir),
        timeoutMs: this.config.embedTimeoutMs,
        maxPending: 256,
        maxHeapMb: this.config.embedderMaxHeapMb,
        restartBackoff: { baseMs: 500, capMs: 30_000 },
        log: { info: (o, m) => this.app.log.info(o, m), warn: (o, m) => this.app.log.warn(o, m) },
        // Items edited while it was down have no vectors yet: embed them now.
        onRestart: () => this.reindexInBackground(),
      });
      this.search.useEmbedder(this.embedder);
    } catch (err) {
      this.app.log.warn(
        { err: (err as Error).message },
        'no embedding model could be loaded; menu search is lexical only',
      );
    }
    const catalog = this.menu.catalog();
    if (catalog) await this.search.reindex(catalog);
  }

  async listen(): Promise<{ port: number; host: string }> {
    await this.prepareSearch();
    this.checkpointer = new Checkpointer(
      this.store.db,
      this.store.file,
      this.config.walCheckpointMs,
      this.config.sqliteBusyTimeoutMs,
      this.app.log,
    );
    await this.app.listen({ port: this.config.port, host: this.config.host });
    if (this.sync) this.sync.start();
    // The CLI's restore refuses to run while this file names a live process.
    writeFileSync(pidFile(this.config), String(process.pid));
    if (this.config.stripeSecretKey) {
      this.reconcileTimer = setInterval(() => {
        this.payments
          .reconcile()
          .catch((err) => this.app.log.error({ err }, 'payment reconciliation failed'));
      }, this.config.reconcileIntervalMs);
      this.reconcileTimer.unref();
    }
    if (this.config.backupIntervalMs > 0) {
      this.backupTimer = setInterval(() => {
        this.backups.make().then(
          (b) => this.app.log.info({ file: b.file, bytes: b.bytes }, 'scheduled backup made'),
          (err) => this.app.log.error({ err }, 'scheduled backup failed; the previous backups are kept'),
        );
      }, this.config.backupIntervalMs);
      this.backupTimer.unref();
    } else
      this.app.log.info('cloud sync is not configured: running standalone, every event is kept for later');
    const address = this.app.server.address();
    const port = typeof address === 'object' && address ? address.port : this.config.port;
    return { port, host: this.config.host };
  }

  /**
   * Graceful stop: refuse new connections, tell sockets to reconnect later (1012), let in-flight
   * requests finish and their commands commit, then checkpoint the WAL and close the file.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      const timer = setTimeout(() => this.app.server.closeAllConnections(), this.config.shutdownTimeoutMs);
      timer.unref();
      if (this.backupTimer) clearInterval(this.backupTimer);
      if (this.reconcileTimer) clearInterval(this.reconcileTimer);
      await this.sync?.stop();
      await this.gateway.close();
      await this.app.close();
      await this.limiter.stop();
      await this.committer.drain();
      await this.walSync.close();
      await this.checkpointer?.stop();
      await this.embedder?.stop();
      clearTimeout(timer);
      this.store.checkpoint();
      this.store.close();
      rmSync(pidFile(this.config), { force: true });
    })();
    return this.stopping;
  }
}

function storageFor(store: Store): SyncStorage {
  return {
    headSeq: () => store.events.headSeq(),
    cursor: () => store.sync.cursor(),
    moveCursor: (seq, at) => store.sync.moveCursor(seq, at),
    batchAfter: (after, maxEvents, maxBytes) => store.sync.batchAfter(after, maxEvents, maxBytes),
    quarantine: (seq, reason, at) => store.sync.quarantine(seq, reason, at),
    quarantinedCount: () => store.sync.quarantinedCount(),
  };
}

function cloudSync(
  config: HubConfig,
  storage: SyncStorage,
  menu: MenuService,
  app: FastifyInstance,
  now: () => number,
) {
  if (!config.cloudUrl || !config.cloudAnonKey || !config.cloudHubToken) return null;
  const claims = HubClaims.safeParse(jwtClaims(config.cloudHubToken));
  if (!claims.success) {
    throw new ConfigError(
      'cloudHubToken (GROW_CLOUD_HUB_TOKEN) is not a hub credential: it needs role=authenticated, grow_role=hub, hub_id and restaurant_id claims.',
    );
  }
  const cloud = supabaseCloud({
    url: config.cloudUrl,
    anonKey: config.cloudAnonKey,
    hubToken: config.cloudHubToken,
    timeoutMs: config.syncTimeoutMs,
  });
  return new SyncEngine({
    storage,
    cloud,
    now,
    log: app.log.child({ module: 'sync', hubId: claims.data.hub_id }),
    menuVersion: () => menu.catalog()?.version ?? 0,
    applyMenu: (body) => menu.apply(MenuSnapshot.parse(body)),
    options: {
      hubId: claims.data.hub_id,
      batchMaxEvents: config.syncBatchMaxEvents,
      batchMaxBytes: config.syncBatchMaxBytes,
      lingerMs: config.syncLingerMs,
      backoff: { baseMs: config.syncBackoffBaseMs, capMs: config.syncBackoffCapMs },
      breakerFailures: config.syncBreakerFailures,
      breakerCooldownMs: config.syncBreakerCooldownMs,
      menuPollMs: config.syncMenuPollMs,
    },
  });
}
