import { Worker } from 'node:worker_threads';
import type { Logger } from '../../protocol/logger.ts';
import type { Store } from './index.ts';

/**
 * SQLite checkpoints the WAL automatically inside whichever commit crosses 1,000 pages, and with
 * synchronous=FULL that commit then waits for the database file's fsync: a 10–300 ms stall on the
 * event loop every few thousand orders (found by `npm run bench`, order p99 at 2,000/s). Instead
 * the writer's auto-checkpoint is turned off and a worker thread checkpoints on a timer.
 */
export class Checkpointer {
  private readonly worker: Worker;
  private stopped = false;

  constructor(store: Store, intervalMs: number, busyTimeoutMs: number, log: Logger) {
    store.db.pragma('wal_autocheckpoint = 0');
    const file = store.file;
    this.worker = new Worker(new URL('./checkpoint-worker.mjs', import.meta.url), {
      // 262,144 frames of 4 kB: a RESTART (which makes writers wait) only past about 1 GB. At
      // 64 MB, tried first, writers waited up to 0.9 s at 2,000 orders/s (npm run bench); below
      // the valve the WAL simply resets at the first pause in writes after a complete checkpoint.
      workerData: { file, intervalMs, busyTimeoutMs, maxFrames: 262_144 },
    });
    this.worker.unref();
    this.worker.on(
      'message',
      (msg: {
        type: string;
        mode?: string;
        message?: string;
        log?: number;
        checkpointed?: number;
        ms?: number;
      }) => {
        if (msg.type === 'error') log.warn({ err: msg.message }, 'WAL checkpoint failed; will retry');
        else
          log.debug(
            { mode: msg.mode, frames: msg.log, checkpointed: msg.checkpointed, ms: msg.ms },
            'WAL checkpoint',
          );
      },
    );
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
