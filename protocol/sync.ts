import { z } from 'zod';

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
  detail: z.string(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

/** One event as it travels to the cloud (the `p_events` elements of ingest_batch). */
export const SyncEvent = z.object({
  seq: z.int(),
  type: z.string(),
  entityId: z.string(),
  at: z.string(),
  data: z.unknown(),
});
export type SyncEvent = z.infer<typeof SyncEvent>;

/** Contiguous events fromSeq..toSeq, bounded by rows and bytes. */
export interface EventBatch {
  fromSeq: number;
  toSeq: number;
  events: SyncEvent[];
  bytes: number;
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
