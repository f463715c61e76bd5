import { useEffect, useRef, useState } from 'preact/hooks';
import type { HubEvent } from '../../protocol/events.ts';
import type { Ticket } from '../../protocol/orders.ts';
import type { ConnectionState, SnapshotPayload } from '../../protocol/realtime-client.ts';
import { currentSeq, startLive } from '../shared/connection.ts';
import { api } from '../shared/session.ts';

const recallDepth = 10;

/**
 * A station's open tickets (every station's, for expo), kept live from the realtime stream: it
 * resumes by seq after a drop or a hub restart, so no ticket is lost and none shows twice. Also
 * the last bumped tickets, for recall. On expo a station's bumped ticket stays, marked done,
 * until every station of its order is done. `onAlert` hears new tickets and voids (for sound).
 */
export function useTickets(
  token: string,
  station: string | null,
  onAlert: (kind: 'new' | 'void') => void = () => {},
) {
  const [tickets, setTickets] = useState<Map<string, Ticket>>(new Map());
  const [bumped, setBumped] = useState<Ticket[]>([]);
  const [conn, setConn] = useState<ConnectionState>({ status: 'connecting', attempt: 0 });
  const ticketsRef = useRef(tickets);
  ticketsRef.current = tickets;
  const alertRef = useRef(onAlert);
  alertRef.current = onAlert;
  const mine = (t: Ticket) => !station || t.stationId === station;
  const expo = station === null;

  const replace = (next: Map<string, Ticket>) => {
    ticketsRef.current = next;
    setTickets(next);
  };
  /** Expo: an order whose every station is done leaves the screen. */
  const dropFinished = (next: Map<string, Ticket>, orderId: string) => {
    const all = [...next.values()].filter((t) => t.orderId === orderId);
    if (all.every((t) => t.status === 'bumped')) for (const t of all) next.delete(t.id);
  };
  const load = async () => {
    const q = station ? `?station=${encodeURIComponent(station)}` : '';
    const res = await api<{ tickets: Ticket[] }>('GET', `/api/v1/tickets${q}`);
    if (!res.ok) return;
    const next = new Map(res.body.tickets.map((t) => [t.id, t]));
    if (expo) {
      // The stations already done for orders still on the pass.
      const done = await api<{ tickets: Ticket[] }>('GET', '/api/v1/tickets?status=bumped&limit=500').catch(
        () => null,
      );
      const open = new Set(res.body.tickets.map((t) => t.orderId));
      for (const t of done?.ok ? done.body.tickets : []) if (open.has(t.orderId)) next.set(t.id, t);
    }
    replace(next);
  };

  const apply = (e: HubEvent) => {
    const data = e.data as { ticket?: Ticket; ticketId?: string };
    const next = new Map(ticketsRef.current);
    if (e.type === 'ticket.created' && data.ticket && mine(data.ticket)) {
      next.set(data.ticket.id, data.ticket);
      if (data.ticket.status !== 'held') alertRef.current('new');
    } else if (
      (e.type === 'ticket.fired' || e.type === 'ticket.lines_voided') &&
      data.ticket &&
      mine(data.ticket)
    ) {
      // A held course fired (now cookable), or lines voided after firing (shown struck through).
      next.set(data.ticket.id, data.ticket);
      alertRef.current(e.type === 'ticket.fired' ? 'new' : 'void');
    } else if (e.type === 'ticket.started' && data.ticketId && next.has(data.ticketId)) {
      next.set(data.ticketId, { ...next.get(data.ticketId)!, status: 'started' });
    } else if ((e.type === 'ticket.bumped' || e.type === 'ticket.voided') && data.ticketId) {
      const gone = next.get(data.ticketId);
      if (e.type === 'ticket.voided' && gone) alertRef.current('void');
      if (gone && e.type === 'ticket.bumped' && expo) {
        next.set(gone.id, { ...gone, status: 'bumped' });
        dropFinished(next, gone.orderId);
      } else next.delete(data.ticketId);
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
    replace(next);
  };

  useEffect(() => {
    let live: ReturnType<typeof startLive> | null = null;
    let cancelled = false;
    (async () => {
      const since = await currentSeq((attempt) => setConn({ status: 'connecting', attempt }));
      await load();
      if (cancelled) return;
      live = startLive(token, {
        since,
        stations: station ? [station] : undefined,
        onEvent: apply,
        onSnapshot: (s: SnapshotPayload) =>
          replace(new Map((s.tickets as Ticket[]).filter(mine).map((t) => [t.id, t]))),
        onState: setConn,
      });
    })();
    return () => {
      cancelled = true;
      live?.stop();
    };
  }, []);

  const queue = [...tickets.values()].sort(
    (a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
  );
  return { queue, bumped, conn };
}
