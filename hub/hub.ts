import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type IdSource, uuidv7Source } from '../protocol/ids.ts';
import { MenuSnapshot } from '../protocol/menu.ts';
import type { HubConfig } from './config.ts';
import { DeviceService } from './devices/service.ts';
import { demoMenu } from './menu/demo-menu.ts';
import { MenuService } from './menu/service.ts';
import { OrderService } from './orders/service.ts';
import { EventFeed } from './realtime/feed.ts';
import { RealtimeGateway } from './realtime/gateway.ts';
import { buildServer } from './server.ts';
import { GroupCommitter } from './store/committer.ts';
import { Store } from './store/index.ts';
import { hubVersion } from './version.ts';

export interface HubDeps {
  now?: () => number;
  newId?: IdSource;
}

export const dbFileName = 'hub.db';

/** Builds every part of a hub from config (the composition root: the only place that wires). */
export function openStore(config: Pick<HubConfig, 'dataDir' | 'sqliteBusyTimeoutMs'>): Store {
  return Store.open(join(resolve(config.dataDir), dbFileName), { busyTimeoutMs: config.sqliteBusyTimeoutMs });
}

export class Hub {
  readonly store: Store;
  readonly feed = new EventFeed();
  readonly committer: GroupCommitter;
  readonly menu: MenuService;
  readonly orders: OrderService;
  readonly devices: DeviceService;
  readonly app: FastifyInstance;
  readonly gateway: RealtimeGateway;
  private stopping: Promise<void> | null = null;

  constructor(
    readonly config: HubConfig,
    deps: HubDeps = {},
  ) {
    const now = deps.now ?? Date.now;
    const newId = deps.newId ?? uuidv7Source(now);
    this.store = openStore(config);
    this.committer = new GroupCommitter(
      this.store.db,
      this.store.events,
      { maxBatch: config.commitBatchMax, maxQueue: config.commitQueueMax, now },
      (events) => this.feed.publish(events),
    );
    this.menu = new MenuService(this.store, this.committer);
    this.orders = new OrderService(this.store, this.committer, this.menu, newId);
    this.devices = new DeviceService(this.store, this.committer, newId, config.pairingTtlMs);
    this.app = buildServer({
      config,
      menu: this.menu,
      orders: this.orders,
      devices: this.devices,
      status: {
        store: this.store,
        version: hubVersion,
        startedAt: now(),
        now,
        socketCounts: () => this.gateway.countsByRole(),
        commitStats: () => ({ ...this.committer.stats, pending: this.committer.pending }),
      },
    });
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
      },
      this.app.log,
    );
    this.app.server.on('upgrade', (req, socket, head) => this.gateway.handleUpgrade(req, socket, head));
  }

  /** Loads the demo menu when the hub has none (never over a menu HQ or an operator applied). */
  async loadDemoMenuIfEmpty(): Promise<boolean> {
    if (this.menu.catalog()) return false;
    await this.menu.apply(MenuSnapshot.parse(demoMenu));
    return true;
  }

  async listen(): Promise<{ port: number; host: string }> {
    await this.app.listen({ port: this.config.port, host: this.config.host });
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
      await this.gateway.close();
      await this.app.close();
      await this.committer.drain();
      clearTimeout(timer);
      this.store.checkpoint();
      this.store.close();
    })();
    return this.stopping;
  }
}
