import { statfsSync } from 'node:fs';
import type { SyncStatus } from '../../protocol/sync.ts';
import type { Store } from '../store/index.ts';

export interface ReadyCheck {
  name: 'store' | 'disk' | 'sync';
  ok: boolean;
  detail: string;
}

/**
 * Readiness: can this hub take orders right now? The store must answer and the disk must have
 * room. Sync lag is reported but never makes the hub unready: a hub whose internet is down keeps
 * serving the restaurant, which is the point of it.
 */
export function readiness(
  store: Store,
  dataDir: string,
  minFreeBytes: number,
  sync: SyncStatus,
  maxLagMs: number,
  now: number,
): ReadyCheck[] {
  const checks: ReadyCheck[] = [];
  try {
    store.ping();
    checks.push({
      name: 'store',
      ok: true,
      detail: `schema ${store.schemaVersion()}, seq ${store.events.headSeq()}`,
    });
  } catch (err) {
    checks.push({ name: 'store', ok: false, detail: `SQLite does not answer: ${(err as Error).message}` });
  }
  try {
    const fs = statfsSync(dataDir);
    const free = fs.bavail * fs.bsize;
    checks.push({
      name: 'disk',
      ok: free >= minFreeBytes,
      detail: `${Math.round(free / 1_048_576)} MB free${free < minFreeBytes ? ` (< ${Math.round(minFreeBytes / 1_048_576)} MB): free space or orders will stop` : ''}`,
    });
  } catch (err) {
    checks.push({ name: 'disk', ok: false, detail: (err as Error).message });
  }
  const lastSuccess = sync.lastSuccessAt ? Date.parse(sync.lastSuccessAt) : null;
  const lagging =
    sync.state !== 'not_configured' &&
    sync.pendingEvents > 0 &&
    (lastSuccess === null || now - lastSuccess > maxLagMs);
  checks.push({
    name: 'sync',
    ok: true,
    detail: lagging
      ? `lagging: ${sync.pendingEvents} events pending since ${sync.offlineSince ?? sync.lastSuccessAt ?? 'start'}`
      : `${sync.state}, ${sync.pendingEvents} pending`,
  });
  return checks;
}
