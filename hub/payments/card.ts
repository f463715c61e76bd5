// One class on purpose: starting, waiting, capturing, cancelling, retrying and reconciling a card
// payment all act on the same attempts in flight (`runs`) and record through the same `record`
// and `stage`, so a cancel, a retry and a reconciliation cannot race on one payment. Split, that
// state would have to be shared across modules.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../../protocol/logger.ts';
import type {
  CardFailure,
  CardFailureCode,
  CardStage,
  Payment,
  RetryCardBody,
} from '../../protocol/payments.ts';
import { HubError } from '../errors.ts';
import { cardFailure } from './failures.ts';
import type { PaymentLedger } from './ledger.ts';
import { checkHorizonMs, nextCheckDelayMs } from './rules.ts';
import { type CardGateway, GatewayError, type Intent, type ReaderState } from './stripe-gateway.ts';

export interface CardTimings {
  /** How long the reader waits for the guest's card before the hub stops it. */
  waitMs: number;
  /** How often the hub asks Stripe what the reader is doing. */
  pollMs: number;
}

/** A failed attempt nobody retried or cancelled is cancelled after this long. */
const abandonAfterMs = 10 * 60_000;

export const cardUnavailable = (why: string) =>
  new HubError('CARD_UNAVAILABLE', `${why} ${cardFailure('stripe_unreachable').message}`, undefined, 5);

/** One attempt the hub is driving now. */
interface Run {
  cancelling: boolean;
  done: Promise<void>;
}

/** The reader's action, if it is this PaymentIntent's. */
const actionFor = (state: ReaderState, intentId: string) =>
  state.action?.paymentIntentId === intentId ? state.action : null;

/** Why a reader action failed, in the hub's words. */
function actionFailureCode(action: NonNullable<ReaderState['action']>): CardFailureCode {
  switch (action.failureCode) {
    case 'card_declined':
      return 'card_declined';
    case 'customer_canceled':
      return 'customer_cancelled';
    case 'terminal_reader_timeout':
      return 'reader_timeout';
    default:
      return 'stripe_refused';
  }
}

/** A decline's reason in words ("insufficient funds"), else Stripe's message. */
const actionDetail = (action: NonNullable<ReaderState['action']>) =>
  action.declineCode?.replaceAll('_', ' ') ?? action.failureMessage ?? 'the reader action failed';

/**
 * Card payments on a Stripe Terminal reader (server-driven), asynchronous for the till: the
 * payment is recorded pending and answered at once; this class then creates the PaymentIntent,
 * sends it to the reader, follows the reader's action until the guest taps (or the deadline, or a
 * cancel), and captures. Each step is a committed `payment.updated` event, so tills watch it live.
 * Stripe decides every race (a tap against a cancel): the hub records what Stripe says.
 */
export class CardFlow {
  private readonly runs = new Map<string, Run>();
  private stopping = false;
  private reconciling: Promise<ReconcileSummary> | null = null;

  constructor(
    private readonly gateway: CardGateway,
    private readonly ledger: PaymentLedger,
    private readonly hubId: string,
    private readonly timings: CardTimings,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  available(): boolean {
    return this.gateway.available();
  }

  /** Drive the payment's current attempt in the background. */
  start(paymentId: string): void {
    if (this.runs.has(paymentId) || this.stopping) return;
    const run: Run = { cancelling: false, done: Promise.resolve() };
    this.runs.set(paymentId, run);
    run.done = this.attempt(paymentId, run)
      .catch((err) =>
        this.log.error({ paymentId, err }, 'card attempt failed unexpectedly; reconciliation will check it'),
      )
      .finally(() => this.runs.delete(paymentId));
  }

  /** Let running attempts reach a step they can resume from (reconciliation picks them up at start). */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.runs.values()].map((r) => r.done));
    await this.reconciling;
  }

  private halted(run: Run): boolean {
    return run.cancelling || this.stopping;
  }

  private async attempt(id: string, run: Run): Promise<void> {
    let payment = this.ledger.get(id);
    const reader = payment.reader!;
    // From the moment the reader is asked, it may take the card: an unanswered call after that
    // leaves the outcome unknown, one before it cannot have charged anything.
    let readerAsked = false;
    try {
      let pi = await this.intentFor(payment);
      if (this.halted(run)) return;
      if (pi.status === 'requires_payment_method') {
        readerAsked = true;
        await this.gateway.processOnReader(reader.id, pi.id, `process-${id}-${reader.attempt}`);
        const deadlineAt = new Date(this.now() + this.timings.waitMs).toISOString();
        payment = await this.stage(id, 'waiting_for_card', { deadlineAt });
        const answered = await this.waitForCard(payment, pi, run);
        if (!answered) return;
        pi = answered;
      }
      if (pi.status === 'requires_capture') {
        if (this.halted(run)) return; // a cancel is under way: it cancels the PaymentIntent
        await this.stage(id, 'capturing');
        pi = await this.gateway.capture(pi.id, `capture-${id}`);
      }
      await this.record(id, pi);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      if (run.cancelling) return;
      await this.attemptFailed(id, err, readerAsked);
    }
  }

  /**
   * The PaymentIntent an earlier attempt left (a failed attempt leaves it reusable), or a new one.
   * Creation keys name the attempt (a 500 is replayed under its key for 24 h), so a later attempt
   * whose creation answer was lost first looks for what the earlier one made.
   */
  private async intentFor(payment: Payment): Promise<Intent> {
    const earlier = payment.stripePaymentIntentId
      ? await this.gateway.retrieve(payment.stripePaymentIntentId)
      : payment.reader!.attempt > 1
        ? await this.gateway.findIntent(payment.id, Date.parse(payment.createdAt))
        : null;
    if (earlier && earlier.status !== 'canceled') {
      if (!payment.stripePaymentIntentId)
        await this.ledger.update(payment.id, (p) => ({ ...p, stripePaymentIntentId: earlier.id }));
      return earlier;
    }
    const pi = await this.gateway.createIntent({
      paymentId: payment.id,
      orderId: payment.orderId,
      hubId: this.hubId,
      amount: payment.amount + payment.tip,
      currency: this.ledger.currencyOf(payment.orderId),
      attempt: payment.reader!.attempt,
    });
    await this.ledger.update(payment.id, (p) => ({ ...p, stripePaymentIntentId: pi.id }));
    return pi;
  }

  /**
   * Follow the reader until its action for this PaymentIntent ends. Returns the PaymentIntent once
   * the reader is done with it, null when the attempt was cancelled or the hub is stopping.
   */
  private async waitForCard(payment: Payment, pi: Intent, run: Run): Promise<Intent | null> {
    const readerId = payment.reader!.id;
    const deadline = Date.parse(payment.reader!.deadlineAt!);
    for (;;) {
      await sleep(this.timings.pollMs);
      if (this.halted(run)) return null;
      const action = actionFor(await this.gateway.reader(readerId), pi.id);
      if (!action) {
        // Another till's payment replaced ours on the reader: ours ended, one way or the other.
        const now = await this.gateway.retrieve(pi.id);
        if (now.status !== 'requires_payment_method') return now;
        throw new GatewayError('refused', 'reader_busy', 'another payment took over the reader');
      }
      if (action.status === 'succeeded') return this.gateway.retrieve(pi.id);
      if (action.status === 'failed')
        throw new GatewayError(
          'refused',
          actionFailureCode(action),
          actionDetail(action),
          action.failureCode,
        );
      if (this.now() >= deadline) {
        await this.gateway.cancelReaderAction(readerId).catch((err: Error) => {
          this.log.info({ paymentId: payment.id, err: err.message }, 'reader action not cancelled');
        });
        // The guest may have tapped just before the cancel: Stripe's PaymentIntent says.
        const after = await this.gateway.retrieve(pi.id);
        if (after.status === 'requires_capture' || after.status === 'succeeded') return after;
        throw new GatewayError('refused', 'no_card_presented', 'no card presented before the deadline');
      }
    }
  }

  private async attemptFailed(id: string, err: GatewayError, readerAsked: boolean): Promise<void> {
    const payment = this.ledger.get(id);
    if (payment.status !== 'pending') return;
    const reader = payment.reader!.id;
    if (err.kind === 'unreachable' && readerAsked) {
      this.log.warn({ paymentId: id, err: err.message }, 'Stripe stopped answering mid-payment; checking');
      await this.stage(id, 'checking', { failure: cardFailure('outcome_unknown') });
      await this.ledger.scheduleCheck(id, this.nextCheck(0));
      return;
    }
    const code =
      err.code === 'not_found'
        ? 'reader_not_found'
        : err.code === 'unexpected_state'
          ? 'stripe_refused'
          : err.code;
    if (code === 'stripe_refused' || code === 'stripe_rejected_key')
      this.log.error(
        { paymentId: id, stripeCode: err.stripeCode, err: err.message },
        'Stripe refused a card step',
      );
    await this.stage(id, 'attempt_failed', { failure: cardFailure(code, { reader, detail: err.message }) });
  }

  /** Move a pending card payment to a stage (a committed `payment.updated` event). */
  private stage(
    id: string,
    stage: CardStage,
    extra: { deadlineAt?: string; failure?: CardFailure } = {},
  ): Promise<Payment> {
    return this.ledger.update(id, (p) => ({
      ...p,
      reader: { ...p.reader!, stage, deadlineAt: extra.deadlineAt ?? p.reader!.deadlineAt },
      failure: extra.failure ?? null,
    }));
  }

  /** Bring the ledger in line with a PaymentIntent Stripe has finished with (or cancelled). */
  private async record(id: string, pi: Intent): Promise<Payment> {
    const payment = this.ledger.get(id);
    if (payment.status !== 'pending') return payment;
    const expected = payment.amount + payment.tip;
    if (pi.amount !== expected) {
      this.log.error(
        { paymentId: id, hub: expected, stripe: pi.amount },
        'payment amount differs from Stripe',
      );
      return this.stage(id, 'checking', {
        failure: cardFailure('amount_mismatch', { detail: `hub ${expected}, Stripe ${pi.amount}` }),
      });
    }
    if (pi.status === 'succeeded') {
      const captured = await this.ledger.update(id, (p) => ({
        ...p,
        status: 'captured',
        stripePaymentIntentId: pi.id,
        card: pi.card ?? p.card,
        reader: { ...p.reader!, stage: null },
        failure: null,
      }));
      const { total, paid } = this.ledger.paidOf(payment.orderId);
      if (paid <= total) return captured;
      // The outcome was found after the bill was paid another way: flag it for a refund.
      this.log.warn({ paymentId: id, orderId: payment.orderId, overpaid: paid - total }, 'order overpaid');
      return this.ledger.update(id, (p) => ({
        ...p,
        failure: cardFailure('order_overpaid', { detail: `by ${paid - total}` }),
      }));
    }
    if (pi.status === 'canceled') {
      const cancelledHere = payment.reader?.stage === 'cancelling';
      return this.ledger.update(id, (p) => ({
        ...p,
        status: cancelledHere ? 'voided' : 'failed',
        reader: { ...p.reader!, stage: null },
        failure: cancelledHere ? null : cardFailure('stripe_cancelled'),
      }));
    }
    return payment;
  }

  /**
   * The cashier cancels a card payment that is still pending: the attempt under way stops, the
   * reader's action is cancelled and so is the PaymentIntent, so a late tap is refused by Stripe.
   * If the card was charged first, the payment is recorded as taken and the answer says so.
   */
  async cancel(id: string): Promise<Payment> {
    const run = this.runs.get(id);
    if (run) {
      run.cancelling = true;
      await run.done; // it stops at its next step, before any capture
    }
    const payment = this.ledger.get(id);
    if (payment.status === 'captured') throw alreadyCharged();
    if (payment.status !== 'pending') return payment;
    const intentId = payment.stripePaymentIntentId;
    if (!intentId) return this.voided(id); // Stripe never heard of it
    try {
      const action = actionFor(await this.gateway.reader(payment.reader!.id), intentId);
      if (action?.status === 'in_progress') await this.gateway.cancelReaderAction(payment.reader!.id);
      let pi: Intent;
      try {
        pi = await this.gateway.cancel(intentId, `cancel-${id}`);
      } catch (err) {
        if (!(err instanceof GatewayError && err.code === 'unexpected_state')) throw err;
        pi = await this.gateway.retrieve(intentId); // already cancelled, or already charged
      }
      if (pi.status === 'succeeded') {
        await this.record(id, pi);
        throw alreadyCharged();
      }
      return await this.voided(id);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      if (err.kind === 'refused')
        throw new HubError('ILLEGAL_TRANSITION', `Stripe refused the cancellation: ${err.message}.`);
      // Nothing is on the reader after a failed attempt, so nothing can be charged: void it now.
      if (payment.reader?.stage === 'attempt_failed') return this.voided(id);
      await this.stage(id, 'cancelling', { failure: cardFailure('outcome_unknown') });
      await this.ledger.scheduleCheck(id, this.nextCheck(0));
      throw cardUnavailable(
        'Stripe cannot be reached to stop the reader: ask the guest not to tap. The hub keeps trying and voids the payment once Stripe confirms.',
      );
    }
  }

  private voided(id: string): Promise<Payment> {
    return this.ledger.update(id, (p) => ({
      ...p,
      status: 'voided',
      reader: p.reader && { ...p.reader, stage: null },
    }));
  }

  /** Start the next attempt after a failed one (another card, another reader); idempotent by attempt. */
  async retry(id: string, body: RetryCardBody): Promise<Payment> {
    const payment = this.ledger.get(id);
    const current = payment.reader!.attempt;
    if (current >= body.attempt) return payment; // sent twice: the first one started it
    if (current !== body.attempt - 1) {
      throw new HubError(
        'CARD_ATTEMPT_BUSY',
        `This payment is on attempt ${current}; send attempt ${current + 1}.`,
        [{ field: 'attempt', message: `must be ${current + 1}` }],
      );
    }
    if (payment.reader!.stage !== 'attempt_failed') {
      throw new HubError(
        'CARD_ATTEMPT_BUSY',
        `Attempt ${current} is still ${payment.reader!.stage?.replaceAll('_', ' ')}; wait for it to end or cancel it.`,
      );
    }
    const next = await this.ledger.update(id, (p) => ({
      ...p,
      reader: {
        id: body.readerId ?? p.reader!.id,
        attempt: body.attempt,
        stage: 'starting',
        deadlineAt: null,
      },
      failure: null,
    }));
    this.start(id);
    return next;
  }

  /**
   * Settle what no attempt is driving: payments a restart interrupted, whose outcome an outage
   * hid, or that the cashier cancelled while Stripe was away; and cancel attempts left failed for
   * 10 minutes. Each payment backs off on its own (rules.ts) up to the 7-day horizon.
   */
  reconcile(): Promise<ReconcileSummary> {
    this.reconciling ??= this.reconcileOnce().finally(() => {
      this.reconciling = null;
    });
    return this.reconciling;
  }

  private async reconcileOnce(): Promise<ReconcileSummary> {
    const summary = { checked: 0, settled: 0, mismatches: 0 };
    const now = this.now();
    const open = this.ledger
      .unsettled()
      .filter((p) => p.method === 'card_present' && p.status === 'pending' && !this.runs.has(p.id));
    for (const p of open) {
      if (this.stopping) break;
      if (p.failure?.code === 'unresolved' || p.failure?.code === 'amount_mismatch') continue;
      if (p.reader?.stage === 'attempt_failed') {
        if (now - Date.parse(p.updatedAt) > abandonAfterMs) {
          await this.cancel(p.id).catch((err) =>
            this.log.warn({ paymentId: p.id, err }, 'abandoned attempt not cancelled'),
          );
          summary.settled++;
        }
        continue;
      }
      const schedule = this.ledger.checkSchedule(p.id);
      if (schedule.checkAt && Date.parse(schedule.checkAt) > now) continue;
      summary.checked++;
      try {
        const after = await this.check(p);
        if (after.status !== p.status) summary.settled++;
        if (after.failure?.code === 'amount_mismatch') summary.mismatches++;
      } catch (err) {
        if (!(err instanceof GatewayError)) throw err;
        await this.checkFailed(p, schedule.checks, err);
        if (err.kind === 'unreachable') break; // Stripe is away: the rest wait for their own turn
      }
    }
    if (summary.checked > 0) this.log.info(summary, 'card payments reconciled with Stripe');
    return summary;
  }

  /** One pending payment no attempt is driving, brought in line with Stripe. */
  private async check(p: Payment): Promise<Payment> {
    const readerId = p.reader!.id;
    let pi = p.stripePaymentIntentId
      ? await this.gateway.retrieve(p.stripePaymentIntentId)
      : await this.gateway.findIntent(p.id, Date.parse(p.createdAt));
    const cancelling = p.reader?.stage === 'cancelling';
    if (!pi) {
      // No PaymentIntent at Stripe: no reader could have charged anything.
      await this.ledger.scheduleCheck(p.id, { checkAt: null, checks: 0 });
      if (cancelling) return this.voided(p.id);
      return this.stage(p.id, 'attempt_failed', { failure: cardFailure('interrupted') });
    }
    if (!p.stripePaymentIntentId)
      await this.ledger.update(p.id, (x) => ({ ...x, stripePaymentIntentId: pi!.id }));
    let failure: CardFailure = cardFailure('interrupted');
    if (pi.status === 'requires_payment_method') {
      // The reader may still hold this payment (after a restart or an outage): stop it, then ask again.
      const action = actionFor(await this.gateway.reader(readerId), pi.id);
      if (action?.status === 'in_progress') {
        await this.gateway.cancelReaderAction(readerId);
        pi = await this.gateway.retrieve(pi.id);
      } else if (action?.status === 'failed') {
        failure = cardFailure(actionFailureCode(action), { reader: readerId, detail: actionDetail(action) });
      }
    }
    if (pi.status === 'requires_capture') {
      pi = cancelling
        ? await this.gateway.cancel(pi.id, `cancel-${p.id}`)
        : await this.gateway.capture(pi.id, `capture-${p.id}`);
    }
    await this.ledger.scheduleCheck(p.id, { checkAt: null, checks: 0 });
    if (pi.status === 'succeeded' || pi.status === 'canceled') return this.record(p.id, pi);
    if (cancelling) {
      await this.gateway.cancel(pi.id, `cancel-${p.id}`);
      return this.voided(p.id);
    }
    return this.stage(p.id, 'attempt_failed', { failure });
  }

  private async checkFailed(p: Payment, checks: number, err: GatewayError): Promise<void> {
    this.log.warn({ paymentId: p.id, err: err.message }, 'could not check a card payment with Stripe');
    if (this.now() - Date.parse(p.createdAt) > checkHorizonMs) {
      await this.stage(p.id, p.reader!.stage!, { failure: cardFailure('unresolved') });
      return;
    }
    await this.ledger.scheduleCheck(p.id, this.nextCheck(checks + 1));
  }

  private nextCheck(checks: number): { checkAt: string; checks: number } {
    return { checkAt: new Date(this.now() + nextCheckDelayMs(checks)).toISOString(), checks };
  }

  /** Give money back on the card; returns Stripe's refund id (idempotent by the refund's id). */
  async refund(payment: Payment, amount: number, refundId: string): Promise<string> {
    try {
      return await this.gateway.refund(payment.stripePaymentIntentId!, amount, `refund-${refundId}`);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      if (err.kind === 'unreachable')
        throw cardUnavailable(
          `Stripe did not confirm the refund (${err.message}); retry with the same refund id.`,
        );
      throw new HubError('ILLEGAL_TRANSITION', `Stripe refused the refund: ${err.message}.`);
    }
  }
}

const alreadyCharged = () =>
  new HubError(
    'CARD_ALREADY_CHARGED',
    'The card was charged before the cancel reached Stripe; the payment is recorded as taken. Refund it if the guest should not pay.',
  );

export interface ReconcileSummary {
  checked: number;
  settled: number;
  mismatches: number;
}
