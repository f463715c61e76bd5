import { useEffect, useState } from 'preact/hooks';
import type { Order } from '../../protocol/orders.ts';
import type { OrderPayments, Payment, PaymentMethod } from '../../protocol/payments.ts';
import { uuidv7Source } from '../../protocol/uuidv7.ts';
import { api, HubUnreachable } from '../shared/session.ts';
import { html, money } from '../shared/ui.ts';
import { CardProgress, type PaymentFeed, useCardPayment } from './card-payment.ts';

const newId = uuidv7Source();
const readerKey = 'grow.pos.reader';
const brands = ['visa', 'mastercard', 'amex', 'discover', 'other'] as const;
/** Field names as the form labels them, for refusals that name a field. */
const fieldLabel: Record<string, string> = {
  amount: 'Amount',
  tip: 'Tip',
  tendered: 'Cash tendered',
  readerId: 'Reader',
  'standalone.last4': 'Card last 4',
  'standalone.brand': 'Card brand',
  'standalone.reference': "Terminal's receipt number",
};

/** A refusal in the cashier's words: the form's own field names, never the API's. */
function cashierMessage(
  problem: { code: string; detail: string; errors?: { field: string; message: string }[] } | null,
  status: number,
): string {
  if (!problem) return `The hub could not take it (${status}); try again.`;
  if (problem.code === 'VALIDATION_FAILED' && problem.errors?.length) {
    return problem.errors.map((e) => `${fieldLabel[e.field] ?? e.field}: ${e.message}`).join('. ');
  }
  return problem.detail;
}

const methodLabel: Record<PaymentMethod, string> = {
  cash: 'Cash',
  card_present: 'Card on reader',
  card_standalone: 'Card on standalone terminal',
};

/**
 * Take payment for an order: cash with change due; a card on the Stripe Terminal reader, followed
 * live until it is approved, declined, or cancelled; or, when Stripe cannot be reached, a card
 * taken on a standalone terminal (within the hub's limits, verified later by a manager).
 */
export function PayDialog({
  order,
  feed,
  onClose,
}: {
  order: Order;
  feed: PaymentFeed;
  onClose: (message: string | null) => void;
}) {
  const [summary, setSummary] = useState<OrderPayments | null>(null);
  const [method, setMethod] = useState<PaymentMethod>('cash');
  const [amount, setAmount] = useState('');
  const [tip, setTip] = useState('0');
  const [tendered, setTendered] = useState('');
  const [reader, setReader] = useState(localStorage.getItem(readerKey) ?? 'tmr_front');
  const [standalone, setStandalone] = useState({ last4: '', brand: 'visa', reference: '' });
  const [error, setError] = useState<string | null>(null);
  const [info, setInfo] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [onReader, setOnReader] = useState<Payment | null>(null);
  const [presets, setPresets] = useState<number[]>([]);
  const load = async () => {
    const res = await api<OrderPayments>('GET', `/api/v1/orders/${order.id}/payments`);
    if (res.ok) {
      setSummary(res.body);
      setAmount((res.body.due / 100).toFixed(2));
    }
  };
  useEffect(() => {
    load();
    api<{ tipPresets: number[] }>('GET', '/api/v1/service-settings')
      .then((r) => r.ok && setPresets(r.body.tipPresets))
      .catch(() => undefined);
  }, []);
  const cents = (s: string) => Math.round(Number(s || '0') * 100);
  const change = method === 'cash' && tendered ? cents(tendered) - cents(amount) - cents(tip) : 0;
  const submit = async () => {
    setBusy(true);
    setError(null);
    setInfo(null);
    if (method === 'card_present') localStorage.setItem(readerKey, reader);
    const body = {
      id: newId(),
      method,
      amount: cents(amount),
      tip: cents(tip),
      ...(method === 'cash' && tendered ? { tendered: cents(tendered) } : {}),
      ...(method === 'card_present' ? { readerId: reader } : {}),
      ...(method === 'card_standalone'
        ? {
            standalone: {
              last4: standalone.last4,
              brand: standalone.brand,
              ...(standalone.reference ? { reference: standalone.reference } : {}),
            },
          }
        : {}),
    };
    try {
      const res = await api<Payment>('POST', `/api/v1/orders/${order.id}/payments`, body);
      if (!res.ok) {
        setError(cashierMessage(res.problem, res.status));
        if (res.problem?.code === 'CARD_UNAVAILABLE') setMethod('card_standalone');
        return;
      }
      const p = res.body;
      if (p.status === 'pending') {
        setOnReader(p);
        return;
      }
      onClose(
        p.method === 'cash' && p.changeDue > 0
          ? `Paid. Change due: ${money(p.changeDue, order.currency)}`
          : p.status === 'unverified'
            ? `Standalone card recorded (•••• ${p.card?.last4}); a manager verifies it later.`
            : `Payment ${p.status}`,
      );
    } catch (err) {
      setError(
        err instanceof HubUnreachable
          ? 'The hub is unreachable; try again in a moment.'
          : (err as Error).message,
      );
    } finally {
      setBusy(false);
    }
  };
  const field = (label: string, value: string, set: (v: string) => void, testid: string) =>
    html`<label class="note-field">${label} <input inputmode="decimal" value=${value} onInput=${(e: Event) => set((e.target as HTMLInputElement).value)} data-testid=${testid} /></label>`;
  return html`<div class="dialog-backdrop">
    <div class="dialog" role="dialog" aria-label="Take payment" data-testid="pay">
      <h2>Check #${order.number} · ${money(order.total, order.currency)}</h2>
      ${summary && html`<p class="muted">Paid ${money(summary.paid, order.currency)} · due <b data-testid="due">${money(summary.due, order.currency)}</b></p>`}
      ${
        onReader
          ? html`<${CardOnReader} initial=${onReader} feed=${feed} currency=${order.currency} reader=${reader}
              onReader=${setReader}
              onDone=${(message: string | null) => {
                setOnReader(null);
                if (message) onClose(message);
                else {
                  setInfo('Card payment cancelled; nothing was charged.');
                  load();
                }
              }}
              onStandalone=${() => {
                setOnReader(null);
                setMethod('card_standalone');
                load();
              }} />`
          : html`<fieldset>
              ${(['cash', 'card_present', 'card_standalone'] as const).map(
                (m) =>
                  html`<button class=${method === m ? 'opt on' : 'opt'} onClick=${() => setMethod(m)} data-method=${m}>${methodLabel[m]}</button>`,
              )}
            </fieldset>
            ${field('Amount', amount, setAmount, 'amount')} ${field('Tip', tip, setTip, 'tip')}
            ${
              method !== 'cash' &&
              presets.length > 0 &&
              html`<fieldset aria-label="Tip presets">${presets.map(
                (p) =>
                  html`<button class=${cents(tip) === Math.round((cents(amount) * p) / 100) ? 'opt on' : 'opt'} data-tip=${p}
                    onClick=${() => setTip((Math.round((cents(amount) * p) / 100) / 100).toFixed(2))}>${p} %</button>`,
              )}</fieldset>`
            }
            ${method === 'cash' && field('Cash tendered', tendered, setTendered, 'tendered')}
            ${method === 'cash' && change > 0 && html`<p class="notice ok" data-testid="change">Change due: ${money(change, order.currency)}</p>`}
            ${method === 'card_present' && field('Reader', reader, setReader, 'reader')}
            ${
              method === 'card_standalone' &&
              html`<p class="muted" data-testid="standalone-policy">Only when the reader cannot reach Stripe: take the card on the standalone terminal, then record it here. It has no authorisation the hub can see, so the restaurant carries the risk until a manager verifies it; the hub caps each payment and the total.</p>
              <fieldset aria-label="Card brand">${brands.map(
                (b) =>
                  html`<button class=${standalone.brand === b ? 'opt on' : 'opt'} onClick=${() => setStandalone({ ...standalone, brand: b })} data-brand=${b}>${b}</button>`,
              )}</fieldset>
              ${field('Card last 4', standalone.last4, (v) => setStandalone({ ...standalone, last4: v }), 'last4')}
              ${field("Terminal's receipt number (optional)", standalone.reference, (v) => setStandalone({ ...standalone, reference: v }), 'reference')}`
            }
            ${info && html`<p class="notice ok" data-testid="pay-info">${info}</p>`}
            ${error && html`<p class="notice bad" data-testid="pay-error">${error}</p>`}
            ${summary?.due === 0 && html`<p class="notice ok" data-testid="nothing-due">Nothing is due on this check: it is paid.</p>`}
            <div class="dialog-actions">
              <button onClick=${() => onClose(null)}>Close</button>
              <button class="primary" disabled=${busy || summary?.due === 0 || cents(amount) < 1} onClick=${submit} data-testid="take-payment">Take ${money(cents(amount) + cents(tip), order.currency)}</button>
            </div>`
      }
    </div>
  </div>`;
}

/** The card payment under way; it ends the dialog when approved, or returns to the form when voided. */
function CardOnReader({
  initial,
  feed,
  currency,
  reader,
  onReader,
  onDone,
  onStandalone,
}: {
  initial: Payment;
  feed: PaymentFeed;
  currency: string;
  reader: string;
  onReader: (id: string) => void;
  onDone: (message: string | null) => void;
  onStandalone: () => void;
}) {
  const card = useCardPayment(initial, feed);
  const { payment } = card;
  useEffect(() => {
    if (payment.status === 'captured') {
      const last4 = payment.card ? ` · ${payment.card.brand} •••• ${payment.card.last4}` : '';
      onDone(`Card approved: ${money(payment.amount + payment.tip, currency)}${last4}`);
    }
    if (payment.status === 'voided') onDone(null);
  }, [payment.status]);
  const standalone = async () => {
    await card.cancel(); // the reader must not take the card too
    onStandalone();
  };
  return html`<${CardProgress} card=${card} currency=${currency} reader=${reader} onReader=${onReader} onStandalone=${standalone} />`;
}
