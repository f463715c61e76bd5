import type { StoredEvent } from '../../protocol/events.ts';
import type { IdSource } from '../../protocol/ids.ts';
import { type CommitterOptions, GroupCommitter } from './committer.ts';
import { Store } from './index.ts';
import { WalSync } from './wal-sync.ts';

/**
 * Durability, stated once (invariant 4: an answer means its writes are on disk).
 *
 * The hub opens its database as the *writer*: every write goes through the GroupCommitter, and
 * the connection runs at synchronous=NORMAL, so COMMIT only hands the WAL to the OS; the committer
 * answers (and publishes the events) only after WalSync has fdatasync'd the WAL past that COMMIT,
 * off the event loop. Tools that edit the file beside a running hub (the CLI) open it with
 * `openToolStore`: synchronous=FULL, so their COMMIT itself reaches the disk.
 *
 * Writes that skip the committer, and why each may:
 * - schema migrations and the hub's id: made while opening, still at synchronous=FULL;
 * - the sync cursor (store/sync.ts): a lost advance after a crash resends a batch that the
 *   cloud skips as a replay;
 * - the search index (menu_fts, item_embeddings): derived from the menu and rebuilt at start.
 */
export interface Writer {
  store: Store;
  committer: GroupCommitter;
  /** This hub's id, made on its first start. */
  hubId: string;
  /** Wait for the last flush, then release the WAL file; the committer must have drained. */
  closeFlusher(): Promise<void>;
}

export interface WriterOptions extends Omit<CommitterOptions, 'durable'> {
  busyTimeoutMs: number;
  newId: IdSource;
  /** Seconds each WAL fdatasync took, for the metrics. */
  observeFlush?: (seconds: number) => void;
  onCommitted: (events: StoredEvent[]) => void;
  /**
   * Right after each COMMIT: a promise the answer also waits for (a standby holding the commit:
   * hub/standby/primary.ts), or null.
   */
  afterCommit?: () => Promise<void> | null;
}

export function openWriter(file: string, options: WriterOptions): Writer {
  const store = Store.open(file, { busyTimeoutMs: options.busyTimeoutMs });
  let hubId = store.meta('hub_id');
  if (hubId === null) {
    hubId = options.newId();
    store.putMeta('hub_id', hubId);
  }
  store.db.pragma('synchronous = NORMAL');
  const walSync = new WalSync(`${file}-wal`, options.observeFlush);
  const committer = new GroupCommitter(
    store.db,
    store.events,
    {
      ...options,
      durable: () => {
        // Ship before the flush starts: the standby's disk and this one's work at the same time.
        const held = options.afterCommit?.() ?? null;
        const flushed = walSync.sync();
        return held ? Promise.all([flushed, held]).then(() => {}) : flushed;
      },
    },
    options.onCommitted,
  );
  return { store, committer, hubId, closeFlusher: () => walSync.close() };
}

/** For a command-line tool beside (or instead of) the hub: each commit flushes on its own. */
export function openToolStore(
  file: string,
  busyTimeoutMs: number,
): { store: Store; committer: GroupCommitter } {
  const store = Store.open(file, { busyTimeoutMs });
  const committer = new GroupCommitter(
    store.db,
    store.events,
    { maxBatch: 1, maxQueue: 16, now: Date.now },
    () => {},
  );
  return { store, committer };
}
