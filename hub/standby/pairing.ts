import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hashSecret } from '../devices/tokens.ts';
import type { Store } from '../store/index.ts';
import { removeCapture } from '../store/replication.ts';

/** What a hub keeps about its standby in hub_meta (replicated with everything else). */
export const standbyKeys = {
  /** SHA-256 of the pairing token, hex: set, a standby may follow this hub. */
  tokenHash: 'standby_token_hash',
  /** The id of this primary's change log; a standby following another log copies the database. */
  stream: 'replication_stream',
  /** The primary's term: raised by each takeover; a hub that sees a higher one is no longer primary. */
  epoch: 'epoch',
} as const;

/** The current epoch of this hub's data (1 until the first takeover). */
export const epochOf = (store: Store): number => Number(store.meta(standbyKeys.epoch) ?? '1');

/**
 * Pairs a standby: a new token (shown once) whose hash the hub keeps; the standby starts with it
 * (`grow-hub start --standby-of <this hub's URL> --standby-token <token>`). Pairing again replaces
 * the token.
 */
export function pairStandby(store: Store): { token: string } {
  const token = `ghs_${randomBytes(32).toString('base64url')}`;
  store.putMeta(standbyKeys.tokenHash, hashSecret(token).toString('hex'));
  return { token };
}

/** Forgets the standby: it can no longer follow, and this hub stops logging changes for it. */
export function unpairStandby(store: Store): void {
  store.deleteMeta(standbyKeys.tokenHash);
  removeCapture(store.db);
}

export const standbyPaired = (store: Store): boolean => store.meta(standbyKeys.tokenHash) !== null;

/** The pairing token, kept in the data dir (mode 600) on both boxes: whichever is standby shows it. */
const tokenFile = (dataDir: string) => join(dataDir, 'standby.token');

export function keepStandbyToken(dataDir: string, token: string): void {
  writeFileSync(tokenFile(dataDir), `${token}\n`, { mode: 0o600 });
}

export function readStandbyToken(dataDir: string): string | null {
  return existsSync(tokenFile(dataDir)) ? readFileSync(tokenFile(dataDir), 'utf8').trim() || null : null;
}
