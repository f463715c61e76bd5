import { useEffect, useState } from 'preact/hooks';
import type { FloorView, TableState } from '../../protocol/checks.ts';
import { api } from '../shared/session.ts';
import { html } from '../shared/ui.ts';

type Table = FloorView['areas'][number]['tables'][number];

const minutes = (since: string, now: number) => Math.max(0, Math.floor((now - Date.parse(since)) / 60_000));

const stateLabel: Record<TableState, string> = {
  free: 'Free',
  seated: 'Seated',
  ordered: 'Ordered',
  mains_fired: 'Mains fired',
  presented: 'Part paid',
  paid: 'Paid',
};

/**
 * The floor plan: each area's tables where the manager placed them, coloured by state, with
 * guests and time seated. A free table asks how many guests and starts a check there; a table in
 * use opens its check.
 */
export function FloorPlan({
  changes,
  now,
  onSeat,
  onOpen,
}: {
  /** Bumped by the till on every check event, so the plan redraws. */
  changes: number;
  now: number;
  onSeat: (table: Table, guests: number) => void;
  onOpen: (checkId: string) => void;
}) {
  const [floor, setFloor] = useState<FloorView | null>(null);
  const [area, setArea] = useState(0);
  const [seating, setSeating] = useState<Table | null>(null);
  useEffect(() => {
    api<FloorView>('GET', '/api/v1/floor')
      .then((r) => r.ok && setFloor(r.body))
      .catch(() => {}); // the hub is away: the last plan stays on screen
  }, [changes]);
  if (!floor) return html`<main class="floor"><p class="muted">Loading the floor plan…</p></main>`;
  const current = floor.areas[area] ?? floor.areas[0];
  const tap = (t: Table) => (t.checkIds.length > 0 ? onOpen(t.checkIds[0]!) : setSeating(t));
  return html`<main class="floor" data-testid="floor">
    <nav class="tabs">
      ${floor.areas.map((a, i) => html`<button class=${i === area ? 'tab active' : 'tab'} onClick=${() => setArea(i)}>${a.name}</button>`)}
    </nav>
    <div class="plan">
      ${current?.tables.map(
        (
          t,
        ) => html`<button class="table-spot ${t.shape} st-${t.state}" style=${{ gridColumn: `${t.x + 1} / span 2`, gridRow: `${t.y + 1} / span 2` }}
          onClick=${() => tap(t)} data-table=${t.id} data-state=${t.state} aria-label=${`Table ${t.name}, ${stateLabel[t.state]}`}>
          <b>${t.name}</b>
          <small>${stateLabel[t.state]}</small>
          ${t.seatedAt && html`<small>${t.guests ?? '?'} guests · ${minutes(t.seatedAt, now)} min</small>`}
        </button>`,
      )}
    </div>
    ${
      seating &&
      html`<div class="dialog-backdrop" onClick=${(e: Event) => e.target === e.currentTarget && setSeating(null)}>
        <div class="dialog" role="dialog" aria-label=${`Seat table ${seating.name}`} data-testid="guests">
          <h2>Table ${seating.name}: how many guests?</h2>
          <div class="choices">
            ${Array.from({ length: Math.max(seating.seats, 8) }, (_, i) => i + 1).map(
              (n) =>
                html`<button class="opt" onClick=${() => {
                  setSeating(null);
                  onSeat(seating, n);
                }} data-guests=${n}>${n}</button>`,
            )}
          </div>
          <div class="dialog-actions"><button onClick=${() => setSeating(null)}>Cancel</button></div>
        </div>
      </div>`
    }
  </main>`;
}
