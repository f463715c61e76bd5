import type { IdSource } from '../../protocol/ids.ts';
import type { CreateOrderBody, Order, OrderStatus, Ticket, TicketStatus } from '../../protocol/orders.ts';
import { choiceIds, priceOrder } from '../../rules/pricing.ts';
import { HubError } from '../errors.ts';
import { fingerprint, replayOf } from '../idempotency.ts';
import type { MenuService } from '../menu/service.ts';
import { holdsMoney } from '../payments/rules.ts';
import type { CommandContext, GroupCommitter } from '../store/committer.ts';
import type { Store } from '../store/index.ts';
import { ticketOf } from '../store/orders.ts';
import { canMoveOrder, moveTicket, statusFromTickets, type TicketAction } from './lifecycle.ts';
import { routeTickets } from './routing.ts';

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
    })),
    note: body.note ?? null,
    tableLabel: body.tableLabel ?? null,
    send: body.send ?? true,
  });
}

// One formatter for the process: toLocaleDateString builds a new one per call, and the first
// call's ICU set-up (15 ms) landed inside an order's transaction (`--cpu-prof`, npm run bench).
const localDay = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' });

/** The hub's local business day, for the "order #42" counter cashiers call out. */
function businessDate(at: string): string {
  return localDay.format(new Date(at));
}

export class OrderService {
  constructor(
    private readonly store: Store,
    private readonly committer: GroupCommitter,
    private readonly menu: MenuService,
    private readonly newId: IdSource,
  ) {}

  async create(body: CreateOrderBody, deviceId: string | null): Promise<CreateResult> {
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
      const priced = priceOrder(body.lines, catalog);
      if (!priced.ok) {
        throw new HubError(
          priced.code,
          priced.errors.map((e) => `${e.field}: ${e.message}`).join('; '),
          priced.errors,
        );
      }
      const date = businessDate(ctx.at);
      const order: Omit<Order, 'tickets'> = {
        id: body.id,
        number: this.store.orders.nextNumber(`order-number:${date}`),
        status: body.send === false ? 'open' : 'sent',
        currency: catalog.snapshot.currency,
        menuVersion: catalog.version,
        ...priced.order,
        note: body.note?.trim() || null,
        tableLabel: body.tableLabel?.trim() || null,
        voidReason: null,
        deviceId,
        createdAt: ctx.at,
        updatedAt: ctx.at,
      };
      this.store.orders.insert({ order, fingerprint: asked, businessDate: date });
      // Built in memory rather than read back: reading the new order twice (to route, then to
      // answer) was 10 % of the hub's CPU at saturation (`--cpu-prof`, npm run bench).
      const full: Order = { ...order, tickets: order.status === 'sent' ? this.sendTickets(ctx, order) : [] };
      ctx.emit({ type: 'order.created', topic: 'orders', entityId: order.id, data: { order: full } });
      for (const ticket of full.tickets) this.emitTicketCreated(ctx, ticket);
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
      for (const ticket of this.sendTickets(ctx, order)) this.emitTicketCreated(ctx, ticket);
      return this.get(id);
    });
  }

  complete(id: string): Promise<Order> {
    return this.committer.run((ctx) => {
      this.moveOrder(ctx, this.get(id), 'completed', null);
      return this.get(id);
    });
  }

  void(id: string, reason: string): Promise<Order> {
    return this.committer.run((ctx) => {
      const order = this.get(id);
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

  /** One ticket per station the order's lines go to, stored and returned as the store reads them. */
  private sendTickets(ctx: CommandContext, order: Omit<Order, 'tickets'>): Ticket[] {
    const rows = routeTickets(order.lines)
      .map((r) => ({
        id: this.newId(),
        orderId: order.id,
        stationId: r.stationId,
        lineNos: r.lineNos,
        createdAt: ctx.at,
      }))
      .sort((a, b) => (a.stationId < b.stationId ? -1 : a.stationId > b.stationId ? 1 : 0));
    this.store.orders.insertTickets(rows);
    return rows.map((r) =>
      ticketOf({ ...r, status: 'open', startedAt: null, bumpedAt: null }, order, order.lines),
    );
  }

  private emitTicketCreated(ctx: CommandContext, ticket: Ticket): void {
    ctx.emit({
      type: 'ticket.created',
      topic: `station:${ticket.stationId}`,
      entityId: ticket.id,
      data: { ticket },
    });
  }
}
