// Runs in a worker thread (plain JS so it needs no TypeScript loader): its own connection folds
// the WAL into the database file every interval, so that fsync never runs on the event loop
// inside a command's commit.
//
// PASSIVE never blocks the writer, but under a steady stream of writes it alone never lets the
// WAL start over: SQLite rewinds the WAL only when a writer begins while every frame is already
// copied back, and new frames arrive during each pass. The file then grows for as long as the
// stream lasts (1 GB in 14 s at 2,000 orders/s, `npm run bench -- --only stalls`), and every
// fdatasync of a growing file also writes its new size. So once the WAL passes `restartFrames`,
// PASSIVE passes copy until only a few frames are left, and then a RESTART (which holds writers
// back while it copies those and syncs the database file) makes the next writer rewind the WAL.
// With a handful of frames left that hold is short: the longest commit at 2,000 orders/s went
// from 80 ms (a RESTART of the whole grown WAL) to 20 ms; a RESTART of a 64 MB WAL held writers
// for 0.9 s (tried first).
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

// On Linux a priority set with pid 0 applies to the calling thread only: this one. The worker
// then yields the core to the event loop whenever both want it (on a one-core placement it took
// up to half the core for 30 ms each second, and requests queued behind it); it still runs in
// every idle moment, and a RESTART holding writers back gets the core because they sleep.
try {
  setPriority(0, 19);
} catch {
  // not permitted here (or not Linux): checkpoints run at normal priority
}

const db = new Database(workerData.file, { timeout: workerData.busyTimeoutMs });
db.pragma('synchronous = FULL');

/** Frames still to copy back after a pass, below which a RESTART is cheap. */
const FEW_FRAMES = 256;
const MAX_PASSES = 4;

const timer = setInterval(() => {
  try {
    const started = performance.now();
    let [row] = db.pragma('wal_checkpoint(PASSIVE)');
    let mode = 'passive';
    if (row.log > workerData.restartFrames) {
      for (let pass = 1; pass < MAX_PASSES && row.log - row.checkpointed > FEW_FRAMES; pass++)
        [row] = db.pragma('wal_checkpoint(PASSIVE)');
      [row] = db.pragma('wal_checkpoint(RESTART)');
      mode = 'restart';
    }
    const ms = performance.now() - started;
    parentPort.postMessage({ type: 'checkpoint', mode, ms, at: performance.timeOrigin + started, ...row });
  } catch (err) {
    parentPort.postMessage({ type: 'error', message: err.message });
  }
}, workerData.intervalMs);

parentPort.on('message', (msg) => {
  if (msg === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
