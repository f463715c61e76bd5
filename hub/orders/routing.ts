import type { OrderLine } from '../../protocol/orders.ts';

/** One ticket per station that has lines, in the order the stations first appear on the order. */
export function routeTickets(lines: readonly OrderLine[]): { stationId: string; lineNos: number[] }[] {
  const byStation = new Map<string, number[]>();
  for (const line of lines) {
    const list = byStation.get(line.stationId);
    if (list) list.push(line.lineNo);
    else byStation.set(line.stationId, [line.lineNo]);
  }
  return [...byStation].map(([stationId, lineNos]) => ({ stationId, lineNos }));
}
