import type { OrderLine } from '../../protocol/orders.ts';
import { linesAt, stationsOf } from '../../rules/kitchen.ts';

export interface TicketRoute {
  stationId: string;
  course: string | null;
  round: number;
  lines: OrderLine[];
}

/**
 * One ticket per station, course and round that has lines: a cook fires a course as a whole, and
 * a later round is an add-on of its own; a side another station cooks goes on that station's
 * ticket (rules/kitchen.ts). Sorted by station, then by the order lines came in.
 */
export function routeTickets(lines: readonly OrderLine[]): TicketRoute[] {
  const routes = new Map<string, TicketRoute>();
  for (const line of lines) {
    for (const stationId of stationsOf(line)) {
      const key = `${stationId}\u0000${line.course ?? ''}\u0000${line.round}`;
      const route = routes.get(key);
      const here = linesAt(stationId, line);
      if (route) route.lines.push(...here);
      else routes.set(key, { stationId, course: line.course, round: line.round, lines: here });
    }
  }
  return [...routes.values()].sort((a, b) =>
    a.stationId < b.stationId ? -1 : a.stationId > b.stationId ? 1 : 0,
  );
}
