import type { IdSource } from '../../protocol/ids.ts';
import type { CreateOrderBody, Order, OrderStatus, Ticket, TicketStatus } from '../../protocol/orders.ts';
import { money } from '../../rules/money.ts';
import type { Caller } from '../../rules/permissions.ts';
import { choiceIds, priceOrder } from '../../rules/pricing.ts';
import { HubError } from '../errors.ts';
import { fingerprint, replayOf } from '../idempotency.ts';
import type { MenuService } from '../menu/service.ts';
import { balance, holdsMoney } from '../payments/rules.ts';
import { recordAudit } from '../staff/audit.ts';
import type { CommandContext, GroupCommitter } from '../store/committer.ts';
import type { Store } from '../store/index.ts';
import type { CheckRow } from '../store/orders.ts';
import type { BusinessDay } from './business-day.ts';
import type { Kitchen } from './kitchen.ts';
import { canMoveOrder, moveTicket, statusFromTickets, type TicketAction } from './lifecycle.ts';
import type { ServiceSetup } from './setup.ts';

export interface CreateResult {
  order: Order;
  created: boolean;
}

/** What the device asked for, canonically (hub/idempotency.ts): defaults filled, modifiers as ids. */
function orderFingerprint(body: CreateOrderBody): string {
  return fingerprint({
    id: body.id,
    lines: body.lines.map((l) => ({
      itemId: l.itemId,
      qty: l.qty,
      modifiers: choiceIds(l),
      note: l.note ?? null,
      seat: l.seat ?? null,
      course: l.course ?? null,
    })),
    note: body.note ?? null,
    tableLabel: body.tableLabel ?? null,
    send: body.send ?? true,
    orderType: body.orderType ?? null,
    tableId: body.tableId ?? null,
    guests: body.guests ?? null,
    hold: body.hold ?? [],
    takenAt: body.takenAt ?? null,
  });
}

/**
 * When the cashier sent an order that waited in a till's queue: kept when it is before the hub
 * got it (by more than clock jitter) and within a day; a till's clock far off is not trusted.
 */
function queuedSince(takenAt: string | undefined, at: string): string | null {
  if (!takenAt) return null;
  const waited = Date.parse(at) - Date.parse(takenAt);
  return waited > 2_000 && waited < 86_400_000 ? new Date(Date.parse(takenAt)).toISOString() : null;
}

export class OrderService {
  /** Runs in a bump's transaction once the ticket is bumped (the check service's auto-fire). */
  afterBump: (ctx: CommandContext, orderId: string) => void = () => {};

  constructor(
    private readonly store: Store,
    private readonly committer: GroupCommitter,
    private readonly menu: MenuService,
    private readonly setup: ServiceSetup,
    private readonly day: BusinessDay,
    private readonly kitchen: Kitchen,
    private readonly newId: IdSource,
  ) {}

  async create(body: CreateOrderBody, caller: Caller): Promise<CreateResult> {
    const asked = orderFingerprint(body);
    return this.committer.run((ctx) => {
      const replay = replayOf(
        this.store.orders.fingerprintOf(body.id),
        asked,
        () => this.store.orders.get(body.id)!,
        () =>
          new HubError(
            'ORDER_ID_REUSED',
            `Order ${body.id} exists with different contents. Make a new id (UUIDv7) for a new order; resend the identical body to retry.`,
            [{ field: 'id', message: 'already used for a different order' }],
          ),
      );
      if (replay) return { order: replay, created: false };
      const catalog = this.menu.requireCatalog();
      const table = body.tableId ? this.setup.table(body.tableId) : null;
      const priced = priceOrder(body.lines, catalog, {
        round: 1,
        firstLineNo: 1,
        lineId: () => this.newId(),
      });
      if (!priced.ok) {
        throw new HubError(
          priced.code,
          priced.errors.map((e) => `${e.field}: ${e.message}`).join('; '),
          priced.errors,
        );
      }
      // The business day (its Z, and the "order #42" counter cashiers call out).
      const date = this.day.dateOf(ctx.at);
      const order: CheckRow = {
        id: body.id,
        number: this.store.orders.nextNumber(`order-number:${date}`),
        status: body.send === false ? 'open' : 'sent',
        version: 1,
        orderType: body.orderType ?? (body.tableId ? 'dine_in' : body.tableLabel ? 'dine_in' : 'takeout'),
        tableId: table?.id ?? null,
        guests: body.guests ?? null,
        currency: catalog.snapshot.currency,
        menuVersion: catalog.version,
        discountsApplied: [],
        fixedTaxes: null,
        ...priced.order,
        note: body.note?.trim() || null,
        tableLabel: table ? `Table ${table.name}` : body.tableLabel?.trim() || null,
        voidReason: null,
        takenAt: queuedSince(body.takenAt, ctx.at),
        deviceId: caller.device.id,
        server: caller.staff?.ref ?? null,
        createdAt: ctx.at,
        updatedAt: ctx.at,
      };
      // Ticket ids first: sending marks each line with its kitchen state and ticket.
      const hold = new Set(body.hold);
      const planned = order.status === 'sent' ? this.kitchen.plan(order, hold, ctx.at) : [];
      this.store.orders.insert({ order, fingerprint: asked, businessDate: date });
      const tickets = this.kitchen.dispatch(order, planned);
      // Built in memory rather than read back: reading the new order twice (to route, then to
      // answer) was 10 % of the hub's CPU at saturation (`--cpu-prof`, npm run bench).
      const { fixedTaxes: _, ...fields } = order;
      const full: Order = { ...fields, tickets };
      // The event carries the check without its tickets: each ticket has its own event, to its
      // station, and writing them twice was the largest part of an order's JSON (callgrind).
      ctx.emit({
        type: 'order.created',
        topic: 'orders',
        entityId: order.id,
        data: { order: { ...fields, tickets: [] } },
      });
      this.kitchen.announce(ctx, tickets);
      return { order: full, created: true };
    });
  }

  get(id: string): Order {
    const order = this.store.orders.get(id);
    if (!order) throw new HubError('ORDER_NOT_FOUND', `No order ${id} on this hub.`);
    return order;
  }

  recent(limit: number, status?: OrderStatus): Order[] {
    return this.store.orders.recent(limit, status);
  }

  tickets(filter: { station?: string; status?: TicketStatus; limit: number }): Ticket[] {
    return this.store.orders.tickets(filter);
  }

  /** Orders still on the floor (not completed or voided), oldest first. */
  active(limit: number): Order[] {
    return this.store.orders.active(limit);
  }

  /** Send an open order (a tab) to the kitchen. */
  send(id: string): Promise<Order> {
    return this.committer.run((ctx) => {
      const order = this.get(id);
      this.moveOrder(ctx, order, 'sent', null);
      const row = this.store.orders.getRow(id)!;
      const tickets = this.kitchen.send(ctx, row, new Set());
      // The lines now carry their kitchen state and ticket (the version already moved with the status).
      this.store.orders.save({ ...row, updatedAt: ctx.at });
      if (tickets.length > 0) {
        ctx.emit({
          type: 'order.updated',
          topic: 'orders',
          entityId: id,
          data: { change: 'send', order: this.get(id) },
        });
      }
      return this.get(id);
    });
  }

  /** Closes a check: only once it is paid in full (a check with nothing on it closes as it is). */
  complete(id: string): Promise<Order> {
    return this.committer.run((ctx) => {
      const order = this.get(id);
      const { due } = balance(order.total, this.store.payments.forOrder(id));
      if (due > 0 && order.status !== 'completed' && order.status !== 'voided') {
        throw new HubError(
          'ORDER_UNPAID',
          `Check #${order.number} still owes ${money(due, order.currency)}: take payment first, or void the check if the guest is not paying.`,
        );
      }
      this.moveOrder(ctx, order, 'completed', null);
      return this.get(id);
    });
  }

  /** A whole check voided (the admin page's device only), audited with its reason. */
  void(id: string, reason: string, caller: Caller): Promise<Order> {
    return this.committer.run((ctx) => {
      const order = this.get(id);
      // A closed check is refused as closed (refund it), before any word about its payments.
      if (!canMoveOrder(order.status, 'voided')) this.moveOrder(ctx, order, 'voided', reason);
      const paid = this.store.payments.forOrder(id).filter(holdsMoney);
      if (paid.length > 0) {
        throw new HubError(
          'ORDER_HAS_PAYMENTS',
          `Order ${order.number} has ${paid.length} payment${paid.length === 1 ? '' : 's'} holding money (${paid.map((p) => `${p.method} ${p.status}`).join(', ')}): refund or cancel ${paid.length === 1 ? 'it' : 'them'} first, then void.`,
        );
      }
      this.moveOrder(ctx, order, 'voided', reason);
      for (const t of order.tickets) {
        if (t.status === 'voided') continue;
        this.store.orders.setTicket(t.id, 'voided', t.startedAt, t.bumpedAt);
        const data = { ticketId: t.id, orderId: id, stationId: t.stationId };
        ctx.emit({ type: 'ticket.voided', topic: `station:${t.stationId}`, entityId: t.id, data });
      }
      recordAudit(ctx, this.store, caller, {
        action: 'void',
        orderId: id,
        reason,
        detail: `Check #${order.number}: voided whole (${money(order.total, order.currency)})`,
        amount: order.gross,
      });
      return this.get(id);
    });
  }

  /** A KDS action on one ticket; the order's status follows its tickets (lifecycle.ts). */
  ticketAction(ticketId: string, action: Exclude<TicketAction, 'void'>): Promise<Ticket> {
    return this.committer.run((ctx) => {
      const ticket = this.store.orders.ticket(ticketId);
      if (!ticket) throw new HubError('TICKET_NOT_FOUND', `No ticket ${ticketId} on this hub.`);
      const next = moveTicket(ticket.status, action);
      if (next === null) {
        throw new HubError(
          'ILLEGAL_TRANSITION',
          `A ${ticket.status} ticket cannot be ${action === 'bump' ? 'bumped' : `${action}ed`}.`,
        );
      }
      const startedAt = action === 'start' ? ctx.at : action === 'recall' ? null : ticket.startedAt;
      const bumpedAt = action === 'bump' ? ctx.at : action === 'recall' ? null : ticket.bumpedAt;
      this.store.orders.setTicket(ticketId, next, startedAt, bumpedAt);
      const type =
        action === 'start' ? 'ticket.started' : action === 'bump' ? 'ticket.bumped' : 'ticket.recalled';
      const data = { ticketId, orderId: ticket.orderId, stationId: ticket.stationId };
      ctx.emit({ type, topic: `station:${ticket.stationId}`, entityId: ticketId, data });
      const order = this.get(ticket.orderId);
      const derived = statusFromTickets(
        order.status,
        order.tickets.map((t) => t.status),
      );
      if (derived !== order.status) this.moveOrder(ctx, order, derived, null);
      if (action === 'bump') this.afterBump(ctx, ticket.orderId);
      return this.store.orders.ticket(ticketId)!;
    });
  }

  private moveOrder(ctx: CommandContext, order: Order, to: OrderStatus, reason: string | null): void {
    if (!canMoveOrder(order.status, to)) {
      throw new HubError(
        'ILLEGAL_TRANSITION',
        `Order ${order.number} is ${order.status}; it cannot become ${to}.`,
      );
    }
    this.store.orders.setStatus(order.id, to, ctx.at, to === 'voided' ? reason : null);
    ctx.emit({
      type: 'order.status_changed',
      topic: 'orders',
      entityId: order.id,
      data: { orderId: order.id, from: order.status, to, reason },
    });
  }
}
