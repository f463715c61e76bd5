import type { OrderLine } from '../protocol/orders.ts';

/** The stations a line goes to: its item's, and each station that cooks one of its sides. */
export function stationsOf(line: OrderLine): string[] {
  const stations = [line.stationId];
  for (const side of line.modifiers)
    if (side.stationId && !stations.includes(side.stationId)) stations.push(side.stationId);
  return stations;
}

/**
 * What a line puts on one station's ticket: itself at its item's station; a side that station
 * cooks (fries with a steak) as a line of its own, named for what it goes with. A side keeps its
 * line's id, so voiding the steak strikes its fries too.
 */
export function linesAt(stationId: string, line: OrderLine): OrderLine[] {
  const out: OrderLine[] = line.stationId === stationId ? [line] : [];
  for (const side of line.modifiers) {
    if (side.stationId !== stationId) continue;
    const note = `with ${line.name}${line.note ? ` (${line.note})` : ''}`;
    out.push({ ...line, stationId, name: side.name, modifiers: [], note });
  }
  return out;
}
