import { useEffect, useMemo, useState } from 'preact/hooks';
import type { MenuItem } from '../../protocol/menu.ts';
import type { CreateOrderBody, Order } from '../../protocol/orders.ts';
import type { Payment } from '../../protocol/payments.ts';
import type { ConnectionState } from '../../protocol/realtime-client.ts';
import { uuidv7Source } from '../../protocol/uuidv7.ts';
import { priceOrder } from '../../rules/pricing.ts';
import { ConnectionPill, currentSeq, startLive } from '../shared/connection.ts';
import { api } from '../shared/session.ts';
import { html } from '../shared/ui.ts';
import { paymentEvent } from './card-payment.ts';
import { type CartLine, CartPanel } from './cart.ts';
import { MenuBrowser } from './menu-browser.ts';
import { ModifierDialog } from './modifier-dialog.ts';
import { PayDialog } from './pay.ts';
import { Receipt } from './receipt.ts';
import { QueuedOrders, RecentOrders } from './recent-orders.ts';
import { useMenu } from './use-menu.ts';
import { useOrders } from './use-orders.ts';
import { useSearch } from './use-search.ts';

const newId = uuidv7Source();

/** The till: browse or search the menu, build an order, send it, and act on recent orders. */
export function Till({ token }: { token: string }) {
  const { menu, catalog, reload: loadMenu } = useMenu();
  const orders = useOrders();
  const [query, setQuery] = useState('');
  const ranked = useSearch(query);
  const [cart, setCart] = useState<CartLine[]>([]);
  const [table, setTable] = useState('');
  const [picking, setPicking] = useState<MenuItem | null>(null);
  const [paying, setPaying] = useState<Order | null>(null);
  const [receipt, setReceipt] = useState<Order | null>(null);
  const [role, setRole] = useState<string>('pos');
  const [conn, setConn] = useState<ConnectionState>({ status: 'connecting', attempt: 0 });
  // Payment events from the stream, for the pay dialog following a card on the reader.
  const paymentFeed = useMemo(() => new EventTarget(), []);

  useEffect(() => {
    loadMenu();
    orders.loadRecent();
    orders.loadQueued();
    let live: ReturnType<typeof startLive> | null = null;
    let cancelled = false;
    currentSeq().then((since) => {
      if (cancelled) return;
      live = startLive(token, {
        since,
        onEvent: (e) => {
          if (e.type === 'payment.recorded' || e.type === 'payment.updated')
            paymentFeed.dispatchEvent(
              new CustomEvent(paymentEvent, { detail: (e.data as { payment: Payment }).payment }),
            );
          if (e.type === 'menu.applied' || e.type === 'item.availability_changed') loadMenu();
          if (e.type.startsWith('order.')) orders.loadRecent();
        },
        onSnapshot: () => orders.loadRecent(),
        onState: (s) => {
          setConn(s);
          if (s.status === 'live') {
            loadMenu();
            orders.loadRecent();
            orders.flush();
          }
        },
      });
    });
    const retry = setInterval(orders.flush, 3_000);
    api<{ role: string }>('GET', '/api/v1/me')
      .then((r) => r.ok && setRole(r.body.role))
      .catch((err) => console.warn('role unknown until the hub answers; acting as a till', err));
    return () => {
      cancelled = true;
      live?.stop();
      clearInterval(retry);
    };
  }, []);

  const priced = useMemo(
    () => (catalog && cart.length > 0 ? priceOrder(cart, catalog) : null),
    [catalog, cart],
  );
  if (!menu || !catalog) {
    return html`<main class="center"><p>Loading the menu from the hub…</p><${ConnectionPill} state=${conn} /></main>`;
  }

  const add = (item: MenuItem, modifiers: string[] = [], qty = 1, note = '') => {
    setCart([...cart, { key: newId(), itemId: item.id, qty, modifiers, ...(note ? { note } : {}) }]);
    setPicking(null);
  };
  const tap = (item: MenuItem) => {
    if (catalog.unavailable.has(item.id)) return;
    if (item.modifierGroupIds.length > 0) setPicking(item);
    else add(item);
  };
  const send = async () => {
    if (!priced?.ok) return;
    const body: CreateOrderBody = {
      id: newId(),
      lines: cart.map(({ key: _key, ...line }) => line),
      ...(table.trim() ? { tableLabel: table.trim() } : {}),
    };
    setCart([]);
    setTable('');
    await orders.send(body);
  };

  return html`<div class="pos">
    <header class="bar">
      <strong class="brand">Grow POS</strong>
      <input class="search" type="search" placeholder="Search the menu" value=${query}
        onInput=${(e: Event) => setQuery((e.target as HTMLInputElement).value)} data-testid="search" />
      <${ConnectionPill} state=${conn} queued=${orders.queued.length} />
    </header>
    <${MenuBrowser} menu=${menu} catalog=${catalog} query=${query} ranked=${ranked}
      onCategory=${() => setQuery('')} onTap=${tap} />
    <aside class="cart">
      <${CartPanel} menu=${menu} catalog=${catalog} cart=${cart} priced=${priced} table=${table}
        onTable=${setTable} onRemove=${(key: string) => setCart(cart.filter((c) => c.key !== key))} onSend=${send} />
      ${orders.notice && html`<p class="notice ${orders.notice.tone}" data-testid="notice">${orders.notice.text}</p>`}
      <${QueuedOrders} queued=${orders.queued} />
      <${RecentOrders} recent=${orders.recent} manager=${role === 'manager'} onPay=${setPaying}
        onReceipt=${setReceipt} onComplete=${orders.complete} onVoid=${orders.voidOrder} />
    </aside>
    ${receipt && html`<${Receipt} order=${receipt} onClose=${() => setReceipt(null)} />`}
    ${
      paying &&
      html`<${PayDialog} order=${paying} feed=${paymentFeed} onClose=${(message: string | null) => {
        setPaying(null);
        if (message) orders.setNotice({ tone: 'ok', text: message });
        orders.loadRecent();
      }} />`
    }
    ${
      picking &&
      html`<${ModifierDialog} item=${picking} catalog=${catalog} currency=${menu.currency}
      onCancel=${() => setPicking(null)} onAdd=${add} />`
    }
  </div>`;
}
