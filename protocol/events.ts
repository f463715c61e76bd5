import { z } from 'zod';
import { AuditRecord } from './audit.ts';
import { BusinessDate, Checkout, Drawer, Punch, ZReport } from './day.ts';
import { Slug, Uuid } from './ids.ts';
import { Order, OrderStatus, Ticket } from './orders.ts';
import { Payment } from './payments.ts';
import { StaffMember, StaffRef } from './staff.ts';

/**
 * The event log's vocabulary (invariant 3, docs/architecture.md). Every state change appends one of these in
 * the same transaction; the log drives WebSocket fan-out, device resume, cloud sync and audit.
 */
export const EventData = {
  'order.created': z.object({ order: Order }),
  'order.status_changed': z.object({
    orderId: Uuid,
    from: OrderStatus,
    to: OrderStatus,
    reason: z.string().nullable(),
  }),
  /** Any change to a check after it was created (a round, a fire, a void…): the check as it is now. */
  'order.updated': z.object({
    change: z.string(),
    order: Order,
    /** Who made the change: the staff member signed in on the till (null for a device alone). */
    by: StaffRef.nullable().default(null),
  }),
  'ticket.created': z.object({ ticket: Ticket }),
  /** A held course went to the kitchen: the ticket is cookable now. */
  'ticket.fired': z.object({ ticket: Ticket }),
  /** Lines voided after the kitchen had them: shown struck through. */
  'ticket.lines_voided': z.object({ ticket: Ticket, lineIds: z.array(Uuid) }),
  'ticket.started': z.object({ ticketId: Uuid, orderId: Uuid, stationId: Slug }),
  'ticket.bumped': z.object({ ticketId: Uuid, orderId: Uuid, stationId: Slug }),
  'ticket.recalled': z.object({ ticketId: Uuid, orderId: Uuid, stationId: Slug }),
  'ticket.voided': z.object({ ticketId: Uuid, orderId: Uuid, stationId: Slug }),
  'payment.recorded': z.object({ payment: Payment }),
  'payment.updated': z.object({ payment: Payment }),
  /**
   * A manager changed the floor plan, the discount list or the service settings; for the service
   * settings, the business day's start too, which the cloud's business days follow.
   */
  'settings.changed': z.object({ key: z.string(), dayStartsAt: z.string().optional() }),
  'menu.applied': z.object({ version: z.int(), itemCount: z.int() }),
  'item.availability_changed': z.object({ itemId: Slug, available: z.boolean() }),
  /** A sensitive action for the audit trail (docs/staff.md). */
  'audit.recorded': z.object({ audit: AuditRecord }),
  /** A staff member added or changed (never their PIN or its hash). */
  'staff.updated': z.object({ staff: StaffMember }),
  /** A shift as it now is: clocked in, a break, clocked out, or edited by a manager. */
  'punch.recorded': z.object({ punch: Punch, businessDate: BusinessDate }),
  /** A cash drawer session as it now is: opened, a paid-in/out, a drop, a no-sale, closed. */
  'drawer.updated': z.object({ drawer: Drawer }),
  /** A server's end-of-shift checkout. */
  'checkout.recorded': z.object({ checkout: Checkout }),
  /** A business day closed: its Z report, numbered and frozen. */
  'day.closed': z.object({ z: ZReport }),
} as const;

export type EventType = keyof typeof EventData;
export type EventPayload<T extends EventType> = z.infer<(typeof EventData)[T]>;

/**
 * Who receives an event: `orders` (POS, manager, expo), `menu` (every device), `staff` (POS and
 * manager: sign-ins, the audit trail),
 * `station:<id>` (that station's KDS, plus devices that watch all stations).
 */
export type Topic = 'orders' | 'menu' | 'staff' | `station:${string}`;

export interface NewEvent<T extends EventType = EventType> {
  type: T;
  topic: Topic;
  entityId: string;
  data: EventPayload<T>;
}

/**
 * An event as it leaves the hub: on every device's socket and in every batch to the cloud, one
 * shape. (In SQLite it is a row whose `data` stays JSON text, so fan-out never re-serialises it.)
 */
export const HubEvent = z.object({
  seq: z.int().min(1),
  type: z.string(),
  topic: z.string(),
  entityId: z.string(),
  at: z.string(),
  data: z.unknown(),
});
export type HubEvent = z.infer<typeof HubEvent>;

/** An event as the hub stores it: the wire shape with `data` kept as the JSON text it was stored as. */
export type StoredEvent = Omit<HubEvent, 'data'> & { data: string };

/**
 * The wire form of a HubEvent, built from its stored text without parse and stringify: what
 * devices receive on their sockets and what the cloud receives in a batch.
 */
export function eventWire(e: StoredEvent): string {
  return `{"type":${JSON.stringify(e.type)},"seq":${e.seq},"at":"${e.at}","topic":${JSON.stringify(e.topic)},"entityId":${JSON.stringify(e.entityId)},"data":${e.data}}`;
}
