import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { HubEvent } from '../../protocol/events.ts';
import type { Ticket } from '../../protocol/orders.ts';
import type { ConnectionState, SnapshotPayload } from '../../protocol/realtime-client.ts';
import { ConnectionPill, currentSeq, startLive } from '../shared/connection.ts';
import { PairScreen } from '../shared/pairing.ts';
import { api, deviceToken } from '../shared/session.ts';
import { age, html } from '../shared/ui.ts';

const params = new URLSearchParams(location.search);
/** `?station=grill` shows one station; no station is the expo view of every station. */
const station = params.get('station');
const warnMinutes = Number(params.get('warn') ?? 5);
const lateMinutes = Number(params.get('late') ?? 8);
const recallDepth = 10;

function App() {
  const [token, setToken] = useState(deviceToken());
  if (!token) return html`<${PairScreen} role="kds" onPaired=${() => setToken(deviceToken())} />`;
  return html`<${Kds} token=${token} />`;
}

type TicketMap = Map<string, Ticket>;

function Kds({ token }: { token: string }) {
  const [tickets, setTickets] = useState<TicketMap>(new Map());
  const [bumped, setBumped] = useState<Ticket[]>([]);
  const [selected, setSelected] = useState(0);
  const [conn, setConn] = useState<ConnectionState>({ status: 'connecting', attempt: 0 });
  const [now, setNow] = useState(Date.now());
  const [stations, setStations] = useState<Record<string, string>>({});
  const ticketsRef = useRef(tickets);
  ticketsRef.current = tickets;

  const load = async () => {
    const q = station ? `?station=${encodeURIComponent(station)}` : '';
    const res = await api<{ tickets: Ticket[] }>('GET', `/api/v1/tickets${q}`);
    if (res.ok) setTickets(new Map(res.body.tickets.map((t) => [t.id, t])));
  };

  const apply = (e: HubEvent) => {
    const data = e.data as { ticket?: Ticket; ticketId?: string };
    const next = new Map(ticketsRef.current);
    if (e.type === 'ticket.created' && data.ticket && (!station || data.ticket.stationId === station)) {
      next.set(data.ticket.id, data.ticket);
    } else if (e.type === 'ticket.started' && data.ticketId && next.has(data.ticketId)) {
      next.set(data.ticketId, { ...next.get(data.ticketId)!, status: 'started' });
    } else if ((e.type === 'ticket.bumped' || e.type === 'ticket.voided') && data.ticketId) {
      const gone = next.get(data.ticketId);
      next.delete(data.ticketId);
      if (gone && e.type === 'ticket.bumped')
        setBumped((b) =>
          [{ ...gone, status: 'bumped' as const }, ...b.filter((x) => x.id !== gone.id)].slice(
            0,
            recallDepth,
          ),
        );
    } else if (e.type === 'ticket.recalled') {
      void load();
      setBumped((b) => b.filter((x) => x.id !== data.ticketId));
      return;
    } else {
      return;
    }
    ticketsRef.current = next;
    setTickets(next);
  };

  useEffect(() => {
    let live: ReturnType<typeof startLive> | null = null;
    let cancelled = false;
    api<{ stations: { id: string; name: string }[] }>('GET', '/api/v1/menu')
      .then((r) => r.ok && setStations(Object.fromEntries(r.body.stations.map((s) => [s.id, s.name]))))
      .catch(() => {});
    (async () => {
      const since = await currentSeq();
      await load();
      if (cancelled) return;
      live = startLive(token, {
        since,
        stations: station ? [station] : undefined,
        onEvent: apply,
        onSnapshot: (s: SnapshotPayload) => {
          const list = (s.tickets as Ticket[]).filter((t) => !station || t.stationId === station);
          ticketsRef.current = new Map(list.map((t) => [t.id, t]));
          setTickets(ticketsRef.current);
        },
        onState: setConn,
      });
    })();
    const clock = setInterval(() => setNow(Date.now()), 1_000);
    return () => {
      cancelled = true;
      live?.stop();
      clearInterval(clock);
    };
  }, []);

  const queue = [...tickets.values()].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
  );
  const act = async (ticket: Ticket, action: 'bump' | 'recall' | 'start') => {
    await api('POST', `/api/v1/tickets/${ticket.id}/${action}`).catch(() => null);
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
        if (t) void act(t, 'bump');
      } else if (e.key === 'r' && bumped[0]) void act(bumped[0], 'recall');
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const allDay = new Map<string, number>();
  for (const t of queue) for (const l of t.lines) allDay.set(l.name, (allDay.get(l.name) ?? 0) + l.qty);
  const tone = (t: Ticket) => {
    const minutes = (now - Date.parse(t.createdAt)) / 60_000;
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

function expoOrders(queue: Ticket[]): Ticket[][] {
  const byOrder = new Map<string, Ticket[]>();
  for (const t of queue) byOrder.set(t.orderId, [...(byOrder.get(t.orderId) ?? []), t]);
  return [...byOrder.values()];
}

function TicketCard({
  ticket,
  index,
  selected,
  tone,
  now,
  onBump,
  onStart,
}: {
  ticket: Ticket;
  index: number;
  selected: boolean;
  tone: string;
  now: number;
  onBump: () => void;
  onStart: () => void;
}) {
  return html`<article class="ticket ${tone} ${selected ? 'selected' : ''} ${ticket.status}" data-ticket=${ticket.id} data-order=${ticket.orderId}>
    <header>
      <span class="slot">${index + 1}</span><b>#${ticket.orderNumber}</b><span>${ticket.tableLabel ?? ''}</span>
      <span class="age" data-testid="age">${age(ticket.createdAt, now)}</span>
    </header>
    ${ticket.orderNote && html`<p class="order-note">${ticket.orderNote}</p>`}
    <ul>
      ${ticket.lines.map(
        (l) => html`<li>
          <span class="qty">${l.qty}</span> <span class="lname">${l.name}</span>
          ${l.modifiers.length > 0 && html`<div class="mods">${l.modifiers.map((m) => m.name).join(' · ')}</div>`}
          ${l.note && html`<div class="note">⚠ ${l.note}</div>`}
        </li>`,
      )}
    </ul>
    <footer>
      ${ticket.status === 'open' && html`<button onClick=${onStart}>Start</button>`}
      <button class="primary" onClick=${onBump} data-testid="bump">Bump</button>
    </footer>
  </article>`;
}

render(html`<${App} />`, document.getElementById('app')!);
