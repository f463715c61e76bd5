import type { IdSource } from '../../protocol/ids.ts';
import type { OrderLine, Ticket } from '../../protocol/orders.ts';
import type { CommandContext } from '../store/committer.ts';
import type { Store } from '../store/index.ts';
import { type CheckRow, type TicketFields, ticketOf } from '../store/orders.ts';
import { routeTickets } from './routing.ts';

type Head = Pick<CheckRow, 'id' | 'number' | 'tableLabel' | 'note' | 'orderType'>;

/**
 * What the kitchen gets from a check: tickets per station and course when lines are sent (held
 * courses as held tickets, shown as "next"), held tickets fired, voided lines struck through.
 * Every change is an event on the station's topic, in the caller's transaction.
 */
export class Kitchen {
  constructor(
    private readonly store: Store,
    private readonly newId: IdSource,
  ) {}

  /** Sends the check's unsent lines (its row exists): plan, store and announce the tickets. */
  send(ctx: CommandContext, check: Head & { lines: OrderLine[] }, hold: ReadonlySet<string>): Ticket[] {
    const tickets = this.dispatch(check, this.plan(check, hold, ctx.at));
    this.announce(ctx, tickets);
    return tickets;
  }

  /**
   * The tickets for the check's unsent lines: one per station, course and round; a course in
   * `hold` waits as a held ticket. Marks each line (in place) with its kitchen state and ticket.
   */
  plan(check: Head & { lines: OrderLine[] }, hold: ReadonlySet<string>, at: string): TicketFields[] {
    const unsent = check.lines.filter((l) => l.kitchen === 'unsent' && !l.void);
    return routeTickets(unsent).map((route) => {
      const held = route.course !== null && hold.has(route.course);
      const id = this.newId();
      for (const line of route.lines) {
        line.kitchen = held ? 'held' : 'fired';
        line.ticketId = id;
      }
      return {
        id,
        orderId: check.id,
        stationId: route.stationId,
        status: held ? 'held' : 'open',
        lines: route.lines.map((l) => ({ ...l })),
        round: route.round,
        course: route.course,
        createdAt: at,
        firedAt: held ? null : at,
        startedAt: null,
        bumpedAt: null,
      };
    });
  }

  /** Stores planned tickets (after their check's row) and returns them as devices see them. */
  dispatch(check: Head, planned: readonly TicketFields[]): Ticket[] {
    return planned.map((fields) => {
      this.store.orders.insertTicket(fields);
      return ticketOf(fields, check);
    });
  }

  announce(ctx: CommandContext, tickets: readonly Ticket[]): void {
    for (const ticket of tickets) {
      ctx.emit({
        type: 'ticket.created',
        topic: `station:${ticket.stationId}`,
        entityId: ticket.id,
        data: { ticket },
      });
    }
  }

  /** Fires the held lines of one course (marked on `lines` in place); returns how many tickets. */
  fire(ctx: CommandContext, lines: readonly OrderLine[], course: string): number {
    const ticketIds = new Set<string>();
    for (const line of lines) {
      if (line.kitchen !== 'held' || line.course !== course || line.void) continue;
      line.kitchen = 'fired';
      if (line.ticketId) ticketIds.add(line.ticketId);
    }
    for (const ticketId of ticketIds) {
      const ticket = this.store.orders.ticket(ticketId);
      if (ticket?.status !== 'held') continue;
      const fired = ticket.lines.map((l) => (l.kitchen === 'held' ? { ...l, kitchen: 'fired' as const } : l));
      this.store.orders.setTicketLines(ticketId, fired);
      this.store.orders.fireTicket(ticketId, ctx.at);
      const now = { ...ticket, lines: fired, status: 'open' as const, firedAt: ctx.at };
      ctx.emit({
        type: 'ticket.fired',
        topic: `station:${ticket.stationId}`,
        entityId: ticketId,
        data: { ticket: now },
      });
    }
    return ticketIds.size;
  }

  /**
   * Strikes voided lines on the tickets that carry them. A ticket left with nothing to cook is
   * voided whole (its printer prints VOID); otherwise the screen shows the lines struck through.
   */
  strike(ctx: CommandContext, voided: readonly OrderLine[]): void {
    const byTicket = new Map<string, OrderLine[]>();
    for (const line of voided) {
      if (!line.ticketId) continue;
      byTicket.set(line.ticketId, [...(byTicket.get(line.ticketId) ?? []), line]);
    }
    for (const [ticketId, struck] of byTicket) {
      const ticket = this.store.orders.ticket(ticketId);
      if (!ticket || ticket.status === 'voided') continue;
      const voids = new Map(struck.map((l) => [l.id, l.void]));
      const lines = ticket.lines.map((l) => (voids.has(l.id) ? { ...l, void: voids.get(l.id) ?? null } : l));
      this.store.orders.setTicketLines(ticketId, lines);
      const topic = `station:${ticket.stationId}` as const;
      if (lines.every((l) => l.void)) {
        this.store.orders.setTicket(ticketId, 'voided', ticket.startedAt, ticket.bumpedAt);
        const data = { ticketId, orderId: ticket.orderId, stationId: ticket.stationId };
        ctx.emit({ type: 'ticket.voided', topic, entityId: ticketId, data });
      } else {
        const data = { ticket: { ...ticket, lines }, lineIds: struck.map((l) => l.id) };
        ctx.emit({ type: 'ticket.lines_voided', topic, entityId: ticketId, data });
      }
    }
  }
}
