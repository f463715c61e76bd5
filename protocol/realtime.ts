import { z } from 'zod';
import { Slug } from './ids.ts';
import { Order, Ticket } from './orders.ts';

/** `/ws?since=SEQ&stations=grill,fry&token=...` (the token may also come as a Bearer header). */
export const RealtimeQuery = z.strictObject({
  since: z.coerce.number().int().min(0).default(0),
  stations: z
    .string()
    .max(500)
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(Slug).max(50))
    .optional(),
  token: z.string().max(200).optional(),
});
export type RealtimeQuery = z.infer<typeof RealtimeQuery>;

/** Control messages carry `headSeq`, never `seq`, so a client's cursor only moves on events. */
export const HelloMessage = z.object({
  type: z.literal('hello'),
  headSeq: z.int(),
  deviceId: z.string(),
  role: z.string(),
  stations: z.array(z.string()).nullable(),
});
/** Sent when replay would be too long: current state, after which events continue from `seq`. */
export const SnapshotMessage = z.object({
  type: z.literal('snapshot'),
  seq: z.int(),
  orders: z.array(Order),
  tickets: z.array(Ticket),
});
export const CaughtUpMessage = z.object({ type: z.literal('caught_up'), headSeq: z.int() });
export const PongMessage = z.object({ type: z.literal('pong') });

/** A command over the socket: same validation, roles, limits and idempotency as the HTTP route. */
export const OrderCreateCommand = z.strictObject({
  type: z.literal('order.create'),
  /** Echoed in the result so the device can match answers to requests. */
  requestId: z.string().min(1).max(64),
  /** The staff session of whoever is signed in on the till (as the X-Grow-Staff header). */
  staff: z.string().max(100).optional(),
  body: z.unknown(),
});

/** `{ type: 'command.result', requestId, status, order? , problem? }`: status as HTTP would answer. */
export const CommandResult = z.object({
  type: z.literal('command.result'),
  requestId: z.string(),
  status: z.int(),
  order: z.unknown().optional(),
  problem: z.unknown().optional(),
});

/** Commands a device may send over its socket (each also has an HTTP route). */
export const ClientCommand = z.discriminatedUnion('type', [OrderCreateCommand]);
export type ClientCommand = z.infer<typeof ClientCommand>;

export const ClientMessage = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ping') }),
  OrderCreateCommand,
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

export { CloseCode } from './close-codes.ts';
