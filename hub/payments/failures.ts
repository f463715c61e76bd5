import type { CardFailure, CardFailureCode } from '../../protocol/payments.ts';

/**
 * What a cashier (or manager) reads for each card failure: what happened, then what to do. One
 * table, so the POS, the API and docs/payments.md (generated from it) say the same thing.
 */
export const cardFailureText: Record<CardFailureCode, { what: string; action: string }> = {
  card_declined: {
    what: 'The card was declined{detail}.',
    action: 'Ask for another card (Try again), or take cash.',
  },
  reader_offline: {
    what: 'The reader {reader} is offline.',
    action: 'Check it is on and on the Wi-Fi, then Try again; or choose another reader, or take cash.',
  },
  reader_busy: {
    what: 'The reader {reader} is busy with another payment.',
    action: 'Wait for it to finish (or cancel it on the other till), then Try again.',
  },
  reader_timeout: {
    what: 'The reader {reader} did not answer Stripe in time; nothing was charged.',
    action: 'Try again; if it keeps happening, restart the reader.',
  },
  reader_fault: {
    what: 'The reader {reader} reported a hardware fault.',
    action: 'Restart the reader, or use another one, or take cash.',
  },
  reader_not_found: {
    what: 'Stripe does not know a reader {reader}.',
    action: 'Check the reader id (tmr_…) on the reader or in the Stripe Dashboard.',
  },
  no_card_presented: {
    what: 'No card was presented in time; the reader was stopped and nothing was charged.',
    action: 'Try again when the guest is ready.',
  },
  customer_cancelled: {
    what: 'The guest cancelled on the reader.',
    action: 'Try again, or take cash.',
  },
  amount_too_small: {
    what: 'Card payments must be at least 0.50.',
    action: 'Take cash for this amount.',
  },
  stripe_unreachable: {
    what: 'Stripe cannot be reached (the internet may be down); nothing was charged.',
    action:
      'Take cash, or take the card on the standalone terminal and record it as "Card on standalone terminal".',
  },
  outcome_unknown: {
    what: 'Stripe stopped answering while the reader had this payment; the hub is finding out whether the card was charged.',
    action:
      'Wait: this updates by itself. If the guest cannot wait, take cash; a card charge found later is flagged for a refund.',
  },
  stripe_rejected_key: {
    what: "Stripe refused the hub's secret key.",
    action: 'Take cash; a manager must check stripeSecretKey (docs/payments.md).',
  },
  stripe_refused: {
    what: 'Stripe refused the request{detail}.',
    action: 'Take cash and tell the manager; the hub logged the details.',
  },
  interrupted: {
    what: 'The hub restarted during this attempt; the reader was stopped and nothing was charged.',
    action: 'Try again.',
  },
  not_charged: {
    what: 'This payment never reached Stripe; nothing was charged.',
    action: 'Take the payment again.',
  },
  stripe_cancelled: {
    what: 'Stripe cancelled this payment; nothing was charged.',
    action: 'Take the payment again.',
  },
  amount_mismatch: {
    what: 'Stripe holds a different amount for this payment{detail}.',
    action: 'A manager checks it in the Stripe Dashboard.',
  },
  order_overpaid: {
    what: 'The card was charged after the bill was paid another way{detail}.',
    action: 'A manager refunds this payment.',
  },
  unresolved: {
    what: 'Stripe has not confirmed this payment in 7 days of trying.',
    action: 'A manager looks it up in the Stripe Dashboard by its PaymentIntent or payment id.',
  },
  not_received: {
    what: 'The standalone terminal never paid this out{detail}.',
    action: 'The bill is due again; the restaurant carries the loss.',
  },
  earlier_note: {
    what: 'A note written by an earlier hub version{detail}.',
    action: 'Nothing to do; it is kept for the record.',
  },
};

/** The failure a person reads, with the reader and any detail filled in. */
export function cardFailure(
  code: CardFailureCode,
  fill: { reader?: string | null; detail?: string | null } = {},
): CardFailure {
  const text = cardFailureText[code];
  const what = text.what
    .replace('{reader}', fill.reader ?? '')
    .replace('{detail}', fill.detail ? ` (${fill.detail})` : '')
    .replace(/\s+\./g, '.');
  return { code, message: `${what} ${text.action}` };
}

/** The table in docs/payments.md (`npm run docs` writes it; a test checks it agrees). */
export function cardFailuresMarkdown(): string {
  const rows = Object.entries(cardFailureText).map(
    ([code, t]) =>
      `| \`${code}\` | ${t.what.replace('{reader}', '`tmr_…`').replace('{detail}', '')} | ${t.action} |`,
  );
  return ['| code | what happened | what to do |', '| --- | --- | --- |', ...rows].join('\n');
}
