import type { CreateOrderBody } from '../../protocol/orders.ts';

/**
 * Orders the POS has taken but the hub has not acknowledged, kept in IndexedDB so they survive a
 * reload or a crash of the tablet. Each keeps its client id, so a replay is idempotent (the hub
 * answers 200 with the same order for an id it already has).
 */
const dbName = 'grow-pos';
const store = 'outbox';

export interface QueuedOrder {
  id: string;
  body: CreateOrderBody;
  queuedAt: string;
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
  put: (order: QueuedOrder) => run('readwrite', (s) => s.put(order)),
  remove: (id: string) => run('readwrite', (s) => s.delete(id)),
  all: async () =>
    ((await run('readonly', (s) => s.getAll())) as QueuedOrder[]).sort((a, b) =>
      a.queuedAt.localeCompare(b.queuedAt),
    ),
};
