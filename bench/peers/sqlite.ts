// The peer the hub's commits are compared with: one-row transactions on raw better-sqlite3, the
// durability the hub gives each answer (WAL, synchronous=FULL). Prints transactions per second.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const seconds = Number(process.argv[2] ?? 2);
const dir = mkdtempSync(join(tmpdir(), 'grow-bench-sqlite-'));
const db = new Database(join(dir, 'raw.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE t (id TEXT PRIMARY KEY, body TEXT)');
const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
const one = db.transaction((id: string, body: string) => insert.run(id, body));
const body = JSON.stringify({
  lines: [{ itemId: 'classic-burger', qty: 2, modifiers: ['burger-well', 'add-bacon'] }],
}).repeat(4);
const t0 = performance.now();
let n = 0;
while (performance.now() - t0 < seconds * 1_000) {
  one(crypto.randomUUID(), body);
  n++;
}
process.stdout.write(`${n / ((performance.now() - t0) / 1_000)}\n`);
db.close();
rmSync(dir, { recursive: true, force: true });
