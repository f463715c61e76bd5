import { render } from 'preact';
import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import type { Ticket } from '../../protocol/orders.ts';
import { ConnectionPill } from '../shared/connection.ts';
import { PairScreen } from '../shared/pairing.ts';
import { api, deviceToken } from '../shared/session.ts';
import { age, html } from '../shared/ui.ts';
import { beep, type ScreenSettings, slotKeys, useScreenSettings } from './screen.ts';
import { cookableSince, expoOrders, TicketCard } from './ticket-card.ts';
import { useTickets } from './use-tickets.ts';

const params = new URLSearchParams(location.search);
/** `?station=grill` shows one station; no station is the expo view of every station. */
const station = params.get('station');

function App() {
  const [token, setToken] = useState(deviceToken());
  if (!token) return html`<${PairScreen} role="kds" onPaired=${() => setToken(deviceToken())} />`;
  return html`<${Kds} token=${token} />`;
}

/**
 * The kitchen screen: tickets in arrival order a page at a time, coloured whole as they age, with
 * a key for every ticket on the page, all-day counts, recall, and this screen's own settings.
 */
function Kds({ token }: { token: string }) {
  const { settings, save } = useScreenSettings();
  const { queue, bumped, conn } = useTickets(token, station, (kind) => settings.sound && beep(kind));
  // Nothing selected until a slot key or a tap says which: Enter alone bumps nothing.
  const [selected, setSelected] = useState<number | null>(null);
  const [page, setPage] = useState(0);
  const [now, setNow] = useState(Date.now());
  const [stations, setStations] = useState<Record<string, string>>({});
  const [setup, setSetup] = useState(false);

  useEffect(() => {
    api<{ stations: { id: string; name: string }[] }>('GET', '/api/v1/menu')
      .then((r) => r.ok && setStations(Object.fromEntries(r.body.stations.map((s) => [s.id, s.name]))))
      .catch((err) => console.warn('station names unavailable until the hub answers', err));
    const clock = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(clock);
  }, []);

  const act = async (ticket: Ticket, action: 'bump' | 'recall' | 'start') => {
    await api('POST', `/api/v1/tickets/${ticket.id}/${action}`).catch((err) =>
      console.warn(`${action} not sent; the ticket stays until the hub answers`, err),
    );
  };
  const live = queue.filter((t) => t.status !== 'bumped');
  const bumpOrder = async (orderId: string) => {
    for (const t of live.filter((x) => x.orderId === orderId && x.status !== 'held')) await act(t, 'bump');
  };
  const groups = station ? null : expoOrders(queue);
  const cards = groups ? groups.length : queue.length;
  const pages = Math.max(1, Math.ceil(cards / settings.perPage));
  const current = Math.min(page, pages - 1);
  const first = current * settings.perPage;
  const shown = queue.slice(first, first + settings.perPage);
  const shownGroups = groups?.slice(first, first + settings.perPage) ?? [];

  // A layout effect: the listener that knows the selected ticket is in place when the screen
  // shows it selected, not a frame later (a bump bar's slot key then Enter, sent at once, bumped
  // nothing when Enter arrived in between).
  useLayoutEffect(() => {
    // Bump bars send a slot key, then Enter; PageDown / PageUp turn pages; Shift+R recalls.
    const onKey = (e: KeyboardEvent) => {
      if (setup) return;
      const slot = slotKeys.indexOf(e.key.toLowerCase());
      if (slot >= 0 && !(e.key === 'R' || (e.key === 'r' && e.shiftKey))) {
        if (slot < (groups ? shownGroups.length : shown.length)) setSelected(slot);
      } else if (e.key === 'ArrowRight') setSelected((s) => Math.min(settings.perPage - 1, (s ?? -1) + 1));
      else if (e.key === 'ArrowLeft') setSelected((s) => Math.max(0, (s ?? 1) - 1));
      else if (e.key === 'PageDown') setPage(Math.min(pages - 1, current + 1));
      else if (e.key === 'PageUp') setPage(Math.max(0, current - 1));
      else if ((e.key === 'Enter' || e.key === ' ') && selected !== null) {
        e.preventDefault();
        if (groups) {
          const group = shownGroups[selected];
          if (group) void bumpOrder(group[0]!.orderId);
        } else {
          const t = shown[selected];
          if (t && t.status !== 'held') void act(t, 'bump');
        }
        setSelected(null);
      } else if ((e.key === 'R' || (e.key === 'r' && e.shiftKey)) && bumped[0]) void act(bumped[0], 'recall');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const allDay = new Map<string, number>();
  for (const t of live)
    for (const l of t.lines) if (!l.void) allDay.set(l.name, (allDay.get(l.name) ?? 0) + l.qty);
  const tone = (t: Ticket) => {
    const minutes = (now - Date.parse(cookableSince(t))) / 60_000;
    return minutes >= settings.lateMinutes ? 'late' : minutes >= settings.warnMinutes ? 'warn' : 'fresh';
  };
  const title = station ? (stations[station] ?? station) : 'Expo · all stations';
  const style = { '--kds-font': String(settings.font), '--kds-width': `${settings.width * settings.font}px` };

  return html`<div class="kds" style=${style}>
    <header class="bar">
      <strong class="brand">${title}</strong>
      <span class="count" data-testid="open-count">${live.length} open</span>
      ${
        pages > 1 &&
        html`<span class="pager" data-testid="pager">
          <button onClick=${() => setPage(Math.max(0, current - 1))} disabled=${current === 0} aria-label="Previous page">◀</button>
          Page ${current + 1} of ${pages}${current < pages - 1 ? html` · <b>${cards - first - settings.perPage} more</b>` : ''}
          <button onClick=${() => setPage(current + 1)} disabled=${current >= pages - 1} aria-label="Next page" data-testid="next-page">▶</button>
        </span>`
      }
      <${ConnectionPill} state=${conn} />
      <button class="gear" onClick=${() => setSetup(!setup)} aria-label="Screen settings" data-testid="screen-settings">⚙</button>
    </header>
    <main class="tickets" data-testid="tickets">
      ${queue.length === 0 && html`<p class="empty">No open tickets. Nice work.</p>`}
      ${
        groups
          ? shownGroups.map(
              (
                group,
                i,
              ) => html`<${ExpoCard} group=${group} slot=${i} selected=${i === selected} tone=${tone(group[0]!)}
              now=${now} stations=${stations} onBump=${() => bumpOrder(group[0]!.orderId)} />`,
            )
          : shown.map(
              (
                t,
                i,
              ) => html`<${TicketCard} ticket=${t} index=${i} slot=${slotKeys[i]} selected=${i === selected} tone=${tone(t)} now=${now}
                onBump=${() => act(t, 'bump')} onStart=${() => act(t, 'start')} />`,
            )
      }
    </main>
    <aside class="side">
      ${setup && html`<${ScreenSetup} settings=${settings} onSave=${(s: ScreenSettings) => save(s)} />`}
      <h3>All day</h3>
      <ul class="allday" data-testid="all-day">${[...allDay].sort((a, b) => b[1] - a[1]).map(([name, n]) => html`<li><b>${n}</b> ${name}</li>`)}</ul>
      <h3>Recall</h3>
      <ul class="recall">${bumped.map((t) => html`<li><button onClick=${() => act(t, 'recall')} data-testid="recall">#${t.orderNumber} ${t.lines.map((l) => l.name).join(', ')}</button></li>`)}</ul>
      <p class="muted keys">Keys: ${slotKeys.slice(0, Math.min(settings.perPage, slotKeys.length))} select · Enter bump · PgUp/PgDn page · Shift+R recall</p>
    </aside>
  </div>`;
}

/** One order on the pass: each station's part with its lines, modifiers and notes, done or not. */
function ExpoCard({
  group,
  slot,
  selected,
  tone,
  now,
  stations,
  onBump,
}: {
  group: Ticket[];
  slot: number;
  selected: boolean;
  tone: string;
  now: number;
  stations: Record<string, string>;
  onBump: () => void;
}) {
  const head = group[0]!;
  return html`<article class="ticket expo ${tone} ${selected ? 'selected' : ''}" data-order=${head.orderId}>
    <header><span class="slot">${slotKeys[slot]}</span><b>#${head.orderNumber}</b><span>${head.tableLabel ?? ''}</span><span class="age">${age(cookableSince(head), now)}</span></header>
    ${head.orderNote && html`<p class="order-note">${head.orderNote}</p>`}
    ${group.map(
      (t) => html`<div class="expo-row ${t.status === 'bumped' ? 'done' : ''}" data-station=${t.stationId}>
        <span class="station">${stations[t.stationId] ?? t.stationId}</span>
        <span class="st st-${t.status}" data-testid="expo-state">${t.status === 'bumped' ? '✓ done' : t.status === 'held' ? 'next' : t.status}</span>
        <span>${t.lines.map(
          (
            l,
          ) => html`<div class=${l.void ? 'voided' : ''}>${l.qty}× ${l.void ? html`<s>${l.name}</s>` : l.name}
            ${l.modifiers.length > 0 && html`<small class="mods"> ${l.modifiers.map((m) => m.name).join(' · ')}</small>`}
            ${l.note && html`<div class="note">⚠ ${l.note}</div>`}</div>`,
        )}</span>
      </div>`,
    )}
    <button class="primary" onClick=${onBump}>Bump all</button>
  </article>`;
}

/** This screen's settings, kept on it. */
function ScreenSetup({
  settings,
  onSave,
}: {
  settings: ScreenSettings;
  onSave: (s: ScreenSettings) => void;
}) {
  const field = (label: string, name: keyof ScreenSettings, step: number) =>
    // Uncontrolled, keyed by the saved value: the screen re-renders every second for the ticket
    // clocks, and a controlled field would put back the old value while the cook is typing.
    html`<label>${label} <input type="number" step=${step} defaultValue=${String(settings[name])} key=${`${name}:${settings[name]}`} data-setting=${name}
      onChange=${(e: Event) => onSave({ ...settings, [name]: Number((e.target as HTMLInputElement).value) })} /></label>`;
  return html`<section class="screen-setup" data-testid="setup">
    <h3>This screen</h3>
    ${field('Text size', 'font', 0.1)} ${field('Ticket width', 'width', 10)} ${field('Tickets per page', 'perPage', 1)}
    ${field('Amber after (min)', 'warnMinutes', 1)} ${field('Red after (min)', 'lateMinutes', 1)}
    <label><input type="checkbox" checked=${settings.sound} data-setting="sound"
      onChange=${(e: Event) => onSave({ ...settings, sound: (e.target as HTMLInputElement).checked })} /> Sound on a new ticket and a void</label>
  </section>`;
}

render(html`<${App} />`, document.getElementById('app')!);
