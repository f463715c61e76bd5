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

  constructor(
    store: Store,
    intervalMs: number,
    busyTimeoutMs: number,
    log: Logger,
    /** Each checkpoint: its start (epoch ms), duration and mode, for the stall trace. */
    observe: (at: number, ms: number, mode: string) => void = () => {},
  ) {
    store.db.pragma('wal_autocheckpoint = 0');
    const file = store.file;
    this.worker = new Worker(new URL('./checkpoint-worker.mjs', import.meta.url), {
      // 4,096 frames of 4 kB: past 16 MB the worker rewinds the WAL (see checkpoint-worker.mjs),
      // so under sustained load it stays about one interval's worth of writes long.
      workerData: { file, intervalMs, busyTimeoutMs, restartFrames: 4_096 },
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
        at?: number;
      }) => {
        if (msg.type === 'checkpoint') observe(msg.at ?? 0, msg.ms ?? 0, msg.mode ?? '');
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
    // A worker held in a checkpoint (waiting on a lock) must not hold the shutdown: after a few
    // seconds it is ended; the next start checkpoints what it left.
    const late = setTimeout(() => void this.worker.terminate(), 3_000);
    await exited;
    clearTimeout(late);
  }
}
