import { type FileHandle, open } from 'node:fs/promises';

/**
 * Makes committed WAL frames durable off the event loop. The hub's writer runs with
 * synchronous=NORMAL, so COMMIT only writes the WAL (into the OS cache); the group committer then
 * answers a batch only after `sync()` resolves, i.e. after an fdatasync of the WAL that began
 * after the batch's COMMIT returned. The disk flush runs on libuv's thread pool, so the event loop
 * reads requests and runs the next batch meanwhile. With synchronous=FULL the flush ran inside
 * COMMIT on the event loop: a quarter of its time at 2,000 orders/s (`--cpu-prof`, npm run bench).
 *
 * Calls that arrive while a flush runs share the next one: one fdatasync per round, however many
 * batches committed during the last.
 */
export class WalSync {
  private file: Promise<FileHandle> | null = null;
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  /** Flushes done, for status and tests. */
  syncs = 0;

  constructor(
    private readonly walPath: string,
    /** Seconds each fdatasync took: every answer waits for one, so this is the disk's share of latency. */
    private readonly observe: (seconds: number) => void = () => {},
  ) {}

  /** Resolves once everything written to the WAL before this call is on disk. */
  sync(): Promise<void> {
    if (this.running === null) return this.begin();
    // The running flush may have started before our frames were written: take the next one.
    this.queued ??= this.running
      .catch(() => {}) // the running flush's failure is its own callers' to hear; ours is a new flush
      .then(() => {
        this.queued = null;
        return this.begin();
      });
    return this.queued;
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.running, this.queued]);
    const file = this.file;
    this.file = null;
    if (file) await (await file).close();
  }

  private begin(): Promise<void> {
    const run: Promise<void> = this.flush().finally(() => {
      if (this.running === run) this.running = null;
    });
    this.running = run;
    return run;
  }

  private async flush(): Promise<void> {
    // fsync applies to the file, not the descriptor: SQLite's writes through its own are covered.
    try {
      this.file ??= open(this.walPath, 'r');
      const file = await this.file;
      const started = performance.now();
      await file.datasync();
      this.observe((performance.now() - started) / 1_000);
      this.syncs++;
    } catch (err) {
      this.file = null; // reopen on the next call rather than fail forever
      throw err;
    }
  }
}
