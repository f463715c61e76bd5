import { MenuSnapshot } from '../protocol/menu.ts';
import type { SyncStorage } from '../protocol/sync.ts';
import { type PairReport, supabaseCloud } from '../sync/cloud.ts';
import { hubClaimsOf } from '../sync/credential.ts';
import { SyncEngine } from '../sync/engine.ts';
import { ConfigError, type HubConfig } from './config.ts';
import type { MenuService } from './menu/service.ts';
import type { HubLogger } from './server.ts';

/** The sync engine for this hub's cloud settings, or null when none are set (the hub runs standalone). */
export async function cloudSync(
  config: HubConfig,
  storage: SyncStorage,
  menu: MenuService,
  log: HubLogger,
  now: () => number,
  /** This box of a pair of hubs, for the heartbeat; null for a single hub. */
  pair: () => PairReport | null = () => null,
): Promise<SyncEngine | null> {
  if (!config.cloudUrl || !config.cloudAnonKey || !config.cloudHubToken) return null;
  const claims = await hubClaimsOf(config.cloudHubToken);
  if (!claims) {
    throw new ConfigError(
      'cloudHubToken (GROW_CLOUD_HUB_TOKEN) is not a hub credential: it needs role=authenticated, grow_role=hub, hub_id and restaurant_id claims.',
    );
  }
  return new SyncEngine({
    storage,
    cloud: supabaseCloud({
      url: config.cloudUrl,
      anonKey: config.cloudAnonKey,
      hubToken: config.cloudHubToken,
      timeoutMs: config.syncTimeoutMs,
    }),
    now,
    log: log.child({ module: 'sync', hubId: claims.hub_id }),
    menuVersion: () => menu.catalog()?.version ?? 0,
    currentMenu: () => menu.catalog()?.snapshot ?? null,
    applyMenu: (body) => menu.apply(MenuSnapshot.parse(body)),
    pair,
    options: {
      hubId: claims.hub_id,
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
