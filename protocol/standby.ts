import { z } from 'zod';

/**
 * What a primary hub and its standby say to each other on `/replication` (a WebSocket the standby
 * opens, showing its pairing token). JSON text frames; one binary frame follows a `snapshot`.
 * docs/operations.md, "A standby hub".
 */

/** A row change as the primary's log holds it (hub/store/replication.ts). */
export const RowChange = z.object({
  id: z.int(),
  tbl: z.string(),
  op: z.enum(['insert', 'update', 'delete']),
  rid: z.int(),
  row: z.string().nullable(),
});
export type RowChange = z.infer<typeof RowChange>;

export const StandbyHello = z.object({
  type: z.literal('hello'),
  /** The primary log the standby's copy follows, and the last change it holds; null: none yet. */
  stream: z.string().nullable(),
  position: z.int().min(0),
  /** The epoch the standby's copy was written under. */
  epoch: z.int().min(0),
  box: z.string(),
  /** Where devices reach the standby (its own URL), for the primary to tell them. */
  url: z.string(),
});

export const StandbyAck = z.object({ type: z.literal('ack'), to: z.int().min(0) });

export const FromStandby = z.discriminatedUnion('type', [StandbyHello, StandbyAck]);
export type FromStandby = z.infer<typeof FromStandby>;

export const FromPrimary = z.discriminatedUnion('type', [
  /** The whole database follows as one binary frame; it holds the log up to `position`. */
  z.object({ type: z.literal('snapshot'), stream: z.string(), position: z.int(), bytes: z.int() }),
  z.object({ type: z.literal('changes'), stream: z.string(), to: z.int(), changes: z.array(RowChange) }),
  /**
   * The primary is alive and primary until `ttlMs` from now, at `epoch`; `head` is its log's last
   * change, so a standby holding it holds everything the primary acknowledged.
   */
  z.object({
    type: z.literal('lease'),
    epoch: z.int(),
    ttlMs: z.int(),
    head: z.int(),
    box: z.string(),
    /** The primary waits for the standby (false: it answers alone, so the standby lacks some). */
    inSync: z.boolean(),
    /** Devices that sent the primary anything lately: the standby takes over only with most of them. */
    devices: z.int().min(0),
  }),
  /** Planned switchover: everything is shipped and acknowledged; take over now, at `epoch` + 1. */
  z.object({ type: z.literal('handover'), epoch: z.int(), head: z.int() }),
]);
export type FromPrimary = z.infer<typeof FromPrimary>;

/** Where a standby stands, as status and the primary report it. */
export const StandbyState = z.enum([
  /** No standby paired. */
  'none',
  /** Paired, not connected. */
  'away',
  /** Connected, receiving what it missed (or a copy of the whole database). */
  'catching-up',
  /** Holds every commit before it is acknowledged. */
  'in-sync',
  /** Did not confirm a commit in time: the primary answers without it until it catches up. */
  'lagging',
]);
export type StandbyState = z.infer<typeof StandbyState>;
