import type { Drawer } from '../../protocol/day.ts';
import type { NewEvent } from '../../protocol/events.ts';
import type { IdSource } from '../../protocol/ids.ts';
import type { Ticket } from '../../protocol/orders.ts';
import type { Payment } from '../../protocol/payments.ts';
import type { StationPrinting } from '../../protocol/printers.ts';
import type { CommandContext } from '../store/committer.ts';
import type { Store } from '../store/index.ts';
import { drawerPage, ticketPage } from './pages.ts';

/** What routing needs to know beyond the store: station names, and whose screen is away. */
export interface RoutingContext {
  stationName: (stationId: string) => string;
  /** True when the station's screen has been away longer than the fallback threshold. */
  kdsAway: (stationId: string) => boolean;
  locale: string;
}

/**
 * Which events make paper, and where: a station's ticket (and its VOID) goes to the station's
 * printer when the station prints (always, or while its screen is away); a cash payment, a
 * drawer opened with its float, and each paid-in, paid-out, drop and no-sale open the
 * drawer on its till's receipt printer. Runs inside the transaction of the event (a committer
 * reactor), so the job commits with it or not at all.
 */
export class PrintRouter {
  /** Station routes, cached: this runs for every event, and most hubs print nothing. */
  private routes: Map<string, StationPrinting>;

  constructor(
    private readonly store: Store,
    private readonly newId: IdSource,
    private readonly context: RoutingContext,
  ) {
    this.routes = store.printing.routes();
  }

  /** Whether the station's screen is away past the threshold. */
  kdsAway(stationId: string): boolean {
    return this.context.kdsAway(stationId);
  }

  /** Call after the routes change. */
  reload(): void {
    this.routes = this.store.printing.routes();
  }

  readonly react = (event: NewEvent, ctx: CommandContext): void => {
    if (event.type === 'ticket.created') {
      const { ticket } = event.data as { ticket: Ticket };
      const route = this.printsFor(ticket.stationId);
      if (route) this.ticketJob(ticket, route.printerId, false, ctx.at);
    } else if (event.type === 'ticket.voided') {
      // Only the paper that reached the kitchen needs a VOID on paper; a screen strikes it itself.
      const { ticketId, stationId } = event.data as { ticketId: string; stationId: string };
      const route = this.routes.get(stationId);
      const ticket = this.store.orders.ticket(ticketId);
      if (route?.printerId && ticket && this.store.printing.hasTicketJob(ticketId))
        this.ticketJob(ticket, route.printerId, true, ctx.at);
    } else if (event.type === 'payment.recorded') {
      const { payment } = event.data as { payment: Payment };
      if (payment.method === 'cash' && payment.status === 'captured')
        this.kickDrawer(
          this.store.payments.deviceOf(payment.id),
          `order payment ${payment.id.slice(-6)}`,
          payment.orderId,
          ctx.at,
        );
    } else if (event.type === 'drawer.updated') {
      // Opening a drawer (the float goes in), and each paid-in, paid-out, drop or no-sale, opens
      // it on its till; a count at close does not.
      const { drawer } = event.data as { drawer: Drawer };
      const move = drawer.moves.at(-1);
      const opened = drawer.moves.length === 0 && drawer.openedAt === ctx.at;
      if (drawer.closedAt === null && (opened || move?.at === ctx.at))
        this.kickDrawer(
          drawer.deviceId,
          opened ? 'opening float' : (move?.kind.replace('_', ' ') ?? ''),
          null,
          ctx.at,
        );
    }
  };

  /** The station's route, when its tickets print now. */
  private printsFor(stationId: string): (StationPrinting & { printerId: string }) | null {
    const route = this.routes.get(stationId);
    if (!route?.printerId || route.mode === 'never') return null;
    if (route.mode === 'when_kds_offline' && !this.context.kdsAway(stationId)) return null;
    return route as StationPrinting & { printerId: string };
  }

  /** Tickets still open at a station whose screen just went away, that were not printed yet. */
  catchUp(stationId: string, ctx: CommandContext): number {
    const route = this.printsFor(stationId);
    if (!route) return 0;
    let n = 0;
    for (const status of ['open', 'started'] as const) {
      for (const ticket of this.store.orders.tickets({ station: stationId, status, limit: 500 })) {
        if (this.store.printing.hasTicketJob(ticket.id)) continue;
        this.ticketJob(ticket, route.printerId, false, ctx.at);
        n++;
      }
    }
    return n;
  }

  private ticketJob(ticket: Ticket, printerId: string, voided: boolean, at: string): void {
    const station = this.context.stationName(ticket.stationId);
    this.store.printing.insertJob({
      id: this.newId(),
      printerId,
      kind: voided ? 'void' : 'ticket',
      title: `${voided ? 'VOID ' : ''}${station} ticket #${ticket.orderNumber}${ticket.tableLabel ? ` ${ticket.tableLabel}` : ''}`,
      doc: ticketPage(ticket, station, { voided, at, locale: this.context.locale }),
      orderId: ticket.orderId,
      ticketId: ticket.id,
      stationId: ticket.stationId,
      createdAt: at,
    });
  }

  private kickDrawer(deviceId: string | null, why: string, orderId: string | null, at: string): void {
    const printerId = deviceId ? this.store.printing.tillPrinter(deviceId) : null;
    const printer = printerId ? this.store.printing.printer(printerId) : null;
    if (!printer?.cashDrawer) return;
    this.store.printing.insertJob({
      id: this.newId(),
      printerId: printer.id,
      kind: 'drawer',
      title: `Cash drawer, ${why}`,
      doc: drawerPage(),
      orderId,
      createdAt: at,
    });
  }
}
