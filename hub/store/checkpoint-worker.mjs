// Runs in a worker thread (plain JS so it needs no TypeScript loader): its own connection folds
// the WAL into the database file every interval, so that fsync never runs on the event loop
// inside a command's commit.
//
// PASSIVE never blocks the writer. Under a steady stream of writes the WAL is never fully
// backfilled at the moment a writer starts, so SQLite cannot wrap it and the file grows for as
// long as the stream lasts; the first pause resets it. Past `maxFrames` (a safety valve for
// pathological, sustained load) the worker asks for RESTART, which makes writers wait for it.
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
