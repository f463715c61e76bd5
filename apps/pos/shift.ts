import { useEffect, useState } from 'preact/hooks';
import type { Checkout, DayFigures, DrawerView, Punch, ZReport } from '../../protocol/day.ts';
import type { ApprovalInput } from '../../protocol/staff.ts';
import { uuidv7Source } from '../../protocol/uuidv7.ts';
import { overShortWords } from '../../rules/day.ts';
import { type ApiAnswer, api } from '../shared/session.ts';
import { html, money } from '../shared/ui.ts';
import type { OnDuty } from './sign-in.ts';

const newId = uuidv7Source();
/** Bills and coins a US drawer holds, in cents, for the blind count at close. */
const denominations = [10_000, 5_000, 2_000, 1_000, 500, 100, 25, 10, 5, 1];
const cents = (s: string) => Math.round(Number(s || '0') * 100);

type Ask = (why: string, permission: string | null) => Promise<ApprovalInput | null>;

/**
 * The signed-in person's shift on this till (docs/staff.md): the time clock, the cash drawer
 * (open with a float, paid-in/out, drop, no-sale, a blind count at close), their checkout, and
 * for whoever may close the day, the X report and the Z.
 */
export function ShiftPanel({
  me,
  ask,
  onClose,
  onSignOut,
}: {
  me: OnDuty;
  ask: Ask;
  onClose: () => void;
  onSignOut: () => void;
}) {
  const [punch, setPunch] = useState<Punch | null>(null);
  const [drawer, setDrawer] = useState<DrawerView | null>(null);
  const [checkout, setCheckout] = useState<Checkout | null>(null);
  const [x, setX] = useState<DayFigures | null>(null);
  const [z, setZ] = useState<ZReport | null>(null);
  const [counted, setCounted] = useState<DrawerView | null>(null);
  const [message, setMessage] = useState<{ tone: 'ok' | 'bad'; text: string } | null>(null);
  const [openChecks, setOpenChecks] = useState<{ number: number; tableLabel: string | null }[]>([]);
  const mayClose = me.permissions.includes('day.close');

  const load = async () => {
    const [punches, current, mine] = await Promise.all([
      api<{ punches: Punch[] }>('GET', '/api/v1/punches'),
      api<{ drawer: DrawerView | null }>('GET', '/api/v1/drawers/current'),
      api<Checkout>('GET', `/api/v1/staff/${me.id}/checkout`),
    ]);
    setPunch(punches.body.punches?.find((p) => p.staff.staffId === me.id && p.outAt === null) ?? null);
    setDrawer(current.body.drawer ?? null);
    if (mine.ok) setCheckout(mine.body);
    if (mayClose) {
      const report = await api<DayFigures>('GET', '/api/v1/reports/x');
      if (report.ok) setX(report.body);
    }
  };
  useEffect(() => {
    load().catch(() => setMessage({ tone: 'bad', text: 'The hub is unreachable; try again in a moment.' }));
  }, []);

  /** A command; asks a manager to override when the hub says a permission is missing. */
  const send = async <T>(
    path: string,
    body: Record<string, unknown>,
    done: string,
  ): Promise<ApiAnswer<T> | null> => {
    let res = await api<T>('POST', path, { commandId: newId(), ...body });
    if (res.problem?.code === 'PERMISSION_REQUIRED') {
      const approval = await ask(res.problem.detail, res.problem.permission ?? null);
      if (!approval) return null;
      res = await api<T>('POST', path, { commandId: newId(), ...body, approval });
    }
    setOpenChecks(
      res.problem?.code === 'CHECKS_OPEN' ? ((res.problem.openChecks ?? []) as typeof openChecks) : [],
    );
    setMessage(
      res.ok
        ? { tone: 'ok', text: done }
        : { tone: 'bad', text: res.problem?.detail ?? `The hub answered ${res.status}.` },
    );
    await load();
    return res;
  };

  return html`<div class="dialog-backdrop">
    <div class="dialog shift" role="dialog" aria-label="Shift" data-testid="shift">
      <h2>${me.name}</h2>
      ${message && html`<p class="notice ${message.tone}" data-testid="shift-message">${message.text}</p>`}
      ${
        openChecks.length > 0 &&
        html`<ul class="open-checks" data-testid="open-checks">${openChecks.map((c) => html`<li>#${c.number} ${c.tableLabel ?? ''}</li>`)}</ul>`
      }

      <h3>Time clock</h3>
      ${
        punch
          ? html`<p>On the clock since ${time(punch.inAt)} as ${punch.job}${punch.breaks.some((b) => !b.endAt) ? ' · on a break' : ''}.</p>
            <div class="row">
              ${
                punch.breaks.some((b) => !b.endAt)
                  ? html`<button onClick=${() => send('/api/v1/clock/break-end', {}, 'Break ended.')} data-testid="break-end">End break</button>`
                  : html`<button onClick=${() => send('/api/v1/clock/break', { paid: false }, 'On a break.')} data-testid="break">Start a break</button>`
              }
              <button onClick=${() => send('/api/v1/clock/out', {}, 'Clocked out.')} data-testid="clock-out">Clock out</button>
            </div>`
          : html`<button class="primary" onClick=${() => send('/api/v1/clock/in', {}, 'Clocked in.')} data-testid="clock-in">Clock in</button>`
      }

      <h3>Cash drawer</h3>
      ${counted && html`<${CountResult} drawer=${counted} />`}
      ${
        drawer
          ? html`<${DrawerCard} drawer=${drawer} send=${send} onClosed=${setCounted} />`
          : html`<${OpenDrawer} send=${send} />`
      }

      <h3>My checkout</h3>
      ${checkout && html`<${CheckoutCard} checkout=${checkout} send=${send} />`}

      ${
        mayClose &&
        x &&
        html`<h3>Close the day</h3><${DayCard} x=${x} z=${z} send=${async (force: boolean) => {
          const res = await send<ZReport>('/api/v1/day/close', { force }, 'Day closed.');
          if (res?.ok) setZ(res.body);
        }} />`
      }

      <div class="dialog-actions">
        <button onClick=${onSignOut} data-testid="sign-out">Sign out</button>
        <button class="primary" onClick=${onClose} data-testid="shift-close">Done</button>
      </div>
    </div>
  </div>`;
}

type Send = <T>(path: string, body: Record<string, unknown>, done: string) => Promise<ApiAnswer<T> | null>;

function OpenDrawer({ send }: { send: Send }) {
  const [float, setFloat] = useState('200.00');
  return html`<div class="row">
    <label class="note-field">Opening float <input inputmode="decimal" value=${float} onInput=${(e: Event) => setFloat((e.target as HTMLInputElement).value)} data-testid="float" /></label>
    <button class="primary" onClick=${() => send('/api/v1/drawers', { float: cents(float) }, 'Drawer open.')} data-testid="open-drawer">Open the drawer</button>
  </div>`;
}

const moveLabel = {
  paid_in: 'Paid in',
  paid_out: 'Paid out',
  drop: 'Drop to safe',
  no_sale: 'No sale',
} as const;

/** What the blind count came to, once the drawer is closed. */
function CountResult({ drawer }: { drawer: DrawerView }) {
  const d = drawer.overShort ?? 0;
  const words = overShortWords(d, money);
  return html`<p class="notice ${d === 0 ? 'ok' : 'bad'}" data-testid="over-short">Counted ${money(drawer.countedTotal ?? 0)} against ${money(drawer.expected ?? 0)} expected: ${words}.</p>`;
}

function DrawerCard({
  drawer,
  send,
  onClosed,
}: {
  drawer: DrawerView;
  send: Send;
  onClosed: (d: DrawerView) => void;
}) {
  const [kind, setKind] = useState<keyof typeof moveLabel>('paid_out');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [counting, setCounting] = useState(false);
  const [counts, setCounts] = useState<Record<string, string>>({});
  const counted = Object.fromEntries(denominations.map((d) => [String(d), Number(counts[d] || 0)]));
  const total = denominations.reduce((s, d) => s + d * Number(counts[d] || 0), 0);
  return html`<div data-testid="drawer">
    <p class="muted">Open since ${time(drawer.openedAt)} · float ${money(drawer.float)}${drawer.figures ? ` · should hold ${money(drawer.figures.expected)}` : ''}</p>
    <ul class="moves">${drawer.moves.map((m) => html`<li>${moveLabel[m.kind]} ${m.amount ? money(m.amount) : ''} ${m.reason ?? ''} · ${m.by?.name ?? ''}${m.approvedBy ? ` (approved by ${m.approvedBy.name})` : ''}</li>`)}</ul>
    ${
      counting
        ? html`<p class="muted">Count what is in the drawer; the hub says what it expected once you close.</p>
          <div class="count">${denominations.map(
            (d) =>
              html`<label>${money(d)} × <input inputmode="numeric" value=${counts[d] ?? ''} data-denomination=${d}
                onInput=${(e: Event) => setCounts({ ...counts, [d]: (e.target as HTMLInputElement).value.replace(/\D/g, '') })} /></label>`,
          )}</div>
          <p>Counted <b data-testid="counted">${money(total)}</b></p>
          <div class="row"><button onClick=${() => setCounting(false)}>Back</button>
          <button class="primary" data-testid="close-drawer" onClick=${async () => {
            const res = await send<DrawerView>(
              `/api/v1/drawers/${drawer.id}/close`,
              { counted },
              'Drawer closed.',
            );
            if (res?.ok) onClosed(res.body);
          }}>Close the drawer</button></div>`
        : html`<fieldset aria-label="Cash move">${(Object.keys(moveLabel) as (keyof typeof moveLabel)[]).map(
            (k) =>
              html`<button class=${kind === k ? 'opt on' : 'opt'} onClick=${() => setKind(k)} data-move=${k}>${moveLabel[k]}</button>`,
          )}</fieldset>
          <div class="row">
            ${kind !== 'no_sale' && html`<label class="note-field">Amount <input inputmode="decimal" value=${amount} onInput=${(e: Event) => setAmount((e.target as HTMLInputElement).value)} data-testid="move-amount" /></label>`}
            <label class="note-field">Reason <input value=${reason} onInput=${(e: Event) => setReason((e.target as HTMLInputElement).value)} data-testid="move-reason" /></label>
            <button onClick=${async () => {
              const body = {
                kind,
                amount: kind === 'no_sale' ? 0 : cents(amount),
                ...(reason.trim() ? { reason } : {}),
              };
              const res = await send(
                `/api/v1/drawers/${drawer.id}/moves`,
                body,
                `${moveLabel[kind]} recorded.`,
              );
              if (res?.ok) {
                setAmount('');
                setReason('');
              }
            }} data-testid="record-move">Record</button>
          </div>
          <button onClick=${() => setCounting(true)} data-testid="count-drawer">Count and close the drawer</button>`
    }
  </div>`;
}

function CheckoutCard({ checkout, send }: { checkout: Checkout; send: Send }) {
  const [declared, setDeclared] = useState('');
  if (checkout.checkedOutAt)
    return html`<p class="notice ok" data-testid="checked-out">Checked out at ${time(checkout.checkedOutAt)}: ${money(checkout.cashOwed)} ${checkout.cashOwed >= 0 ? 'to the house' : 'owed to you'}.</p>`;
  return html`<div data-testid="checkout">
    <p>${checkout.checks} checks · sales ${money(checkout.sales)} · card tips ${money(checkout.cardTips)} · cash taken ${money(checkout.cashTaken)}</p>
    <p>Cash to hand in: <b data-testid="cash-owed">${money(checkout.cashOwed)}</b></p>
    ${checkout.openChecks.length > 0 && html`<p class="notice warn">Still open: ${checkout.openChecks.map((c) => `#${c.number}`).join(', ')}</p>`}
    <div class="row">
      <label class="note-field">Cash tips declared <input inputmode="decimal" value=${declared} onInput=${(e: Event) => setDeclared((e.target as HTMLInputElement).value)} data-testid="declared-tips" /></label>
      <button onClick=${() => send('/api/v1/checkout', { declaredCashTips: cents(declared) }, 'Checked out.')} data-testid="check-out">Check out</button>
    </div>
  </div>`;
}

function DayCard({ x, z, send }: { x: DayFigures; z: ZReport | null; send: (force: boolean) => void }) {
  if (z)
    return html`<p class="notice ok" data-testid="z-done">Z #${z.number} closed ${z.figures.businessDate}: net sales ${money(z.figures.net)}, tax ${money(z.figures.tax)}, drawers ${overShortWords(z.figures.overShort, money)}.</p>`;
  return html`<div data-testid="x-report">
    <p>${x.businessDate} so far: ${x.checks} checks · net ${money(x.net)} · tax ${money(x.tax)} · tips ${money(x.tips.card + x.tips.cash)} · ${x.covers} covers</p>
    ${x.tenders.map((t) => html`<p class="muted">${t.method}: ${money(t.amount)} (${t.count})</p>`)}
    ${x.openChecks.length > 0 && html`<p class="notice warn">${x.openChecks.length} check(s) still open.</p>`}
    <div class="row">
      <button class="primary" onClick=${() => send(false)} data-testid="close-day">Close the day (Z)</button>
      ${x.openChecks.length > 0 && html`<button onClick=${() => send(true)} data-testid="close-day-force">Close anyway, carry open checks over</button>`}
    </div>
  </div>`;
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const time = (iso: string) => clock.format(new Date(iso));
