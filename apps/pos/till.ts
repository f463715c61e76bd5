import { useEffect, useMemo, useState } from 'preact/hooks';
import type { CheckSummary } from '../../protocol/checks.ts';
import type { MenuItem } from '../../protocol/menu.ts';
import type { CreateOrderBody, Order, OrderType } from '../../protocol/orders.ts';
import type { Payment } from '../../protocol/payments.ts';
import type { ConnectionState } from '../../protocol/realtime-client.ts';
import { uuidv7Source } from '../../protocol/uuidv7.ts';
import { priceOrder } from '../../rules/pricing.ts';
import { ConnectionPill, currentSeq, startLive } from '../shared/connection.ts';
import { api } from '../shared/session.ts';
import { html } from '../shared/ui.ts';
import { useApproval } from './approval.ts';
import { paymentEvent } from './card-payment.ts';
import { type CartLine, CartPanel, type Seating } from './cart.ts';
import { CheckList, QueuedOrders } from './check-list.ts';
import { CheckView } from './check-view.ts';
import { FloorPlan } from './floor.ts';
import { MenuBrowser } from './menu-browser.ts';
import { ModifierDialog } from './modifier-dialog.ts';
import { PayDialog } from './pay.ts';
import { Receipt } from './receipt.ts';
import { ShiftPanel } from './shift.ts';
import { useStaff } from './sign-in.ts';
import { useMenu } from './use-menu.ts';
import { useOrders } from './use-orders.ts';
import { useSearch } from './use-search.ts';

const newId = uuidv7Source();

/**
 * The till: the floor plan or the menu on the left; on the right the check being rung in (a new
 * one, or a round on an open check) above the list of checks. Seat a table, ring in rounds with
 * seats and held courses, fire, void, comp, discount, split, move, pay and close.
 */
export function Till({ token, onUnpaired }: { token: string; onUnpaired: () => void }) {
  const { menu, catalog, reload: loadMenu } = useMenu();
  const staff = useStaff();
  const [shift, setShift] = useState(false);
  const approval = useApproval();
  const orders = useOrders(approval.ask);
  const [view, setView] = useState<'floor' | 'menu'>('menu');
  const [query, setQuery] = useState('');
  const ranked = useSearch(query);
  const [cart, setCart] = useState<CartLine[]>([]);
  const [seat, setSeat] = useState<number | null>(null);
  const [hold, setHold] = useState<string[]>([]);
  const [table, setTable] = useState('');
  const [orderType, setOrderType] = useState<OrderType>('dine_in');
  const [seating, setSeating] = useState<Seating | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [openGuests, setOpenGuests] = useState(0);
  const [picking, setPicking] = useState<MenuItem | null>(null);
  const [paying, setPaying] = useState<Order | null>(null);
  const [receipt, setReceipt] = useState<Order | null>(null);
  const [role, setRole] = useState<string>('pos');
  const [conn, setConn] = useState<ConnectionState>({ status: 'connecting', attempt: 0 });
  const [changes, setChanges] = useState(0);
  const [now, setNow] = useState(Date.now());
  // Payment events from the stream, for the pay dialog following a card on the reader.
  const paymentFeed = useMemo(() => new EventTarget(), []);

  useEffect(() => {
    loadMenu();
    orders.loadRecent();
    orders.loadQueued();
    let live: ReturnType<typeof startLive> | null = null;
    let cancelled = false;
    currentSeq((attempt) => setConn({ status: 'connecting', attempt })).then((since) => {
      if (cancelled) return;
      live = startLive(token, {
        since,
        onEvent: (e) => {
          if (e.type === 'payment.recorded' || e.type === 'payment.updated') {
            paymentFeed.dispatchEvent(
              new CustomEvent(paymentEvent, { detail: (e.data as { payment: Payment }).payment }),
            );
            setChanges((n) => n + 1);
          }
          if (e.type === 'menu.applied' || e.type === 'item.availability_changed') loadMenu();
          if (e.type.startsWith('order.') || e.type === 'settings.changed') {
            orders.loadRecent();
            setChanges((n) => n + 1);
          }
        },
        onSnapshot: () => orders.loadRecent(),
        onState: (s) => {
          setConn(s);
          // The hub refused this till's token (revoked): keep everything, offer pairing again.
          if (s.status === 'unauthorized') orders.setUnpaired(true);
          if (s.status === 'live') {
            loadMenu();
            orders.loadRecent();
            orders.flush();
          }
        },
      });
    });
    const retry = setInterval(orders.flush, 3_000);
    const clock = setInterval(() => setNow(Date.now()), 15_000);
    api<{ role: string }>('GET', '/api/v1/me')
      .then((r) => r.ok && setRole(r.body.role))
      .catch((err) => console.warn('role unknown until the hub answers; acting as a till', err));
    return () => {
      cancelled = true;
      live?.stop();
      clearInterval(retry);
      clearInterval(clock);
    };
  }, []);

  const priced = useMemo(
    () => (catalog && cart.length > 0 ? priceOrder(cart, catalog) : null),
    [catalog, cart],
  );
  if (!menu || !catalog) {
    return html`<main class="center"><p>Loading the menu from the hub…</p><${ConnectionPill} state=${conn} /></main>`;
  }
  if (staff.gate)
    return html`<div class="pos-signin">
      <header class="bar"><strong class="brand">Grow POS</strong><${ConnectionPill} state=${conn} /></header>
      ${staff.gate}
    </div>`;

  const add = (item: MenuItem, modifiers: string[] = [], qty = 1, note = '') => {
    const line: CartLine = { key: newId(), itemId: item.id, qty, modifiers, ...(note ? { note } : {}) };
    setCart([...cart, seat ? { ...line, seat } : line]);
    setPicking(null);
  };
  const tap = (item: MenuItem) => {
    if (catalog.unavailable.has(item.id)) return;
    if (item.modifierGroupIds.length > 0) setPicking(item);
    else add(item);
  };
  const setQty = (key: string, qty: number) =>
    setCart(
      qty < 1
        ? cart.filter((c) => c.key !== key)
        : cart.map((c) => (c.key === key ? { ...c, qty: Math.min(qty, 999) } : c)),
    );
  const clearCart = () => {
    setCart([]);
    setHold([]);
    setSeat(null);
  };
  const lines = () => cart.map(({ key: _key, ...line }) => line);

  /** A new check: at the table the cashier seated, or under a typed name, or at the counter. */
  const sendCheck = async () => {
    if (!priced?.ok) return;
    const name = table.trim();
    const body: CreateOrderBody = {
      id: newId(),
      lines: lines(),
      ...(seating
        ? { tableId: seating.tableId, guests: seating.guests }
        : { orderType, ...(name ? { tableLabel: name } : {}) }),
      ...(hold.length > 0 ? { hold } : {}),
      // The kitchen counts from when the cashier sent it, even if it waits here for the hub.
      takenAt: new Date().toISOString(),
    };
    const label = seating ? `Table ${seating.tableName}` : name || 'Order';
    clearCart();
    setTable('');
    const seated = seating;
    setSeating(null);
    const sent = await orders.send(body, label);
    // A table's check stays open on the till for its next rounds; a counter order is done.
    if (seated && sent === 'sent') open(body.id, seated.guests);
  };

  /** A round on the open check, with the version the cashier is looking at. */
  const sendRound = async () => {
    if (!priced?.ok || !openId) return;
    const current = await api<Order>('GET', `/api/v1/orders/${openId}`).catch(() => null);
    const check = current?.ok ? current.body : { id: openId, version: undefined as unknown as number };
    const label = `${current?.ok ? (current.body.tableLabel ?? `Check #${current.body.number}`) : 'Check'} · round`;
    const fields = { lines: lines(), ...(hold.length > 0 ? { hold } : {}) };
    let outcome = await orders.command(check, 'rounds', fields, label);
    // A round does not depend on what else the check holds: one that met a change from another
    // till is simply added to the check as it now is.
    const redone = outcome.kind === 'stale';
    if (outcome.kind === 'stale') outcome = await outcome.redo();
    // The round leaves the till only once the hub has it (or the outbox does): a refused round
    // stays rung in, for the cashier to fix and send again.
    if (outcome.kind === 'done' || outcome.kind === 'queued') clearCart();
    if (outcome.kind === 'done')
      orders.setNotice({
        tone: 'ok',
        text: redone
          ? `${label} sent (the check had changed on another till; your round was added to it)`
          : `${label} sent`,
      });
    else if (outcome.kind === 'refused')
      orders.setNotice({ tone: 'bad', text: `${outcome.message} The round is still here.` });
    setChanges((n) => n + 1);
  };

  const open = (id: string, guests = 0) => {
    setOpenId(id);
    setOpenGuests(guests);
    setSeating(null);
    clearCart();
    setView('menu');
  };
  const full = async (c: CheckSummary) => {
    const res = await api<Order>('GET', `/api/v1/orders/${c.id}`).catch(() => null);
    return res?.ok ? res.body : null;
  };
  const notify = (text: string, tone: 'ok' | 'bad' | 'warn' = 'ok') => orders.setNotice({ tone, text });

  const cartPanel = (title: string, sendLabel: string, onSend: () => void, children?: unknown) =>
    html`<${CartPanel} menu=${menu} catalog=${catalog} cart=${cart} priced=${priced} seat=${seat}
      seats=${openId ? Math.max(openGuests, 4) : (seating?.guests ?? 0)} hold=${hold} title=${title} sendLabel=${sendLabel}
      onSeat=${setSeat} onQty=${setQty} onHold=${setHold} onSend=${onSend}>${children}</${CartPanel}>`;

  return html`<div class="pos">
    <header class="bar">
      <strong class="brand">Grow POS</strong>
      <div class="seg" role="group" aria-label="View">
        <button class=${view === 'floor' ? 'on' : ''} onClick=${() => setView('floor')} data-testid="view-floor">Floor</button>
        <button class=${view === 'menu' ? 'on' : ''} onClick=${() => setView('menu')} data-testid="view-menu">Menu</button>
      </div>
      <input class="search" type="search" placeholder="Search the menu" value=${query}
        onInput=${(e: Event) => {
          setQuery((e.target as HTMLInputElement).value);
          setView('menu');
        }}
        onKeyDown=${(e: KeyboardEvent) => {
          // Enter takes the first match; the down arrow goes straight to the results.
          const first = document.querySelector<HTMLButtonElement>(
            '[data-testid="menu-grid"] [data-item]:not([disabled])',
          );
          if (e.key === 'Enter' && first) first.click();
          else if (e.key === 'ArrowDown' && first) {
            e.preventDefault();
            first.focus();
          }
        }} data-testid="search" />
      <${ConnectionPill} state=${conn} queued=${orders.queued.filter((q) => !q.refused).length} />
      ${
        staff.me &&
        html`<button class="staff" onClick=${() => setShift(true)} data-testid="staff-badge">${staff.me.name}</button>
          <button onClick=${() => staff.lock()} data-testid="switch-staff" aria-label="Switch staff">Switch</button>`
      }
    </header>
    ${
      view === 'floor'
        ? html`<${FloorPlan} changes=${changes} now=${now} onOpen=${(id: string) => open(id)}
            onSeat=${(t: { id: string; name: string }, guests: number) => {
              setOpenId(null);
              setSeating({ tableId: t.id, tableName: t.name, guests });
              clearCart();
              setView('menu');
            }} />`
        : html`<${MenuBrowser} menu=${menu} catalog=${catalog} query=${query} ranked=${ranked}
            onCategory=${() => setQuery('')} onTap=${tap} />`
    }
    <aside class="cart">
      <div class="current">
        ${
          openId
            ? html`<${CheckView} checkId=${openId} menu=${menu} changes=${changes} command=${orders.command}
                onPay=${setPaying} onClose=${() => setOpenId(null)} onDone=${notify}
                round=${cartPanel('New round', 'Send round', sendRound)} />`
            : cartPanel(
                seating ? `Table ${seating.tableName} · ${seating.guests} guests` : 'New check',
                'Send order',
                sendCheck,
                !seating &&
                  html`<div class="seg types" role="group" aria-label="Order type">
                    ${(
                      [
                        ['takeout', 'Takeout'],
                        ['dine_in', 'Dine in'],
                        ['delivery', 'Delivery'],
                        ['bar_tab', 'Bar tab'],
                      ] as const
                    ).map(
                      ([type, name]) =>
                        html`<button class=${orderType === type ? 'on' : ''} onClick=${() => setOrderType(type)} data-type=${type}>${name}</button>`,
                    )}
                  </div>
                  <label class="table">${orderType === 'bar_tab' ? 'Tab name' : 'Table or name'} <input value=${table} onInput=${(e: Event) => setTable((e.target as HTMLInputElement).value)} placeholder="T4" /></label>`,
              )
        }
        ${orders.notice && html`<p class="notice ${orders.notice.tone}" data-testid="notice">${orders.notice.text}</p>`}
        ${
          orders.unpaired &&
          html`<p class="notice bad">This till is no longer paired with the hub. What you rang in is kept on this till.
            <button onClick=${onUnpaired} data-testid="pair-again">Pair again</button></p>`
        }
        <${QueuedOrders} queued=${orders.queued} onDismiss=${orders.dismiss} />
      </div>
      <${CheckList} checks=${orders.checks} hasMore=${orders.hasMore} filter=${orders.filter} manager=${role === 'manager'}
        onFilter=${orders.setFilter} onMore=${orders.more} onOpen=${(c: CheckSummary) => open(c.id, c.guests ?? 0)}
        onPay=${async (c: CheckSummary) => setPaying(await full(c))}
        onReceipt=${async (c: CheckSummary) => setReceipt(await full(c))}
        onComplete=${orders.complete} onVoid=${orders.voidOrder} />
    </aside>
    ${receipt && html`<${Receipt} order=${receipt} onClose=${() => setReceipt(null)} />`}
    ${
      paying &&
      html`<${PayDialog} order=${paying} feed=${paymentFeed} onClose=${(message: string | null) => {
        setPaying(null);
        if (message) orders.setNotice({ tone: 'ok', text: message });
        orders.loadRecent();
        setChanges((n) => n + 1);
      }} />`
    }
    ${
      picking &&
      html`<${ModifierDialog} item=${picking} catalog=${catalog} currency=${menu.currency}
      onCancel=${() => setPicking(null)} onAdd=${add} />`
    }
    ${
      shift &&
      staff.me &&
      html`<${ShiftPanel} me=${staff.me} ask=${approval.ask} onClose=${() => setShift(false)}
        onSignOut=${() => {
          setShift(false);
          staff.signOut();
        }} />`
    }
    ${approval.dialog}
  </div>`;
}
