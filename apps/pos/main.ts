import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { MenuItem, MenuView, ModifierGroup } from '../../protocol/menu.ts';
import type { CreateOrderBody, Order, OrderLineInput } from '../../protocol/orders.ts';
import type { ConnectionState } from '../../protocol/realtime-client.ts';
import { uuidv7Source } from '../../protocol/uuidv7.ts';
import { Catalog } from '../../rules/catalog.ts';
import { priceOrder } from '../../rules/pricing.ts';
import { ConnectionPill, currentSeq, startLive } from '../shared/connection.ts';
import { PairScreen } from '../shared/pairing.ts';
import { api, deviceToken, HubUnreachable } from '../shared/session.ts';
import { html, money } from '../shared/ui.ts';
import { outbox, type QueuedOrder } from './outbox.ts';
import { PayDialog } from './pay.ts';
import { Receipt } from './receipt.ts';

const newId = uuidv7Source();
const menuCacheKey = 'grow.pos.menu';

interface CartLine extends OrderLineInput {
  key: string;
}

function App() {
  const [token, setToken] = useState(deviceToken());
  if (!token) return html`<${PairScreen} role="pos" onPaired=${() => setToken(deviceToken())} />`;
  return html`<${Pos} token=${token} />`;
}

function Pos({ token }: { token: string }) {
  const [menu, setMenu] = useState<MenuView | null>(() =>
    JSON.parse(localStorage.getItem(menuCacheKey) ?? 'null'),
  );
  const [category, setCategory] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const [cart, setCart] = useState<CartLine[]>([]);
  const [table, setTable] = useState('');
  const [picking, setPicking] = useState<MenuItem | null>(null);
  const [paying, setPaying] = useState<Order | null>(null);
  const [receipt, setReceipt] = useState<Order | null>(null);
  /** Item ids ranked by the hub's search (null: use the local filter, e.g. while the hub is away). */
  const [ranked, setRanked] = useState<string[] | null>(null);
  const [role, setRole] = useState<string>('pos');
  const [queued, setQueued] = useState<QueuedOrder[]>([]);
  const [recent, setRecent] = useState<Order[]>([]);
  const [notice, setNotice] = useState<{ tone: 'ok' | 'bad' | 'warn'; text: string } | null>(null);
  const [conn, setConn] = useState<ConnectionState>({ status: 'connecting', attempt: 0 });
  const flushing = useRef(false);

  const loadMenu = async () => {
    try {
      const res = await api<MenuView>('GET', '/api/v1/menu');
      if (res.ok) {
        setMenu(res.body);
        localStorage.setItem(menuCacheKey, JSON.stringify(res.body));
      }
    } catch {
      // keep the cached menu: the till keeps working while the hub is away
    }
  };
  const loadRecent = async () => {
    try {
      const res = await api<{ orders: Order[] }>('GET', '/api/v1/orders?limit=12');
      if (res.ok) setRecent(res.body.orders);
    } catch {}
  };

  /** Send what the outbox holds, oldest first; stop at the first sign the hub is away. */
  const flush = async () => {
    if (flushing.current) return;
    flushing.current = true;
    try {
      for (const q of await outbox.all()) {
        let res: Awaited<ReturnType<typeof api<Order>>>;
        try {
          res = await api<Order>('POST', '/api/v1/orders', q.body);
        } catch (err) {
          if (err instanceof HubUnreachable) break;
          throw err;
        }
        // Busy, rate-limited or restarting: the hub will take it later, so keep it queued.
        if (res.status === 408 || res.status === 429 || res.status >= 500) break;
        await outbox.remove(q.id);
        if (res.ok) setNotice({ tone: 'ok', text: `Order #${res.body.number} sent to the kitchen` });
        else setNotice({ tone: 'bad', text: `Order not accepted: ${res.problem?.detail ?? res.status}` });
      }
    } finally {
      setQueued(await outbox.all());
      flushing.current = false;
    }
  };

  useEffect(() => {
    loadMenu();
    loadRecent();
    outbox.all().then(setQueued);
    let live: ReturnType<typeof startLive> | null = null;
    let cancelled = false;
    currentSeq().then((since) => {
      if (cancelled) return;
      live = startLive(token, {
        since,
        onEvent: (e) => {
          if (e.type === 'menu.applied' || e.type === 'item.availability_changed') loadMenu();
          if (e.type.startsWith('order.')) loadRecent();
        },
        onSnapshot: () => loadRecent(),
        onState: (s) => {
          setConn(s);
          if (s.status === 'live') {
            loadMenu();
            loadRecent();
            flush();
          }
        },
      });
    });
    const retry = setInterval(flush, 3_000);
    return () => {
      cancelled = true;
      live?.stop();
      clearInterval(retry);
    };
  }, []);

  useEffect(() => {
    api<{ role: string }>('GET', '/api/v1/me')
      .then((r) => r.ok && setRole(r.body.role))
      .catch(() => {});
  }, []);
  useEffect(() => {
    setRanked(null);
    if (!query.trim()) return;
    const timer = setTimeout(async () => {
      try {
        const res = await api<{ results: { itemId: string }[] }>(
          'GET',
          `/api/v1/menu/search?q=${encodeURIComponent(query)}&limit=24`,
        );
        if (res.ok) setRanked(res.body.results.map((r) => r.itemId));
      } catch {
        // the hub is away: the local filter below keeps search working
      }
    }, 150);
    return () => clearTimeout(timer);
  }, [query]);

  const catalog = useMemo(() => (menu ? new Catalog(menu, new Set(menu.unavailableItemIds)) : null), [menu]);
  const priced = useMemo(
    () => (catalog && cart.length > 0 ? priceOrder(cart, catalog) : null),
    [catalog, cart],
  );

  if (!menu || !catalog) {
    return html`<main class="center"><p>Loading the menu from the hub…</p><${ConnectionPill} state=${conn} /></main>`;
  }

  const categories = [...menu.categories].sort((a, b) => a.sort - b.sort);
  const shown =
    query && ranked
      ? ranked.map((id) => catalog.items.get(id)).filter((i): i is MenuItem => i !== undefined)
      : menu.items
          .filter((i) =>
            query
              ? `${i.name} ${i.description}`.toLowerCase().includes(query.toLowerCase())
              : i.categoryId === (category ?? categories[0]?.id),
          )
          .sort((a, b) => a.sort - b.sort);

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
    await outbox.put({ id: body.id, body, queuedAt: new Date().toISOString() });
    setCart([]);
    setTable('');
    setQueued(await outbox.all());
    setNotice({ tone: 'warn', text: 'Sending…' });
    await flush();
    if ((await outbox.all()).some((q) => q.id === body.id)) {
      setNotice({
        tone: 'warn',
        text: 'The hub is unreachable: the order is queued on this till and will be sent automatically.',
      });
    }
    loadRecent();
  };
  const voidOrder = async (order: Order) => {
    const reason = prompt(`Void order #${order.number}? Reason:`);
    if (!reason || reason.trim().length < 3) return;
    try {
      const res = await api<Order>('POST', `/api/v1/orders/${order.id}/void`, { reason: reason.trim() });
      setNotice(
        res.ok
          ? { tone: 'ok', text: `Order #${order.number} voided` }
          : { tone: 'bad', text: res.problem?.detail ?? 'failed' },
      );
      loadRecent();
    } catch {
      setNotice({ tone: 'bad', text: 'The hub is unreachable; try again in a moment.' });
    }
  };
  const complete = async (order: Order) => {
    try {
      const res = await api<Order>('POST', `/api/v1/orders/${order.id}/complete`);
      setNotice(
        res.ok
          ? { tone: 'ok', text: `Order #${order.number} completed` }
          : { tone: 'bad', text: res.problem?.detail ?? 'failed' },
      );
      loadRecent();
    } catch {
      setNotice({ tone: 'bad', text: 'The hub is unreachable; try again in a moment.' });
    }
  };

  return html`<div class="pos">
    <header class="bar">
      <strong class="brand">Grow POS</strong>
      <input class="search" type="search" placeholder="Search the menu" value=${query}
        onInput=${(e: Event) => setQuery((e.target as HTMLInputElement).value)} data-testid="search" />
      <${ConnectionPill} state=${conn} queued=${queued.length} />
    </header>
    <nav class="tabs">
      ${categories.map(
        (c) => html`<button class=${!query && (category ?? categories[0]?.id) === c.id ? 'tab active' : 'tab'}
          onClick=${() => {
            setCategory(c.id);
            setQuery('');
          }}>${c.name}</button>`,
      )}
    </nav>
    <section class="grid" data-testid="menu-grid">
      ${shown.map((item) => {
        const out = catalog.unavailable.has(item.id);
        return html`<button class=${out ? 'item out' : 'item'} onClick=${() => tap(item)} disabled=${out} data-item=${item.id}>
          <span class="name">${item.name}</span>
          <span class="price">${out ? "86'd" : money(item.price, menu.currency)}</span>
        </button>`;
      })}
    </section>
    <aside class="cart">
      <h2>Current order</h2>
      <label class="table">Table <input value=${table} onInput=${(e: Event) => setTable((e.target as HTMLInputElement).value)} placeholder="T4" /></label>
      <ul class="lines" data-testid="cart">
        ${cart.length === 0 && html`<li class="muted">Tap items to add them.</li>`}
        ${cart.map((line, i) => {
          const p = priced?.ok ? priced.order.lines[i] : null;
          const item = catalog.items.get(line.itemId)!;
          return html`<li>
            <div class="line-main">
              <span class="qty">${line.qty}×</span><span class="lname">${item.name}</span>
              <span class="ltotal">${p ? money(p.lineTotal, menu.currency) : ''}</span>
              <button class="x" aria-label="remove" onClick=${() => setCart(cart.filter((c) => c.key !== line.key))}>✕</button>
            </div>
            ${p && p.modifiers.length > 0 && html`<div class="mods">${p.modifiers.map((m) => m.name).join(', ')}</div>`}
            ${line.note && html`<div class="note">“${line.note}”</div>`}
          </li>`;
        })}
      </ul>
      ${
        priced?.ok &&
        html`<dl class="totals" data-testid="totals">
        <dt>Subtotal</dt><dd>${money(priced.order.subtotal, menu.currency)}</dd>
        ${priced.order.taxes.map((t) => html`<dt>${t.name} ${(t.rateBasisPoints / 100).toFixed(2)}%</dt><dd>${money(t.tax, menu.currency)}</dd>`)}
        <dt class="grand">Total</dt><dd class="grand" data-testid="total">${money(priced.order.total, menu.currency)}</dd>
      </dl>`
      }
      ${priced && !priced.ok && html`<p class="error">${priced.errors.map((e) => e.message).join('; ')}</p>`}
      <button class="primary big" disabled=${!priced?.ok} onClick=${send} data-testid="send">Send order</button>
      ${notice && html`<p class="notice ${notice.tone}" data-testid="notice">${notice.text}</p>`}
      ${
        queued.length > 0 &&
        html`<div class="queued" data-testid="queue"><h3>Waiting for the hub (${queued.length})</h3>
        ${queued.map((q) => html`<div class="qrow">Queued · ${q.body.lines.length} line${q.body.lines.length === 1 ? '' : 's'} · ${new Date(q.queuedAt).toLocaleTimeString()}</div>`)}</div>`
      }
      <h2>Recent orders</h2>
      <ul class="recent" data-testid="recent">
        ${recent.map(
          (o) => html`<li data-order=${o.id}>
            <b>#${o.number}</b><span class="status s-${o.status}">${o.status.replace('_', ' ')}</span>
            <span>${o.tableLabel ?? ''}</span><span>${money(o.total, o.currency)}</span>
            <span class="actions">
              ${o.status !== 'voided' && o.status !== 'completed' && html`<button onClick=${() => setPaying(o)} data-testid="pay-order">Pay</button>`}
              <button onClick=${() => setReceipt(o)} data-testid="receipt-order">Receipt</button>
              ${o.status === 'ready' && html`<button onClick=${() => complete(o)}>Complete</button>`}
              ${role === 'manager' && o.status !== 'voided' && o.status !== 'completed' && html`<button class="danger" onClick=${() => voidOrder(o)} data-testid="void-order">Void</button>`}
            </span>
          </li>`,
        )}
      </ul>
    </aside>
    ${receipt && html`<${Receipt} order=${receipt} onClose=${() => setReceipt(null)} />`}
    ${
      paying &&
      html`<${PayDialog} order=${paying} onClose=${(message: string | null) => {
        setPaying(null);
        if (message) setNotice({ tone: 'ok', text: message });
        loadRecent();
      }} />`
    }
    ${
      picking &&
      html`<${ModifierDialog} item=${picking} catalog=${catalog} currency=${menu.currency}
      onCancel=${() => setPicking(null)} onAdd=${add} />`
    }
  </div>`;
}

function ModifierDialog({
  item,
  catalog,
  currency,
  onCancel,
  onAdd,
}: {
  item: MenuItem;
  catalog: Catalog;
  currency: string;
  onCancel: () => void;
  onAdd: (item: MenuItem, modifiers: string[], qty: number, note: string) => void;
}) {
  const groups = item.modifierGroupIds.map((id) => catalog.groups.get(id)!) as ModifierGroup[];
  const [chosen, setChosen] = useState<Record<string, string[]>>(() =>
    Object.fromEntries(
      groups.map((g) => [g.id, g.minChoices > 0 ? g.options.filter((o) => o.default).map((o) => o.id) : []]),
    ),
  );
  const [qty, setQty] = useState(1);
  const [note, setNote] = useState('');
  const toggle = (g: ModifierGroup, optionId: string) => {
    const now = chosen[g.id] ?? [];
    let next: string[];
    if (now.includes(optionId)) next = now.filter((o) => o !== optionId);
    else if (g.maxChoices === 1) next = [optionId];
    else if (now.length < g.maxChoices) next = [...now, optionId];
    else return;
    setChosen({ ...chosen, [g.id]: next });
  };
  const valid = groups.every((g) => (chosen[g.id]?.length ?? 0) >= g.minChoices);
  const unit =
    item.price +
    groups
      .flatMap((g) => g.options.filter((o) => chosen[g.id]?.includes(o.id)))
      .reduce((s, o) => s + o.priceDelta, 0);
  return html`<div class="dialog-backdrop" onClick=${(e: Event) => e.target === e.currentTarget && onCancel()}>
    <div class="dialog" role="dialog" aria-label=${item.name} data-testid="modifiers">
      <h2>${item.name}</h2>
      <p class="muted">${item.description}</p>
      ${groups.map(
        (g) => html`<fieldset>
          <legend>${g.name} <small>${g.minChoices > 0 ? `choose ${g.minChoices === g.maxChoices ? g.minChoices : `${g.minChoices}–${g.maxChoices}`}` : `up to ${g.maxChoices}`}</small></legend>
          ${g.options.map(
            (
              o,
            ) => html`<button class=${chosen[g.id]?.includes(o.id) ? 'opt on' : 'opt'} onClick=${() => toggle(g, o.id)} data-option=${o.id}>
              ${o.name}${o.priceDelta !== 0 ? html` <small>${o.priceDelta > 0 ? '+' : ''}${money(o.priceDelta, currency)}</small>` : ''}
            </button>`,
          )}
        </fieldset>`,
      )}
      <label class="note-field">Note for the kitchen <input value=${note} maxlength="280" onInput=${(e: Event) => setNote((e.target as HTMLInputElement).value)} data-testid="note" /></label>
      <div class="dialog-actions">
        <div class="stepper">
          <button onClick=${() => setQty(Math.max(1, qty - 1))} aria-label="less">−</button><span data-testid="qty">${qty}</span
          ><button onClick=${() => setQty(Math.min(999, qty + 1))} aria-label="more">+</button>
        </div>
        <button onClick=${onCancel}>Cancel</button>
        <button class="primary" disabled=${!valid} onClick=${() =>
          onAdd(
            item,
            groups.flatMap((g) => chosen[g.id] ?? []),
            qty,
            note.trim(),
          )} data-testid="add">
          Add · ${money(unit * qty, currency)}
        </button>
      </div>
    </div>
  </div>`;
}

render(html`<${App} />`, document.getElementById('app')!);
