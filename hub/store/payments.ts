import type { Statement } from 'better-sqlite3';
import type { CardStage, Payment } from '../../protocol/payments.ts';
import type { Db } from './db.ts';

interface PaymentRow {
  id: string;
  order_id: string;
  method: Payment['method'];
  status: Payment['status'];
  amount: number;
  tip: number;
  tendered: number | null;
  change_due: number;
  refunded: number;
  manager_override: number;
  stripe_payment_intent: string | null;
  reader_id: string | null;
  attempt: number;
  stage: CardStage | null;
  deadline_at: string | null;
  card: string | null;
  failure: string | null;
  check_at: string | null;
  checks: number;
  fingerprint: string;
  device_id: string | null;
  taken_by_id: string | null;
  taken_by_name: string | null;
  drawer_id: string | null;
  created_at: string;
  updated_at: string;
}

const toPayment = (r: PaymentRow): Payment => ({
  id: r.id,
  orderId: r.order_id,
  method: r.method,
  status: r.status,
  amount: r.amount,
  tip: r.tip,
  tendered: r.tendered,
  changeDue: r.change_due,
  refunded: r.refunded,
  managerOverride: r.manager_override === 1,
  stripePaymentIntentId: r.stripe_payment_intent,
  card: r.card ? JSON.parse(r.card) : null,
  reader: r.reader_id
    ? { id: r.reader_id, attempt: r.attempt, stage: r.stage, deadlineAt: r.deadline_at }
    : null,
  failure: r.failure ? JSON.parse(r.failure) : null,
  takenBy: r.taken_by_id ? { staffId: r.taken_by_id, name: r.taken_by_name ?? '' } : null,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** When reconciliation looks at a payment next, and how many times it has. */
export interface CheckSchedule {
  checkAt: string | null;
  checks: number;
}

const cardColumns = (p: Payment) => ({
  readerId: p.reader?.id ?? null,
  attempt: p.reader?.attempt ?? 0,
  stage: p.reader?.stage ?? null,
  deadlineAt: p.reader?.deadlineAt ?? null,
  failure: p.failure ? JSON.stringify(p.failure) : null,
});

export class PaymentStore {
  private readonly insertPayment: Statement;
  private readonly byId: Statement;
  private readonly byOrder: Statement;
  private readonly byIntent: Statement;
  private readonly unsettledRows: Statement;
  private readonly dueRows: Statement;
  private readonly unverifiedTotalOf: Statement;
  private readonly update: Statement;
  private readonly schedule: Statement;
  private readonly scheduleOf: Statement;
  private readonly insertRefund: Statement;
  private readonly refundById: Statement;
  private readonly byBusinessDate: Statement;
  private readonly cashInDrawer: Statement;
  private readonly refundsOutOfDrawer: Statement;

  constructor(db: Db) {
    this.insertPayment = db.prepare(
      `INSERT INTO payments (id, order_id, method, status, amount, tip, tendered, change_due, manager_override,
         reader_id, attempt, stage, deadline_at, card, fingerprint, device_id, taken_by_id, taken_by_name,
         drawer_id, created_at, updated_at)
       VALUES (@id, @orderId, @method, @status, @amount, @tip, @tendered, @changeDue, @managerOverride,
         @readerId, @attempt, @stage, @deadlineAt, @card, @fingerprint, @deviceId, @takenById, @takenByName,
         @drawerId, @createdAt, @createdAt)`,
    );
    this.byId = db.prepare('SELECT * FROM payments WHERE id = ?');
    this.byOrder = db.prepare('SELECT * FROM payments WHERE order_id = ? ORDER BY created_at, id');
    this.byIntent = db.prepare('SELECT * FROM payments WHERE stripe_payment_intent = ?');
    this.unsettledRows = db.prepare(
      "SELECT * FROM payments WHERE status IN ('pending', 'unverified') ORDER BY created_at LIMIT ?",
    );
    this.dueRows = db.prepare(
      "SELECT * FROM payments WHERE status = 'pending' AND check_at IS NOT NULL AND check_at <= ? ORDER BY check_at LIMIT ?",
    );
    this.unverifiedTotalOf = db.prepare(
      "SELECT COUNT(*) AS count, COALESCE(SUM(amount + tip), 0) AS amount FROM payments WHERE status = 'unverified'",
    );
    this.update = db.prepare(
      `UPDATE payments SET status = @status, refunded = @refunded, stripe_payment_intent = @stripePaymentIntentId,
         card = @card, reader_id = @readerId, attempt = @attempt, stage = @stage, deadline_at = @deadlineAt,
         failure = @failure, updated_at = @updatedAt WHERE id = @id`,
    );
    this.schedule = db.prepare('UPDATE payments SET check_at = ?, checks = ? WHERE id = ?');
    this.scheduleOf = db.prepare('SELECT check_at AS checkAt, checks FROM payments WHERE id = ?');
    this.insertRefund = db.prepare(
      'INSERT INTO refunds (id, payment_id, amount, reason, stripe_refund, created_at, drawer_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.byBusinessDate = db.prepare(
      `SELECT p.* FROM payments p JOIN orders o ON o.id = p.order_id
       WHERE o.business_date = ? ORDER BY p.created_at, p.id`,
    );
    this.cashInDrawer = db.prepare(
      `SELECT amount, tip FROM payments WHERE drawer_id = ? AND method = 'cash'
         AND status IN ('captured', 'partially_refunded', 'refunded')`,
    );
    this.refundsOutOfDrawer = db.prepare('SELECT amount FROM refunds WHERE drawer_id = ?');
    this.refundById = db.prepare(
      'SELECT id, payment_id AS paymentId, amount, reason FROM refunds WHERE id = ?',
    );
  }

  insert(p: Payment & { fingerprint: string; deviceId: string | null; drawerId: string | null }): void {
    this.insertPayment.run({
      ...p,
      takenById: p.takenBy?.staffId ?? null,
      takenByName: p.takenBy?.name ?? null,
      managerOverride: p.managerOverride ? 1 : 0,
      card: p.card ? JSON.stringify(p.card) : null,
      ...cardColumns(p),
    });
  }

  get(id: string): Payment | null {
    const row = this.byId.get(id) as PaymentRow | undefined;
    return row ? toPayment(row) : null;
  }

  /** The device that recorded the payment (its till). */
  deviceOf(id: string): string | null {
    return (this.byId.get(id) as PaymentRow | undefined)?.device_id ?? null;
  }

  fingerprintOf(id: string): string | null {
    return (this.byId.get(id) as PaymentRow | undefined)?.fingerprint ?? null;
  }

  /** The hub payment a PaymentIntent is already linked to, if any. */
  byPaymentIntent(intentId: string): Payment | null {
    const row = this.byIntent.get(intentId) as PaymentRow | undefined;
    return row ? toPayment(row) : null;
  }

  forOrder(orderId: string): Payment[] {
    return (this.byOrder.all(orderId) as PaymentRow[]).map(toPayment);
  }

  /** Payments not settled yet: card payments under way, standalone ones to verify. */
  unsettled(limit = 500): Payment[] {
    return (this.unsettledRows.all(limit) as PaymentRow[]).map(toPayment);
  }

  /** Pending card payments whose next check with Stripe is due at `at` (ISO). */
  dueForCheck(at: string, limit = 50): Payment[] {
    return (this.dueRows.all(at, limit) as PaymentRow[]).map(toPayment);
  }

  unverifiedTotal(): { count: number; amount: number } {
    return this.unverifiedTotalOf.get() as { count: number; amount: number };
  }

  save(p: Payment): void {
    this.update.run({ ...p, card: p.card ? JSON.stringify(p.card) : null, ...cardColumns(p) });
  }

  scheduleCheck(id: string, s: CheckSchedule): void {
    this.schedule.run(s.checkAt, s.checks, id);
  }

  checkSchedule(id: string): CheckSchedule | null {
    return (this.scheduleOf.get(id) as CheckSchedule | undefined) ?? null;
  }

  addRefund(r: {
    id: string;
    paymentId: string;
    amount: number;
    reason: string;
    stripeRefund: string | null;
    at: string;
    drawerId: string | null;
  }): void {
    this.insertRefund.run(r.id, r.paymentId, r.amount, r.reason, r.stripeRefund, r.at, r.drawerId);
  }

  /** Payments on the checks of one business day. */
  ofBusinessDate(date: string): Payment[] {
    return (this.byBusinessDate.all(date) as PaymentRow[]).map(toPayment);
  }

  /** Cash taken into one drawer, and cash refunded out of it. */
  drawerCash(drawerId: string): {
    payments: { amount: number; tip: number }[];
    refunds: { amount: number }[];
  } {
    return {
      payments: this.cashInDrawer.all(drawerId) as { amount: number; tip: number }[],
      refunds: this.refundsOutOfDrawer.all(drawerId) as { amount: number }[],
    };
  }

  refund(id: string): { id: string; paymentId: string; amount: number; reason: string } | null {
    return (
      (this.refundById.get(id) as
        | { id: string; paymentId: string; amount: number; reason: string }
        | undefined) ?? null
    );
  }
}
