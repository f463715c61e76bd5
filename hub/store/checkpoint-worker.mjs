// Runs in a worker thread (plain JS so it needs no TypeScript loader): its own connection folds
// the WAL into the database file every interval, so that fsync never runs on the event loop
// inside a command's commit. PASSIVE never blocks the writer; it copies what it can.
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database(workerData.file, { timeout: workerData.busyTimeoutMs });
db.pragma('synchronous = FULL');
const timer = setInterval(() => {
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ type: 'checkpoint', ...row });
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
