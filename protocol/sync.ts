import { z } from 'zod';
import type { StoredEvent } from './events.ts';

export const SyncState = z.enum(['not_configured', 'idle', 'syncing', 'backing_off', 'offline']);

export const SyncStatus = z.object({
  state: SyncState,
  /** When the cloud last became unreachable, while it still is. */
  offlineSince: z.string().nullable(),
  quarantinedEvents: z.int(),
  pendingEvents: z.int(),
  lastSyncedSeq: z.int(),
  headSeq: z.int(),
  lastSuccessAt: z.string().nullable(),
  nextRetryAt: z.string().nullable(),
  lastError: z.string().nullable(),
  /** Set while events the cloud refused sit in quarantine: HQ's figures miss them until repaired. */
  alarm: z.string().nullable(),
  detail: z.string(),
});

/** An event the cloud refused, kept whole on the hub for repair (GET /api/v1/sync/quarantine). */
export const QuarantinedEvent = z.object({
  seq: z.int(),
  type: z.string(),
  entityId: z.string(),
  reason: z.string(),
  quarantinedAt: z.string(),
  data: z.unknown(),
});
export type QuarantinedEvent = z.infer<typeof QuarantinedEvent>;

/** What the alarm says, for `count` quarantined events. */
export function quarantineAlarm(count: number): string | null {
  if (count === 0) return null;
  return `${count} event${count === 1 ? '' : 's'} the cloud refused ${count === 1 ? 'is' : 'are'} kept on this hub: HQ's figures miss ${count === 1 ? 'it' : 'them'} until repaired. See GET /api/v1/sync/quarantine.`;
}
export type SyncStatus = z.infer<typeof SyncStatus>;

/** Where the hub's push to the cloud stands: everything up to `syncedSeq` is in the cloud. */
export interface SyncCursor {
  syncedSeq: number;
  lastSuccessAt: string | null;
}

/**
 * Contiguous events fromSeq..toSeq read after the cursor, bounded by rows and bytes. Sent as
 * they are (`p_events`); `complete` advances the cursor once the cloud has acknowledged them.
 */
export interface EventBatch {
  fromSeq: number;
  toSeq: number;
  /** As stored: `data` stays JSON text, so a batch is sent without parsing and re-serialising it. */
  events: StoredEvent[];
  bytes: number;
  /** More events wait after this batch. */
  haveMore: boolean;
  /** The cloud holds up to `syncedSeq`: move the cursor there, never past this batch. */
  complete(syncedSeq: number, at: string): void;
}

/** The sync engine's view of the hub's store: the store implements it, the engine never sees SQL. */
export interface SyncStorage {
  headSeq(): number;
  cursor(): SyncCursor;
  batchAfter(after: number, maxEvents: number, maxBytes: number): EventBatch | null;
  /** The cloud holds less than the cursor says (a restored cloud, a gap): send from `seq` again. */
  rewind(seq: number): void;
  /** The cloud refused this event as bad data: keep it, send a tombstone in its place. */
  quarantine(seq: number, reason: string, at: string): void;
  quarantinedCount(): number;
}

/** What ingest_batch answers: the highest seq the cloud holds for this hub. */
export const IngestAck = z.object({
  synced_seq: z.coerce.number().int(),
  applied: z.int(),
  skipped: z.int(),
});
export type IngestAck = z.infer<typeof IngestAck>;

/** Claims in a hub's cloud credential (a JWT signed with the Supabase project's secret). */
export const HubClaims = z.object({
  role: z.literal('authenticated'),
  grow_role: z.literal('hub'),
  hub_id: z.uuid(),
  restaurant_id: z.uuid(),
});
export type HubClaims = z.infer<typeof HubClaims>;
