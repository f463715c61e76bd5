import type { OrderLine } from '../../protocol/orders.ts';

export interface TicketRoute {
  stationId: string;
  course: string | null;
  round: number;
  lines: OrderLine[];
}

/**
 * One ticket per station, course and round that has lines: a cook fires a course as a whole, and
 * a later round is an add-on of its own. Sorted by station, then by the order lines came in.
 */
export function routeTickets(lines: readonly OrderLine[]): TicketRoute[] {
  const routes = new Map<string, TicketRoute>();
  for (const line of lines) {
    const key = `${line.stationId}\u0000${line.course ?? ''}\u0000${line.round}`;
    const route = routes.get(key);
    if (route) route.lines.push(line);
    else
      routes.set(key, { stationId: line.stationId, course: line.course, round: line.round, lines: [line] });
  }
  return [...routes.values()].sort((a, b) =>
    a.stationId < b.stationId ? -1 : a.stationId > b.stationId ? 1 : 0,
  );
}
