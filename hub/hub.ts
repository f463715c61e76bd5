// Long because it is the one composition root: every part is built and wired here and nowhere
// else, so a reader finds all the wiring in one file; the parts themselves live in their folders.
import { rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type IdSource, uuidv7Source } from '../protocol/ids.ts';
import type { Logger } from '../protocol/logger.ts';
import { type SyncEngine, standaloneStatus } from '../sync/engine.ts';
import { type BackupInfo, listBackups, makeBackup } from './backup/backups.ts';
import { cloudSync } from './cloud.ts';
import { ConfigError, type HubConfig } from './config.ts';
import { ServerCheckout } from './day/checkout.ts';
import { TimeClock } from './day/clock.ts';
import { DayClose } from './day/close.ts';
import { DayCommands } from './day/commands.ts';
import { Drawers } from './day/drawers.ts';
import type { DayServices } from './day/routes.ts';
import { DeviceService } from './devices/service.ts';
import { HubError } from './errors.ts';
import { Admission } from './http/admission.ts';
import { ConnectionGate, connectionCap } from './http/connections.ts';
import { Limiter } from './limits/limiter.ts';
import { demoMenu } from './menu/demo.ts';
import { MenuService } from './menu/service.ts';
import { BusinessDay } from './orders/business-day.ts';
import { CheckService } from './orders/checks.ts';
import { Kitchen } from './orders/kitchen.ts';
import { createOrder } from './orders/routes.ts';
import { OrderService } from './orders/service.ts';
import { ServiceSetup } from './orders/setup.ts';
import { PaymentService } from './payments/service.ts';
import { stripeGateway } from './payments/stripe-gateway.ts';
import { PrintingService } from './printing/service.ts';
import { EventFeed } from './realtime/feed.ts';
import { RealtimeGateway } from './realtime/gateway.ts';
import { SearchService } from './search/service.ts';
import { buildServer, hubLogger } from './server.ts';
import { every, Services } from './services.ts';
import { StaffService } from './staff/service.ts';
import { epochOf, standbyPaired } from './standby/pairing.ts';
import { noStandby, PrimaryReplication } from './standby/primary.ts';
import { HubMetrics } from './status/metrics.ts';
import { StallTrace } from './status/stalls.ts';
import { Checkpointer } from './store/checkpointer.ts';
import type { GroupCommitter } from './store/committer.ts';
import { exposedFiles, privateDir } from './store/files.ts';
import type { Store } from './store/index.ts';
import { DataDirLock } from './store/lock.ts';
import { openToolStore, openWriter } from './store/writer.ts';
import type { TlsMaterial } from './tls.ts';
import { hubVersion } from './version.ts';

export interface HubDeps {
  now?: () => number;
  newId?: IdSource;
  /** Required when config.tlsEnabled: from ensureCertificate (async, so made before the hub). */
  tls?: TlsMaterial;
}

const dbFileName = 'hub.db';

export const pidFile = (config: Pick<HubConfig, 'dataDir'>) => join(resolve(config.dataDir), 'hub.pid');

const dbFile = (config: Pick<HubConfig, 'dataDir'>) => join(resolve(config.dataDir), dbFileName);

/** The data dir's database for a command-line tool beside (or instead of) a running hub. */
export function openStore(config: Pick<HubConfig, 'dataDir' | 'sqliteBusyTimeoutMs'>) {
  return openToolStore(dbFile(config), config.sqliteBusyTimeoutMs);
}

/**
 * The composition root: builds every part of a hub from its config and wires them, then hands
 * their lifetimes to a service registry (start in order, stop in reverse). Nothing else wires.
 */
export class Hub {
  readonly store: Store;
  readonly committer: GroupCommitter;
  readonly hubId: string;
  readonly feed = new EventFeed();
  readonly metrics: HubMetrics;
  /** The stall timeline (diagnostics, `stallTrace`); null when off. */
  readonly stalls: StallTrace | null;
  readonly menu: MenuService;
  readonly orders: OrderService;
  readonly checks: CheckService;
  readonly setup: ServiceSetup;
  readonly devices: DeviceService;
  readonly limiter: Limiter;
  readonly staff: StaffService;
  /** The time clock, cash drawers, server checkout and day close (hub/day). */
  readonly day: DayServices;
  readonly payments: PaymentService;
  readonly printing: PrintingService;
  readonly search: SearchService;
  readonly backups: { list: () => BackupInfo[]; make: () => Promise<BackupInfo> };
  readonly app: FastifyInstance;
  readonly gateway: RealtimeGateway;
  /** null when no cloud is configured (the hub runs standalone), and until the hub has started. */
  sync: SyncEngine | null = null;
  /** What staff and HQ call this box (config boxName, else the host name). */
  readonly box: string;
  /** Its standby's side of things, while one is paired (hub/standby). */
  replication: PrimaryReplication | null = null;
  private readonly services: Services;
  private stopping: Promise<void> | null = null;

  constructor(
    readonly config: HubConfig,
    deps: HubDeps = {},
  ) {
    if (config.tlsEnabled && !deps.tls) {
      throw new ConfigError(
        'tlsEnabled is on but no certificate was given: start the hub with `grow-hub start` (it makes one).',
      );
    }
    const now = deps.now ?? Date.now;
    const newId = deps.newId ?? uuidv7Source(now);
    const log = hubLogger(config.logLevel);
    const dataDir = resolve(config.dataDir);
    privateDir(dataDir);
    const lock = DataDirLock.acquire(dataDir);
    writeFileSync(pidFile(config), String(process.pid), { mode: 0o600 });
    const exposed = exposedFiles(dataDir);
    if (exposed.length > 0) {
      log.warn(
        { dataDir, fix: exposed },
        'the data dir is readable by other users of this computer (orders, PIN hashes, credentials): run the commands in "fix"',
      );
    }
    const stalls = config.stallTrace ? new StallTrace() : null;
    this.stalls = stalls;
    // Metric sources are read at scrape time, so the parts they name may be built after this.
    this.metrics = new HubMetrics({
      headSeq: () => this.store.events.headSeq(),
      socketsByRole: () => this.gateway.countsByRole(),
      syncPending: () => this.syncStatus().pendingEvents,
      commits: () => ({ ...this.committer.stats, pending: this.committer.pending }),
      connections: () => ({ open: connections.size, ...connections.stats }),
      syncQuarantined: () => this.store.sync.quarantinedCount(),
      standby: () => this.replication?.status() ?? noStandby,
      printing: () => this.printing.stats(),
    });
    const connections = new ConnectionGate({
      maxConnections: connectionCap(config.maxConnections, log),
      maxConnectionsPerAddress: config.maxConnectionsPerAddress,
    });
    const writer = openWriter(dbFile(config), {
      busyTimeoutMs: config.sqliteBusyTimeoutMs,
      maxBatch: config.commitBatchMax,
      maxQueue: config.commitQueueMax,
      now,
      newId,
      observeCommit: (seconds) => {
        this.metrics.commitDuration.observe(seconds);
        stalls?.ended('commit', seconds * 1_000);
      },
      observeFlush: (seconds) => {
        this.metrics.walFlushDuration.observe(seconds);
        stalls?.ended('fdatasync', seconds * 1_000);
      },
      onCommitted: (events) => this.feed.publish(events),
      afterCommit: () => this.replication?.afterCommit() ?? null,
    });
    this.store = writer.store;
    this.box = config.boxName ?? hostname();
    if (standbyPaired(writer.store)) this.replication = this.primaryReplication(writer.store, log);
    this.committer = writer.committer;
    this.hubId = writer.hubId;

    this.menu = new MenuService(this.store, this.committer);
    this.setup = new ServiceSetup(this.store, this.committer);
    const kitchen = new Kitchen(this.store, newId);
    const businessDay = new BusinessDay(this.store, this.setup);
    this.orders = new OrderService(
      this.store,
      this.committer,
      this.menu,
      this.setup,
      businessDay,
      kitchen,
      newId,
    );
    this.devices = new DeviceService(this.store, this.committer, newId, config.pairingTtlMs, now);
    this.limiter = new Limiter(this.store, {
      maxKeys: 10_000,
      flushMs: 1_000,
      now,
      write: (fn) => this.committer.run(fn),
      log,
    });
    const admission = new Admission(
      this.devices,
      this.limiter,
      {
        commandsPerMinute: config.rateLimitCommandsPerMinute,
        readsPerMinute: config.readsPerMinute,
        handshakesPerDevicePerMinute: config.wsHandshakesPerDevicePerMinute,
        snapshotsPerDevicePerMinute: config.wsSnapshotsPerDevicePerMinute,
        tokenFailuresBeforeLockout: config.authFailuresBeforeLockout,
      },
      connections,
    );
    this.staff = new StaffService(
      this.store,
      this.committer,
      this.limiter,
      newId,
      log,
      () => this.setup.service().idleMinutes,
    );
    this.checks = new CheckService(
      this.store,
      this.committer,
      this.menu,
      this.staff,
      this.setup,
      kitchen,
      newId,
    );
    this.orders.afterBump = (ctx, orderId) => this.checks.autoFire(ctx, orderId);
    const dayCommands = new DayCommands(this.store, this.committer);
    const clock = new TimeClock(this.store, dayCommands, this.staff, businessDay, newId);
    const drawers = new Drawers(this.store, dayCommands, this.staff, this.setup, businessDay, newId);
    this.day = {
      clock,
      drawers,
      checkout: new ServerCheckout(this.store, dayCommands, this.staff, businessDay),
      close: new DayClose(
        this.store,
        dayCommands,
        this.staff,
        this.setup,
        this.menu,
        businessDay,
        clock,
        log,
      ),
      now: () => new Date(now()).toISOString(),
    };
    this.payments = new PaymentService(
      this.store,
      this.committer,
      this.staff,
      (caller) => drawers.openFor(caller)?.id ?? null,
      config.stripeSecretKey
        ? stripeGateway({
            secretKey: config.stripeSecretKey,
            apiBase: config.stripeApiBase,
            timeoutMs: config.stripeTimeoutMs,
            breakerCooldownMs: config.stripeBreakerCooldownMs,
            now,
          })
        : null,
      this.hubId,
      {
        standalone: {
          perTransaction: config.standaloneCardLimitPerTransaction,
          total: config.standaloneCardLimitTotal,
        },
        amounts: { maxAmount: config.paymentMaxAmount, maxTip: config.paymentMaxTip },
        card: { waitMs: config.cardWaitMs, pollMs: config.cardPollMs },
      },
      log,
      now,
    );
    this.printing = new PrintingService(
      this.store,
      this.committer,
      newId,
      () => this.menu.catalog()?.snapshot.stations ?? [],
      {
        backupAfterMs: config.printBackupAfterMs,
        connectMs: config.printConnectTimeoutMs,
        replyMs: config.printReplyTimeoutMs,
        retryMaxMs: config.printRetryMaxMs,
        probeMs: config.printStatusEveryMs,
        kdsAwayAfterMs: config.kdsAwayPrintAfterMs,
        business: {
          name: config.businessName,
          address: config.businessAddress ?? null,
          taxId: config.businessTaxId ?? null,
          locale: config.locale,
        },
      },
      log,
      now,
    );
    // Jobs are on disk once their commit is: only then may a printer print them.
    this.feed.subscribe(() => this.printing.committed());
    this.search = new SearchService(this.store, log, config.searchIndexBudgetBytes);
    this.backups = {
      list: () => listBackups(dataDir),
      make: () => makeBackup(this.store, dataDir, config.backupKeep, now()),
    };
    this.app = buildServer({
      config,
      log,
      admission,
      menu: this.menu,
      orders: this.orders,
      checks: this.checks,
      setup: this.setup,
      devices: this.devices,
      search: this.search,
      staff: this.staff,
      day: this.day,
      payments: this.payments,
      printing: this.printing,
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
        syncStatus: () => this.syncStatus(),
        switchover: () => this.switchover(),
        role: () => ({
          role: 'primary',
          epoch: this.epoch(),
          box: this.box,
          standby: this.replication?.status() ?? noStandby,
        }),
        metrics: this.metrics,
        stalls,
        standaloneCards: () => this.payments.standaloneSummary(),
        searchStatus: () => this.search.status(),
        dataDir,
        readyMinDiskBytes: config.readyMinDiskBytes,
        readyMaxSyncLagMs: config.readyMaxSyncLagMs,
      },
    });
    // A pair of hubs: every answer says which term it was given in; a device that has seen a
    // newer term (a standby took over) is refused here, and this hub steps down.
    this.app.addHook('onRequest', async (request, reply) => {
      const seen = Number(request.headers['x-grow-epoch'] ?? 0);
      if (seen > this.epoch()) {
        const primary = this.replication?.status().url ?? null;
        this.stepDown(primary, `a device has seen epoch ${seen}, newer than this hub's ${this.epoch()}`);
        throw new HubError(
          'STALE_PRIMARY',
          `This hub is no longer the primary (a newer one took over at epoch ${seen})${primary ? `: send orders to ${primary}` : ''}.`,
          undefined,
          1,
        );
      }
      if (this.steppedDownOnce && request.method !== 'GET')
        throw new HubError(
          'STALE_PRIMARY',
          'This hub has stepped down and is about to follow the other hub: send orders there.',
          undefined,
          1,
        );
      if (this.switching && request.method !== 'GET' && !request.url.startsWith('/api/v1/standby/'))
        throw new HubError('SWITCHING_OVER', 'The hubs are switching over; retry in a moment.', undefined, 1);
      reply.header('x-grow-epoch', String(this.epoch()));
      reply.header('x-grow-role', 'primary');
    });
    // Which devices send this hub commands (on arrival): with a standby, half of them decide who
    // is primary. Reads do not count: a manager's screen that only looks does not take orders.
    this.app.addHook('preHandler', async (request) => {
      if (request.device && request.method !== 'GET') this.replication?.seen(request.device.id);
    });
    // A new menu means new texts to index and embed (only the changed items are embedded again).
    this.feed.subscribe((events) => {
      if (events.some((e) => e.type === 'menu.applied')) this.search.reindexInBackground(this.menu.catalog());
    });
    this.gateway = new RealtimeGateway(
      this.store,
      this.devices,
      this.orders,
      this.feed,
      admission,
      { 'order.create': { ...createOrder(this.orders), answerAs: 'order' } },
      {
        heartbeatMs: config.wsHeartbeatMs,
        sendBufferBytes: config.wsSendBufferBytes,
        maxReplayEvents: config.wsMaxReplayEvents,
        maxSockets: config.wsMaxSockets,
        maxSocketsPerDevice: config.wsMaxSocketsPerDevice,
        handshakesPerSecond: config.wsHandshakesPerSecond,
        now,
        staffOnDuty: (session, device) => this.staff.onDuty(session, device),
      },
      this.app.log,
    );
    connections.attach(this.app.server);
    this.app.server.on('upgrade', (req, socket, head) => {
      if ((req.url ?? '').startsWith('/replication')) {
        // Paired while running (`grow-hub standby pair` beside the hub): start shipping now.
        if (!this.replication && standbyPaired(this.store))
          this.replication = this.primaryReplication(this.store, this.app.log);
        if (this.replication) return this.replication.handleUpgrade(req, socket, head);
        return void socket.end(
          'HTTP/1.1 404 No standby paired\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
        );
      }
      this.gateway.handleUpgrade(req, socket, head);
    });

    let screens: NodeJS.Timeout | null = null;
    let checkpointer: Checkpointer | null = null;
    this.services = new Services(this.app.log)
      // Released last: no second hub and no restore may touch the data dir until the store is closed.
      .add({
        name: 'data dir lock',
        stop: () => {
          rmSync(pidFile(config), { force: true });
          lock.release();
        },
      })
      .add({
        name: 'store',
        stop: () => {
          this.store.checkpoint(); // fold the WAL back so the data dir is one file
          this.store.close();
        },
      })
      .add({
        name: 'committer',
        stop: async () => {
          await this.committer.drain();
          await writer.closeFlusher();
        },
      })
      .add({ name: 'rate limits', stop: () => this.limiter.stop() })
      .add({ name: 'standby', stop: () => this.replication?.close() })
      .add({ name: 'stall trace', start: () => stalls?.start(), stop: () => stalls?.stop() })
      .add({
        name: 'WAL checkpoints',
        start: () => {
          checkpointer = new Checkpointer(
            this.store,
            config.walCheckpointMs,
            config.sqliteBusyTimeoutMs,
            this.app.log,
            (at, ms, mode) => stalls?.record('checkpoint', at, ms, mode),
          );
        },
        stop: () => checkpointer?.stop(),
      })
      .add({
        name: 'menu search',
        start: () =>
          this.search.start(
            {
              modelDir: config.embeddingModelDir && resolve(config.embeddingModelDir),
              timeoutMs: config.embedTimeoutMs,
              maxHeapMb: config.embedderMaxHeapMb,
              observe: (at, ms, texts) => stalls?.record('embedding', at, ms, `${texts} texts`),
            },
            () => this.menu.catalog(),
          ),
        stop: () => this.search.stop(),
      })
      .add({
        name: 'http',
        start: async () => {
          // A deep accept queue: during a connection flood (or a reconnect storm) Node's default
          // of 511 overflows, and a till's new connection then waits on SYN retransmits (1 s, 2 s,
          // 4 s…). The kernel caps it at net.core.somaxconn (4096 on current Linux).
          await this.app.listen({ port: config.port, host: config.host, backlog: 4_096 });
        },
        stop: async () => {
          const force = setTimeout(() => this.app.server.closeAllConnections(), config.shutdownTimeoutMs);
          force.unref();
          await this.app.close();
          clearTimeout(force);
        },
      })
      .add({ name: 'realtime', stop: () => this.gateway.close() })
      .add({
        name: 'printing',
        start: () => {
          this.printing.start();
          // Which stations' screens are up, for stations that print only while theirs is away.
          screens = setInterval(() => {
            this.printing
              .screens(this.gateway.kdsStations())
              .catch((err) => this.app.log.error({ err }, 'screen-away printing check failed'));
          }, 1_000);
          screens.unref();
        },
        stop: async () => {
          if (screens) clearInterval(screens);
          await this.printing.stop();
        },
      })
      .add({
        name: 'cloud sync',
        start: async () => {
          const sync = await cloudSync(config, this.store.sync, this.menu, log, now, () =>
            this.replication
              ? {
                  box: this.box,
                  epoch: this.epoch(),
                  standby: { state: this.replication.status().state, box: this.replication.status().box },
                }
              : null,
          );
          this.sync = sync;
          if (sync) {
            this.feed.subscribe(() => sync.notify());
            sync.start();
          } else
            this.app.log.info(
              'cloud sync is not configured: running standalone, every event is kept for later',
            );
        },
        stop: () => this.sync?.stop(),
      });
    if (config.stripeSecretKey) {
      const reconciliation = every(
        'card payment reconciliation',
        config.reconcileIntervalMs,
        this.app.log,
        () => this.payments.reconcile(),
      );
      this.services.add({
        ...reconciliation,
        // Payments a restart interrupted are settled at once, not at the first tick.
        start: () => {
          reconciliation.start?.();
          this.payments
            .reconcile()
            .catch((err) => this.app.log.error({ err }, 'card payment reconciliation failed'));
        },
        // Card attempts under way stop at a step reconciliation resumes from, before the committer drains.
        stop: async () => {
          await reconciliation.stop?.();
          await this.payments.stop();
        },
      });
    }
    if (config.backupIntervalMs > 0) {
      this.services.add(
        every('scheduled backups', config.backupIntervalMs, this.app.log, async () => {
          const b = await this.backups.make();
          this.app.log.info({ file: b.file, bytes: b.bytes }, 'scheduled backup made');
        }),
      );
    }
  }

  /** Loads the demo menu when the hub has none (never over a menu HQ or an operator applied). */
  /** The demo restaurant's staff, one per role a service needs; their PINs are printed at start. */
  async addDemoStaff(): Promise<{ name: string; roleId: string; pin: string }[]> {
    const demo = [
      { name: 'Maria', roleId: 'manager', pin: '1234' },
      { name: 'Sam', roleId: 'server', pin: '1111' },
      { name: 'Ana', roleId: 'server', pin: '2222' },
      { name: 'Ben', roleId: 'bartender', pin: '3333' },
    ];
    for (const s of demo) await this.staff.add(s.name, s.roleId, s.pin);
    return demo;
  }

  /** This hub's term as primary (raised by each takeover). */
  epoch(): number {
    return epochOf(this.store);
  }

  // (Declared first: fields initialise in order, and steppedDown's executor sets this one.)
  private resolveStepDown: (to: { primary: string | null; reason: string }) => void = () => {};
  /** Resolves when this hub stops being the primary: it then rejoins, as the standby of `primary`. */
  readonly steppedDown: Promise<{ primary: string | null; reason: string }> = new Promise((resolve) => {
    this.resolveStepDown = resolve;
  });
  private switching = false;
  private steppedDownOnce = false;

  private stepDown(primary: string | null, reason: string): void {
    if (this.steppedDownOnce) return;
    this.steppedDownOnce = true;
    this.app.log.warn({ primary, reason }, 'stepping down: this hub is no longer the primary');
    this.resolveStepDown({ primary, reason });
  }

  /**
   * Planned switchover: stop taking commands, let the standby confirm everything, hand it the
   * primary role, step down. Devices retry what they sent meanwhile on the new primary.
   */
  async switchover(): Promise<{ to: { box: string; url: string } }> {
    const standby = this.replication?.status();
    if (!this.replication || standby?.state !== 'in-sync')
      throw new HubError(
        'NO_STANDBY_IN_SYNC',
        `A switchover needs a standby in sync; it is ${standby?.state ?? 'none'}. Check the standby and try again.`,
        undefined,
        1,
      );
    this.switching = true;
    try {
      await this.committer.idle();
      const to = await this.replication.handOver(5_000);
      this.stepDown(to.url, 'switched over');
      return { to };
    } catch (err) {
      this.switching = false;
      throw err;
    }
  }

  private primaryReplication(store: Store, log: Logger): PrimaryReplication {
    return new PrimaryReplication(
      store,
      {
        ackTimeoutMs: this.config.standbyAckTimeoutMs,
        leaseMs: this.config.standbyLeaseMs,
        backlogMax: this.config.standbyBacklogMax,
        box: this.box,
      },
      () => epochOf(store),
      log,
      (primary) => this.stepDown(primary, 'it lost its standby and most of its devices'),
    );
  }

  async loadDemoMenuIfEmpty(): Promise<boolean> {
    if (this.menu.catalog()) return false;
    await this.menu.apply(demoMenu());
    return true;
  }

  /** Start every service; resolves with the address the hub serves on. */
  async listen(): Promise<{ port: number; host: string }> {
    await this.services.start();
    await this.staff.announceOnce();
    const address = this.app.server.address();
    const port = typeof address === 'object' && address ? address.port : this.config.port;
    return { port, host: this.config.host };
  }

  /**
   * Graceful stop: refuse new connections, tell sockets to reconnect later (1012), let in-flight
   * requests finish and their commands commit, then checkpoint the WAL and close the file.
   */
  stop(): Promise<void> {
    this.stopping ??= this.services.stop();
    return this.stopping;
  }

  syncStatus() {
    return this.sync ? this.sync.status() : standaloneStatus(this.store.sync);
  }
}
