import type { Problem } from '../../protocol/errors.ts';

/**
 * Commands the POS has taken but the hub has not acknowledged (new checks, rounds, fires…), kept
 * in IndexedDB so they survive a reload or a crash of the tablet, and sent in the order they were
 * taken. Each keeps its client id (the check's id, or the command's), so a replay is idempotent.
 * One the hub refuses stays here, marked, until the cashier has seen it: nothing is dropped.
 */
const dbName = 'grow-pos';
const store = 'outbox';

export interface QueuedCommand {
  id: string;
  /** Where it goes: POST /api/v1/orders for a new check, /api/v1/orders/:id/<verb> for a command. */
  path: string;
  body: unknown;
  /** What the cashier calls it: "Table 12", "Table 12 · round 2". */
  label: string;
  queuedAt: string;
  /** The staff session of whoever took it: a replay is sent as them. */
  staff?: string | null;
  /** Set when the hub refused it on replay: shown until dismissed, never retried. */
  refused?: Pick<Problem, 'code' | 'detail'>;
}

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(dbName, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(store, { keyPath: 'id' });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const req = fn(tx.objectStore(store));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

export const outbox = {
  put: (command: QueuedCommand) => run('readwrite', (s) => s.put(command)),
  remove: (id: string) => run('readwrite', (s) => s.delete(id)),
  all: async () =>
    ((await run('readonly', (s) => s.getAll())) as QueuedCommand[])
      // Entries from before commands were queued are new checks.
      .map((q) => ({ ...q, path: q.path ?? '/api/v1/orders', label: q.label ?? 'Order' }))
      .sort((a, b) => a.queuedAt.localeCompare(b.queuedAt)),
};
