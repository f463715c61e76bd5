import { useEffect, useState } from 'preact/hooks';
import type { Order } from '../../protocol/orders.ts';
import type { OrderPayments, Payment } from '../../protocol/payments.ts';
import { uuidv7Source } from '../../protocol/uuidv7.ts';
import { api, HubUnreachable } from '../shared/session.ts';
import { html, money } from '../shared/ui.ts';

const newId = uuidv7Source();
const readerKey = 'grow.pos.reader';

/**
 * Take payment for an order: cash with change due, a card on the Stripe Terminal reader, or, when
 * the hub cannot reach Stripe, a card the terminal stored offline (within the hub's limits).
 */
export function PayDialog({ order, onClose }: { order: Order; onClose: (message: string | null) => void }) {
  const [summary, setSummary] = useState<OrderPayments | null>(null);
  const [method, setMethod] = useState<'cash' | 'card_present' | 'card_offline_forwarded'>('cash');
  const [amount, setAmount] = useState('');
  const [tip, setTip] = useState('0');
  const [tendered, setTendered] = useState('');
  const [reader, setReader] = useState(localStorage.getItem(readerKey) ?? '');
  const [offline, setOffline] = useState({ last4: '', brand: 'visa', authorisationCode: '' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = async () => {
    const res = await api<OrderPayments>('GET', `/api/v1/orders/${order.id}/payments`);
    if (res.ok) {
      setSummary(res.body);
      setAmount((res.body.due / 100).toFixed(2));
    }
  };
  useEffect(() => {
    load();
  }, []);
  const cents = (s: string) => Math.round(Number(s || '0') * 100);
  const change = method === 'cash' && tendered ? cents(tendered) - cents(amount) - cents(tip) : 0;
  const submit = async () => {
    setBusy(true);
    setError(null);
    if (method === 'card_present') localStorage.setItem(readerKey, reader);
    const body = {
      id: newId(),
      method,
      amount: cents(amount),
      tip: cents(tip),
      ...(method === 'cash' && tendered ? { tendered: cents(tendered) } : {}),
      ...(method === 'card_present' ? { readerId: reader } : {}),
      ...(method === 'card_offline_forwarded' ? { offline } : {}),
    };
    try {
      const res = await api<Payment>('POST', `/api/v1/orders/${order.id}/payments`, body, 30_000);
      if (!res.ok) {
        setError(res.problem?.detail ?? `failed (${res.status})`);
        if (res.problem?.code === 'CARD_UNAVAILABLE') setMethod('card_offline_forwarded');
        return;
      }
      const p = res.body;
      onClose(
        p.method === 'cash' && p.changeDue > 0
          ? `Paid. Change due: ${money(p.changeDue, order.currency)}`
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
      <h2>Order #${order.number} · ${money(order.total, order.currency)}</h2>
      ${summary && html`<p class="muted">Paid ${money(summary.paid, order.currency)} · due <b data-testid="due">${money(summary.due, order.currency)}</b></p>`}
      <fieldset>
        ${(['cash', 'card_present', 'card_offline_forwarded'] as const).map(
          (
            m,
          ) => html`<button class=${method === m ? 'opt on' : 'opt'} onClick=${() => setMethod(m)} data-method=${m}>
            ${m === 'cash' ? 'Cash' : m === 'card_present' ? 'Card' : 'Card (terminal offline)'}
          </button>`,
        )}
      </fieldset>
      ${field('Amount', amount, setAmount, 'amount')} ${field('Tip', tip, setTip, 'tip')}
      ${method === 'cash' && field('Cash tendered', tendered, setTendered, 'tendered')}
      ${method === 'cash' && change > 0 && html`<p class="notice ok" data-testid="change">Change due: ${money(change, order.currency)}</p>`}
      ${method === 'card_present' && field('Reader id', reader, setReader, 'reader')}
      ${
        method === 'card_offline_forwarded' &&
        html`<p class="muted">Only when the hub cannot reach Stripe: the terminal stores the card and forwards it later. The restaurant carries the decline risk; the hub caps the amounts.</p>
        ${field('Card last 4', offline.last4, (v) => setOffline({ ...offline, last4: v }), 'last4')}
        ${field('Approval code from the terminal', offline.authorisationCode, (v) => setOffline({ ...offline, authorisationCode: v }), 'auth')}`
      }
      ${error && html`<p class="notice bad" data-testid="pay-error">${error}</p>`}
      <div class="dialog-actions">
        <button onClick=${() => onClose(null)}>Cancel</button>
        <button class="primary" disabled=${busy} onClick=${submit} data-testid="take-payment">Take ${money(cents(amount) + cents(tip), order.currency)}</button>
      </div>
    </div>
  </div>`;
}
