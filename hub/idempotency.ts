import { createHash } from 'node:crypto';
import type { HubError } from './errors.ts';

/**
 * Invariant 2, in one place: a command carries a client-made id, and the hub keeps a digest of
 * what was asked under it. The same id with the same digest is a replay (the first result, nothing
 * written); the same id with another digest is a client bug, refused, never a silent overwrite.
 */
export function fingerprint(canonical: unknown): string {
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

/**
 * `null` when the id is new; the stored result when this is a replay; throws `conflict()` when the
 * id was used for a different request. Call it inside the command's transaction.
 */
export function replayOf<T>(
  stored: string | null,
  asked: string,
  load: () => T,
  conflict: () => HubError,
): T | null {
  if (stored === null) return null;
  if (stored !== asked) throw conflict();
  return load();
}
