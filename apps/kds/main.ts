import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { Ticket } from '../../protocol/orders.ts';
import { ConnectionPill } from '../shared/connection.ts';
import { PairScreen } from '../shared/pairing.ts';
import { api, deviceToken } from '../shared/session.ts';
import { age, html } from '../shared/ui.ts';
import { cookableSince, expoOrders, TicketCard } from './ticket-card.ts';
import { useTickets } from './use-tickets.ts';

const params = new URLSearchParams(location.search);
/** `?station=grill` shows one station; no station is the expo view of every station. */
const station = params.get('station');
const warnMinutes = Number(params.get('warn') ?? 5);
const lateMinutes = Number(params.get('late') ?? 8);

function App() {
  const [token, setToken] = useState(deviceToken());
  if (!token) return html`<${PairScreen} role="kds" onPaired=${() => setToken(deviceToken())} />`;
  return html`<${Kds} token=${token} />`;
}

/** The kitchen screen: tickets in arrival order with age colours, bump bars, all-day counts, recall. */
function Kds({ token }: { token: string }) {
  const { queue, bumped, conn } = useTickets(token, station);
  const [selected, setSelected] = useState(0);
  const [now, setNow] = useState(Date.now());
  const [stations, setStations] = useState<Record<string, string>>({});

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
  const bumpOrder = async (orderId: string) => {
    for (const t of queue.filter((x) => x.orderId === orderId)) await act(t, 'bump');
  };

  useEffect(() => {
    // Bump bars send digits and Enter; a TV with no keyboard uses touch.
    const onKey = (e: KeyboardEvent) => {
      if (/^[1-9]$/.test(e.key)) setSelected(Number(e.key) - 1);
      else if (e.key === 'ArrowRight') setSelected((s) => Math.min(queue.length - 1, s + 1));
      else if (e.key === 'ArrowLeft') setSelected((s) => Math.max(0, s - 1));
      else if (e.key === 'Enter' || e.key === ' ') {
        const t = queue[selected];
        if (t && t.status !== 'held') void act(t, 'bump');
      } else if (e.key === 'r' && bumped[0]) void act(bumped[0], 'recall');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const allDay = new Map<string, number>();
  for (const t of queue)
    for (const l of t.lines) if (!l.void) allDay.set(l.name, (allDay.get(l.name) ?? 0) + l.qty);
  const tone = (t: Ticket) => {
    const minutes = (now - Date.parse(cookableSince(t))) / 60_000;
    return minutes >= lateMinutes ? 'late' : minutes >= warnMinutes ? 'warn' : 'fresh';
  };
  const title = station ? (stations[station] ?? station) : 'Expo · all stations';

  return html`<div class="kds">
    <header class="bar">
      <strong class="brand">${title}</strong>
      <span class="count" data-testid="open-count">${queue.length} open</span>
      <${ConnectionPill} state=${conn} />
    </header>
    <main class="tickets" data-testid="tickets">
      ${queue.length === 0 && html`<p class="empty">No open tickets. Nice work.</p>`}
      ${
        station
          ? queue.map(
              (
                t,
                i,
              ) => html`<${TicketCard} ticket=${t} index=${i} selected=${i === selected} tone=${tone(t)} now=${now}
            onBump=${() => act(t, 'bump')} onStart=${() => act(t, 'start')} />`,
            )
          : expoOrders(queue).map(
              (group) => html`<article class="ticket expo ${tone(group[0]!)}" data-order=${group[0]!.orderId}>
              <header><b>#${group[0]!.orderNumber}</b><span>${group[0]!.tableLabel ?? ''}</span><span class="age">${age(group[0]!.createdAt, now)}</span></header>
              ${group.map(
                (
                  t,
                ) => html`<div class="expo-row"><span class="station">${stations[t.stationId] ?? t.stationId}</span>
                <span class="st st-${t.status}">${t.status}</span><span>${t.lines.map((l) => `${l.qty}× ${l.name}`).join(', ')}</span></div>`,
              )}
              <button class="primary" onClick=${() => bumpOrder(group[0]!.orderId)}>Bump all</button>
            </article>`,
            )
      }
    </main>
    <aside class="side">
      <h3>All day</h3>
      <ul class="allday" data-testid="all-day">${[...allDay].sort((a, b) => b[1] - a[1]).map(([name, n]) => html`<li><b>${n}</b> ${name}</li>`)}</ul>
      <h3>Recall</h3>
      <ul class="recall">${bumped.map((t) => html`<li><button onClick=${() => act(t, 'recall')} data-testid="recall">#${t.orderNumber} ${t.lines.map((l) => l.name).join(', ')}</button></li>`)}</ul>
      <p class="muted keys">Keys: 1–9 select · Enter bump · R recall</p>
    </aside>
  </div>`;
}

render(html`<${App} />`, document.getElementById('app')!);
