import { z } from 'zod';

export const SyncState = z.enum(['not_configured', 'idle', 'syncing', 'backing_off', 'offline']);

export const SyncStatus = z.object({
  state: SyncState,
  pendingEvents: z.int(),
  lastSyncedSeq: z.int(),
  headSeq: z.int(),
  lastSuccessAt: z.string().nullable(),
  nextRetryAt: z.string().nullable(),
  lastError: z.string().nullable(),
  detail: z.string(),
});
export type SyncStatus = z.infer<typeof SyncStatus>;
