import type { IdSource } from '../../protocol/ids.ts';
import type { OrderLine, Ticket } from '../../protocol/orders.ts';
import { linesAt } from '../../rules/kitchen.ts';
import type { CommandContext } from '../store/committer.ts';
import type { Store } from '../store/index.ts';
import { type CheckRow, type TicketFields, ticketOf } from '../store/orders.ts';
import { routeTickets } from './routing.ts';

type Head = Pick<CheckRow, 'id' | 'number' | 'tableLabel' | 'note' | 'orderType' | 'takenAt'>;

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
    const own = new Set(unsent);
    const routes = routeTickets(unsent).map((route) => ({
      route,
      id: this.newId(),
      held: route.course !== null && hold.has(route.course),
    }));
    // A line takes the state and ticket of its own station's ticket; its sides elsewhere follow it.
    for (const { route, id, held } of routes) {
      for (const line of route.lines) {
        if (!own.has(line)) continue;
        line.kitchen = held ? 'held' : 'fired';
        line.ticketId = id;
      }
    }
    const ids = (lines: OrderLine[]) => new Set(lines.map((l) => l.id));
    return routes.map(({ route, id, held }) => {
      const mine = ids(route.lines);
      return {
        id,
        orderId: check.id,
        stationId: route.stationId,
        status: held ? 'held' : 'open',
        // As a read of the ticket will show them: from the check's lines (rules/kitchen.ts).
        lines: unsent
          .filter((l) => mine.has(l.id))
          .flatMap((l) => linesAt(route.stationId, l))
          .map((l) => ({ ...l })),
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

  /**
   * Fires the held lines of one course (marked on `lines` in place) and every held ticket that
   * carries them, sides at other stations included; returns how many tickets fired.
   */
  fire(ctx: CommandContext, orderId: string, lines: readonly OrderLine[], course: string): number {
    const ticketIds = new Set<string>();
    for (const line of lines) {
      if (line.kitchen !== 'held' || line.course !== course || line.void) continue;
      line.kitchen = 'fired';
      if (line.ticketId) ticketIds.add(line.ticketId);
    }
    if (ticketIds.size === 0) return 0;
    const tickets = this.ticketsFor(orderId, ticketIds).filter(
      (t) => t.status === 'held' && t.course === course,
    );
    for (const ticket of tickets) {
      const fired = ticket.lines.map((l) => (l.kitchen === 'held' ? { ...l, kitchen: 'fired' as const } : l));
      this.store.orders.setTicketLines(ticket.id, fired);
      this.store.orders.fireTicket(ticket.id, ctx.at);
      const now = { ...ticket, lines: fired, status: 'open' as const, firedAt: ctx.at };
      ctx.emit({
        type: 'ticket.fired',
        topic: `station:${ticket.stationId}`,
        entityId: ticket.id,
        data: { ticket: now },
      });
    }
    return tickets.length;
  }

  /**
   * Strikes voided lines on the tickets that carry them. A ticket left with nothing to cook is
   * voided whole (its printer prints VOID); otherwise the screen shows the lines struck through.
   */
  strike(ctx: CommandContext, orderId: string, voided: readonly OrderLine[]): void {
    const ids = new Set(voided.map((l) => l.id));
    const own = new Set(voided.flatMap((l) => (l.ticketId ? [l.ticketId] : [])));
    for (const ticket of this.ticketsFor(orderId, own)) {
      const struck = voided.filter((v) => ticket.lines.some((l) => l.id === v.id));
      if (struck.length === 0 || ticket.status === 'voided') continue;
      const ticketId = ticket.id;
      const voids = new Map(struck.map((l) => [l.id, l.void]));
      const lines = ticket.lines.map((l) => (ids.has(l.id) ? { ...l, void: voids.get(l.id) ?? null } : l));
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

  /**
   * The check's tickets and those its lines name (a line moved from another check keeps its
   * ticket there): where a line and its sides at other stations are.
   */
  private ticketsFor(orderId: string, named: ReadonlySet<string>): Ticket[] {
    const tickets = new Map(this.store.orders.ticketsOf(orderId).map((t) => [t.id, t]));
    for (const id of named) {
      if (tickets.has(id)) continue;
      const ticket = this.store.orders.ticket(id);
      if (ticket) tickets.set(id, ticket);
    }
    return [...tickets.values()];
  }
}
