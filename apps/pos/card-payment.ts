import { useEffect, useState } from 'preact/hooks';
import type { Payment } from '../../protocol/payments.ts';
import { api, HubUnreachable } from '../shared/session.ts';
import { html, money } from '../shared/ui.ts';

/** Payment events from the till's realtime stream, for the dialog watching one payment. */
export type PaymentFeed = EventTarget;
export const paymentEvent = 'payment';

/**
 * A card payment on the reader, followed live: the hub answers at once and the attempt's progress
 * arrives as `payment.updated` events (with a slow poll behind them, for a stream that is
 * reconnecting). The cashier can cancel it, or try again after a failure.
 */
export function useCardPayment(initial: Payment, feed: PaymentFeed) {
  const [payment, setPayment] = useState(initial);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const onEvent = (e: Event) => {
      const p = (e as CustomEvent<Payment>).detail;
      if (p.id === initial.id) setPayment((old) => (p.updatedAt >= old.updatedAt ? p : old));
    };
    feed.addEventListener(paymentEvent, onEvent);
    const poll = setInterval(async () => {
      try {
        const res = await api<Payment>('GET', `/api/v1/payments/${initial.id}`);
        if (res.ok) setPayment((old) => (res.body.updatedAt >= old.updatedAt ? res.body : old));
      } catch {
        // the hub is away for a moment: the next poll or event catches up
      }
    }, 3_000);
    return () => {
      feed.removeEventListener(paymentEvent, onEvent);
      clearInterval(poll);
    };
  }, [initial.id]);

  const command = async (path: string, body?: unknown) => {
    setBusy(true);
    setProblem(null);
    try {
      const res = await api<Payment>('POST', `/api/v1/payments/${payment.id}/${path}`, body);
      if (res.ok) setPayment(res.body);
      else {
        setProblem(res.problem?.detail ?? `failed (${res.status})`);
        const latest = await api<Payment>('GET', `/api/v1/payments/${payment.id}`);
        if (latest.ok) setPayment(latest.body);
      }
    } catch (err) {
      setProblem(
        err instanceof HubUnreachable ? 'The hub is unreachable; try again in a moment.' : String(err),
      );
    } finally {
      setBusy(false);
    }
  };
  return {
    payment,
    problem,
    busy,
    cancel: () => command('cancel'),
    retry: (readerId: string) => command('retry', { attempt: payment.reader!.attempt + 1, readerId }),
  };
}

/** Seconds until the reader stops waiting, ticking. */
function useSecondsLeft(deadlineAt: string | null): number | null {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, []);
  return deadlineAt ? Math.max(0, Math.ceil((Date.parse(deadlineAt) - now) / 1000)) : null;
}

const stageText: Record<string, string> = {
  starting: 'Sending the amount to the reader…',
  waiting_for_card: 'Ask the guest to tap, insert or swipe their card on the reader.',
  capturing: 'Approved. Completing the payment…',
  checking: 'Checking with Stripe whether the card was charged…',
  cancelling: 'Stopping the reader…',
};

/** What the cashier sees while a card payment is on the reader. */
export function CardProgress({
  card,
  currency,
  reader,
  onReader,
  onStandalone,
}: {
  card: ReturnType<typeof useCardPayment>;
  currency: string;
  reader: string;
  onReader: (id: string) => void;
  onStandalone: () => void;
}) {
  const { payment, problem, busy } = card;
  const stage = payment.reader?.stage ?? null;
  const left = useSecondsLeft(stage === 'waiting_for_card' ? (payment.reader?.deadlineAt ?? null) : null);
  const failed = stage === 'attempt_failed';
  const offline = payment.failure?.code === 'stripe_unreachable';
  return html`<div class="card-progress" data-testid="card-progress" data-stage=${stage ?? payment.status}>
    <p class="card-amount" data-testid="card-attempt">${money(payment.amount + payment.tip, currency)} on reader <b>${payment.reader?.id}</b> · attempt ${payment.reader?.attempt}</p>
    ${
      stage &&
      !failed &&
      html`<p class="notice warn" data-testid="card-stage"><span class="spinner"></span>${stageText[stage]}
      ${left !== null && html` <b data-testid="card-seconds">${left} s</b>`}</p>`
    }
    ${payment.failure && html`<p class="notice bad" data-testid="card-failure" data-code=${payment.failure.code}>${payment.failure.message}</p>`}
    ${problem && html`<p class="notice bad" data-testid="card-problem">${problem}</p>`}
    ${
      failed &&
      html`<label class="note-field">Reader <input value=${reader} onInput=${(e: Event) => onReader((e.target as HTMLInputElement).value)} data-testid="retry-reader" /></label>`
    }
    <div class="dialog-actions">
      <button disabled=${busy} onClick=${card.cancel} data-testid="card-cancel">Cancel payment</button>
      ${offline && html`<button disabled=${busy} onClick=${onStandalone} data-testid="use-standalone">Card on standalone terminal</button>`}
      ${failed && html`<button class="primary" disabled=${busy} onClick=${() => card.retry(reader)} data-testid="card-retry">Try again</button>`}
    </div>
  </div>`;
}
