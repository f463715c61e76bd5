import { Worker } from 'node:worker_threads';
import type { Db } from './db.ts';

export interface CheckpointerLog {
  warn(obj: object, msg: string): void;
}

/**
 * SQLite checkpoints the WAL automatically inside whichever commit crosses 1,000 pages, and with
 * synchronous=FULL that commit then waits for the database file's fsync: a 10–300 ms stall on the
 * event loop every few thousand orders (found by `npm run bench`, order p99 at 2,000/s). Instead
 * the writer's auto-checkpoint is turned off and a worker thread checkpoints on a timer.
 */
export class Checkpointer {
  private readonly worker: Worker;
  private stopped = false;

  constructor(db: Db, file: string, intervalMs: number, busyTimeoutMs: number, log: CheckpointerLog) {
    db.pragma('wal_autocheckpoint = 0');
    this.worker = new Worker(new URL('./checkpoint-worker.mjs', import.meta.url), {
      workerData: { file, intervalMs, busyTimeoutMs },
    });
    this.worker.unref();
    this.worker.on('message', (msg: { type: string; message?: string }) => {
      if (msg.type === 'error') log.warn({ err: msg.message }, 'WAL checkpoint failed; will retry');
    });
    this.worker.on('error', (err) => log.warn({ err }, 'checkpoint worker stopped'));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const exited = new Promise((r) => this.worker.once('exit', r));
    this.worker.postMessage('stop');
    await exited;
  }
}
