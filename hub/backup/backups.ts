import { copyFileSync, existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { inspectFile, makeStandalone, privateDir, privateFile, raiseSeqFloor } from '../store/files.ts';
import type { Store } from '../store/index.ts';
import { latestSchemaVersion } from '../store/migrations.ts';

export interface BackupInfo {
  file: string;
  bytes: number;
  at: string;
}

const pattern = /^hub-(\d{8}T\d{6}(?:\d{3})?Z)\.db$/;

function backupsDir(dataDir: string): string {
  return join(dataDir, 'backups');
}

export function listBackups(dataDir: string): BackupInfo[] {
  const dir = backupsDir(dataDir);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => pattern.test(f))
    .sort()
    .reverse()
    .map((f) => {
      const stamp = pattern.exec(f)![1]!;
      const at = `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`;
      return { file: join(dir, f), bytes: statSync(join(dir, f)).size, at };
    });
}

/**
 * An online backup (SQLite's backup API: a consistent copy while the hub keeps writing), checked
 * with integrity_check before it takes its final name, then rotation keeps the newest `keep`.
 */
export async function makeBackup(
  store: Store,
  dataDir: string,
  keep: number,
  now = Date.now(),
): Promise<BackupInfo> {
  const dir = backupsDir(dataDir);
  privateDir(dir);
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace('.', '');
  const final = join(dir, `hub-${stamp}.db`);
  const partial = `${final}.partial`;
  privateFile(partial); // the copy holds token and PIN hashes: readable by the hub's user only
  try {
    await store.backupTo(partial);
    makeStandalone(partial);
    const { integrity } = inspectFile(partial);
    if (integrity !== 'ok')
      throw new Error(`backup failed its integrity check (${integrity}); the previous backups are kept`);
    renameSync(partial, final);
  } finally {
    removeLeftovers(dir);
  }
  for (const old of listBackups(dataDir).slice(keep)) rmSync(old.file, { force: true });
  return { file: final, bytes: statSync(final).size, at: new Date(now).toISOString() };
}

/** What a failed or interrupted backup leaves: partial copies and SQLite's side files. */
function removeLeftovers(dir: string): void {
  for (const name of readdirSync(dir)) {
    if (
      name.includes('.partial') ||
      name.endsWith('-wal') ||
      name.endsWith('-shm') ||
      name.endsWith('-journal')
    )
      rmSync(join(dir, name), { force: true });
  }
}

export class RestoreError extends Error {}

/**
 * Replace the hub's database with a backup. The hub must be stopped. The backup is checked first;
 * the current database is kept beside it (never deleted). New events continue above the highest
 * seq the replaced database had reached, so nothing the cloud already holds is reused.
 */
export function restoreBackup(
  dataDir: string,
  backupFile: string,
  now = Date.now(),
): { replacedBy: string; keptAs: string | null; seqFloor: number } {
  if (!existsSync(backupFile))
    throw new RestoreError(`No backup at ${backupFile}. List them with: ls ${backupsDir(dataDir)}`);
  let checked: ReturnType<typeof inspectFile>;
  try {
    checked = inspectFile(backupFile);
  } catch (err) {
    throw new RestoreError(
      `${basename(backupFile)} is not a readable SQLite database: ${(err as Error).message}`,
    );
  }
  if (checked.integrity !== 'ok')
    throw new RestoreError(`${basename(backupFile)} fails integrity_check: ${checked.integrity}`);
  if (checked.schemaVersion > latestSchemaVersion) {
    throw new RestoreError(
      `${basename(backupFile)} has schema ${checked.schemaVersion}, newer than this hub knows (${latestSchemaVersion}).`,
    );
  }
  const db = join(dataDir, 'hub.db');
  let keptAs: string | null = null;
  let seqFloor = 0;
  if (existsSync(db)) {
    try {
      seqFloor = inspectFile(db).headSeq;
    } catch {
      // a corrupt current database is the usual reason to restore; its seq is then unknown
    }
    keptAs = `${db}.replaced-${new Date(now).toISOString().replace(/[-:.]/g, '')}`;
    renameSync(db, keptAs);
    for (const side of ['-wal', '-shm']) if (existsSync(db + side)) renameSync(db + side, keptAs + side);
  }
  copyFileSync(backupFile, db);
  raiseSeqFloor(db, seqFloor);
  return { replacedBy: backupFile, keptAs, seqFloor };
}
