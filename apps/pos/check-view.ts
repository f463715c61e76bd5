import { useEffect, useState } from 'preact/hooks';
import type { CheckList, CheckSummary, Discount, FloorPlan } from '../../protocol/checks.ts';
import type { MenuView } from '../../protocol/menu.ts';
import type { Order, OrderLine } from '../../protocol/orders.ts';
import type { OrderPayments } from '../../protocol/payments.ts';
import { api } from '../shared/session.ts';
import { html, money } from '../shared/ui.ts';
import type { CommandOutcome } from './use-orders.ts';

type Run = (verb: string, fields: Record<string, unknown>, done: string) => Promise<void>;

const kitchenLabel: Record<OrderLine['kitchen'], string> = {
  unsent: 'not sent',
  held: 'held',
  fired: 'fired',
};

/**
 * One open check: its lines by course (seat, kitchen state, void, comp, discount), its money,
 * and what a server does to it: fire a held course, void, comp or discount chosen lines, split
 * by seat, evenly or by the chosen lines, move it to another table, pay, close. A new round is
 * built from the menu while the check is open and sent from here. When another till changed the
 * check first, the check as it now is shows with a one-tap redo.
 */
export function CheckView({
  checkId,
  menu,
  changes,
  round,
  command,
  onPay,
  onClose,
  onDone,
}: {
  checkId: string;
  menu: MenuView;
  /** Bumped by the till on every check event: the view reloads. */
  changes: number;
  /** The new round being built from the menu (rendered by the till's cart). */
  round: preact.ComponentChildren;
  command: (
    check: Order,
    verb: string,
    fields: Record<string, unknown>,
    label: string,
  ) => Promise<CommandOutcome>;
  onPay: (check: Order) => void;
  onClose: () => void;
  onDone: (text: string, tone?: 'ok' | 'bad' | 'warn') => void;
}) {
  const [check, setCheck] = useState<Order | null>(null);
  const [paid, setPaid] = useState<OrderPayments | null>(null);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [stale, setStale] = useState<{ redo: () => Promise<CommandOutcome> } | null>(null);
  const [panel, setPanel] = useState<'none' | 'discount' | 'split' | 'move'>('none');
  const [discounts, setDiscounts] = useState<Discount[]>([]);
  const [tables, setTables] = useState<FloorPlan['areas'][number]['tables']>([]);
  const [others, setOthers] = useState<CheckSummary[]>([]);
  const [ways, setWays] = useState(2);

  const load = async () => {
    const [c, p] = await Promise.all([
      api<Order>('GET', `/api/v1/orders/${checkId}`).catch(() => null),
      api<OrderPayments>('GET', `/api/v1/orders/${checkId}/payments`).catch(() => null),
    ]);
    if (c?.ok) setCheck(c.body);
    if (p?.ok) setPaid(p.body);
  };
  useEffect(() => {
    void load();
  }, [checkId, changes]);
  useEffect(() => setChosen(new Set()), [checkId]);
  if (!check) return html`<p class="muted">Opening the check…</p>`;

  const label = check.tableLabel ?? `Check #${check.number}`;
  const cur = (n: number) => money(n, check.currency);
  const closed = check.status === 'completed' || check.status === 'voided';
  const chosenIds = check.lines.filter((l) => chosen.has(l.id)).map((l) => l.id);
  const toggle = (id: string) => {
    const next = new Set(chosen);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setChosen(next);
  };
  const after = async (outcome: CommandOutcome, done: string) => {
    setStale(null);
    if (outcome.kind === 'done') {
      setChosen(new Set());
      setPanel('none');
      const value = outcome.value as Order | { checks: Order[] };
      onDone(
        'checks' in value ? `${done}: checks ${value.checks.map((c) => `#${c.number}`).join(', ')}` : done,
      );
    } else if (outcome.kind === 'queued')
      onDone(`${label}: ${done.toLowerCase()} queued until the hub is back`, 'warn');
    else if (outcome.kind === 'stale') {
      setCheck(outcome.current);
      setStale({ redo: outcome.redo });
    } else if (outcome.kind === 'refused') onDone(outcome.message, 'bad');
    await load();
  };
  const run: Run = async (verb, fields, done) => after(await command(check, verb, fields, label), done);
  const reason = (what: string) => {
    const r = prompt(`${what} — reason:`);
    return r && r.trim().length >= 3 ? r.trim() : null;
  };

  const held = [...new Set(check.lines.filter((l) => l.kitchen === 'held' && !l.void).map((l) => l.course!))];
  const courseName = (id: string | null) => menu.courses.find((c) => c.id === id)?.name ?? 'No course';
  const courses = [...new Set(check.lines.map((l) => l.course))].sort(
    (a, b) => menu.courses.findIndex((c) => c.id === a) - menu.courses.findIndex((c) => c.id === b),
  );
  const openPanel = async (p: typeof panel) => {
    setPanel(panel === p ? 'none' : p);
    if (p === 'discount' && discounts.length === 0) {
      const r = await api<{ discounts: Discount[] }>('GET', '/api/v1/discounts').catch(() => null);
      if (r?.ok) setDiscounts(r.body.discounts);
    }
    if (p === 'move') {
      const [plan, open] = await Promise.all([
        api<FloorPlan>('GET', '/api/v1/floor-plan').catch(() => null),
        api<CheckList>('GET', '/api/v1/checks?state=open&limit=100').catch(() => null),
      ]);
      if (plan?.ok) setTables(plan.body.areas.flatMap((a) => a.tables));
      if (open?.ok) setOthers(open.body.checks.filter((c) => c.id !== checkId));
    }
  };

  return html`<section class="check" data-testid="check" data-check=${check.id}>
    <div class="check-head">
      <h2>#${check.number} · ${label}</h2>
      <span class="muted">${check.guests ? `${check.guests} guests · ` : ''}${check.status.replace('_', ' ')}</span>
      <button onClick=${onClose} aria-label="Close the check" data-testid="close-check">✕</button>
    </div>
    ${
      stale &&
      html`<p class="notice warn" data-testid="stale">Check #${check.number} changed on another till; this is it now.
        <button onClick=${async () => after(await stale.redo(), 'Done again')} data-testid="redo">Redo my change</button></p>`
    }
    <ul class="lines check-lines" data-testid="check-lines">
      ${courses.map(
        (course) => html`<li class="course-head">${courseName(course)}</li>
        ${check.lines
          .filter((l) => l.course === course)
          .map(
            (
              l,
            ) => html`<li class=${`cl ${l.void ? 'voided' : ''} ${l.comp ? 'comped' : ''}`} data-line=${l.id} data-item=${l.itemId}>
              <label class="line-main">
                <input type="checkbox" checked=${chosen.has(l.id)} disabled=${closed || Boolean(l.void)} onChange=${() => toggle(l.id)} />
                <span class="qty">${l.qty}×</span>
                <span class="lname">${l.void ? html`<s>${l.name}</s>` : l.name}${l.share ? html` <small>(${l.share.part}/${l.share.parts})</small>` : ''}</span>
                ${l.seat && html`<span class="seat">S${l.seat}</span>`}
                <span class="kstate k-${l.kitchen}">${kitchenLabel[l.kitchen]}</span>
                <span class="ltotal">${l.void ? 'void' : l.comp ? 'comp' : cur(l.lineTotal - l.discount)}</span>
              </label>
              ${l.modifiers.length > 0 && html`<div class="mods">${l.modifiers.map((m) => m.name).join(', ')}</div>`}
              ${l.discount > 0 && !l.void && !l.comp && html`<div class="mods">discount −${cur(l.discount)}</div>`}
              ${l.void && html`<div class="mods">void: ${l.void.reason}${l.void.approvedBy ? ` · approved by ${l.void.approvedBy.name}` : ''}</div>`}
              ${l.comp && html`<div class="mods">comp: ${l.comp.reason}${l.comp.approvedBy ? ` · approved by ${l.comp.approvedBy.name}` : ''}</div>`}
            </li>`,
          )}`,
      )}
    </ul>
    <dl class="totals" data-testid="check-totals">
      <dt>Items</dt><dd>${cur(check.gross)}</dd>
      ${check.discounts > 0 && html`<dt>Discounts</dt><dd>−${cur(check.discounts)}</dd>`}
      ${check.comps > 0 && html`<dt>Comps</dt><dd>−${cur(check.comps)}</dd>`}
      ${check.taxes.map((t) => html`<dt>${t.name}</dt><dd>${cur(t.tax)}</dd>`)}
      <dt class="grand">Total</dt><dd class="grand" data-testid="check-total">${cur(check.total)}</dd>
      ${paid && paid.paid > 0 && html`<dt>Paid</dt><dd>${cur(paid.paid)}</dd>`}
      ${paid && html`<dt>Due</dt><dd data-testid="check-due">${cur(paid.due)}</dd>`}
    </dl>
    ${
      !closed &&
      html`<div class="check-actions">
        ${held.map((c) => html`<button class="primary" onClick=${() => run('fire', { course: c }, `${courseName(c)} fired`)} data-testid=${`fire-${c}`}>Fire ${courseName(c)}</button>`)}
        <button disabled=${chosenIds.length === 0} onClick=${() => {
          const r = reason(`Void ${chosenIds.length} line(s)`);
          if (r) void run('void-lines', { lineIds: chosenIds, reason: r }, 'Voided');
        }} data-testid="void-lines">Void</button>
        <button disabled=${chosenIds.length === 0} onClick=${() => {
          const r = reason(`Comp ${chosenIds.length} line(s)`);
          if (r) void run('comp', { lineIds: chosenIds, reason: r }, 'Comped');
        }} data-testid="comp-lines">Comp</button>
        <button onClick=${() => openPanel('discount')} data-testid="discount">Discount</button>
        <button onClick=${() => openPanel('split')} data-testid="split">Split</button>
        <button onClick=${() => openPanel('move')} data-testid="move">Move</button>
        ${paid && paid.due > 0 && html`<button class="primary" onClick=${() => onPay(check)} data-testid="pay-check">Pay ${cur(paid.due)}</button>`}
      </div>`
    }
    ${
      panel === 'discount' &&
      html`<div class="panel" data-testid="discount-panel">
        <p class="muted">${chosenIds.length > 0 ? `On the ${chosenIds.length} chosen line(s)` : 'On the whole check'}</p>
        ${discounts
          .filter((d) => d.scope === 'either' || d.scope === (chosenIds.length > 0 ? 'line' : 'check'))
          .map(
            (d) =>
              html`<button class="opt" onClick=${() =>
                run(
                  'discounts',
                  { discountId: d.id, ...(chosenIds.length > 0 ? { lineIds: chosenIds } : {}) },
                  `${d.name} applied`,
                )} data-discount=${d.id}>${d.name}</button>`,
          )}
      </div>`
    }
    ${
      panel === 'split' &&
      html`<div class="panel" data-testid="split-panel">
        <button class="opt" onClick=${() => run('split', { by: 'seat' }, 'Split by seat')} data-testid="split-seat">By seat</button>
        <button class="opt" disabled=${chosenIds.length === 0} onClick=${() => run('split', { by: 'items', groups: [chosenIds] }, 'Chosen lines split off')} data-testid="split-items">Chosen lines to a new check</button>
        <span class="stepper"><button onClick=${() => setWays(Math.max(2, ways - 1))} aria-label="fewer">−</button><span>${ways}</span><button onClick=${() => setWays(Math.min(20, ways + 1))} aria-label="more ways">+</button></span>
        <button class="opt" onClick=${() => run('split', { by: 'even', ways }, `Split evenly ${ways} ways`)} data-testid="split-even">Evenly ${ways} ways</button>
      </div>`
    }
    ${
      panel === 'move' &&
      html`<div class="panel" data-testid="move-panel">
        <p class="muted">Move this check to table:</p>
        ${tables.map((t) => html`<button class="opt" onClick=${() => run('move', { tableId: t.id }, `Moved to table ${t.name}`)} data-move=${t.id}>${t.name}</button>`)}
        ${
          others.length > 0 &&
          html`<p class="muted">${chosenIds.length > 0 ? `Move the ${chosenIds.length} chosen line(s) to check:` : 'Bring another check onto this one (merge):'}</p>
          ${others.map(
            (o) =>
              html`<button class="opt" data-other=${o.id} onClick=${() =>
                chosenIds.length > 0
                  ? run('transfer', { lineIds: chosenIds, toOrderId: o.id }, `Moved to check #${o.number}`)
                  : run(
                      'merge',
                      { fromOrderId: o.id },
                      `Check #${o.number} merged into this one`,
                    )}>#${o.number} ${o.tableLabel ?? ''}</button>`,
          )}`
        }
      </div>`
    }
    ${!closed && round}
    ${check.discountsApplied.length > 0 && html`<p class="muted small">${check.discountsApplied.map((d) => `${d.name} −${cur(d.amount)}`).join(' · ')}</p>`}
  </section>`;
}
