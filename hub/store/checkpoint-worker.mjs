// Runs in a worker thread (plain JS so it needs no TypeScript loader): its own connection folds
// the WAL into the database file every interval, so that fsync never runs on the event loop
// inside a command's commit.
//
// PASSIVE never blocks the writer, but under a steady stream of writes the WAL never gets fully
// backfilled at the moment a writer starts, so SQLite never wraps it and the file keeps growing.
// Past `maxFrames` the worker asks for RESTART instead: it waits for a gap between commits
// (writers wait on it for the few milliseconds it takes) and lets the next writer start the WAL
// from the beginning. The WAL file stays bounded; pauses stay rare and short.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file, { timeout: workerData.busyTimeoutMs });
db.pragma('synchronous = FULL');
const timer = setInterval(() => {
  try {
    const started = performance.now();
    let [row] = db.pragma('wal_checkpoint(PASSIVE)');
    let mode = 'passive';
    if (row.log > workerData.maxFrames) {
      [row] = db.pragma('wal_checkpoint(RESTART)');
      mode = 'restart';
    }
    parentPort.postMessage({ type: 'checkpoint', mode, ms: Math.round(performance.now() - started), ...row });
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
