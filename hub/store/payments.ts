import type { Statement } from 'better-sqlite3';
import type { Payment } from '../../protocol/payments.ts';
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
  pending_forward: number;
  manager_override: number;
  stripe_payment_intent: string | null;
  reader_id: string | null;
  card: string | null;
  last_error: string | null;
  fingerprint: string;
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
  pendingForward: r.pending_forward === 1,
  managerOverride: r.manager_override === 1,
  stripePaymentIntentId: r.stripe_payment_intent,
  card: r.card ? JSON.parse(r.card) : null,
  lastError: r.last_error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export class PaymentStore {
  private readonly insertPayment: Statement;
  private readonly byId: Statement;
  private readonly byOrder: Statement;
  private readonly unsettledRows: Statement;
  private readonly forwardTotal: Statement;
  private readonly update: Statement;
  private readonly insertRefund: Statement;
  private readonly refundById: Statement;

  constructor(db: Db) {
    this.insertPayment = db.prepare(
      `INSERT INTO payments (id, order_id, method, status, amount, tip, tendered, change_due, pending_forward, manager_override,
         reader_id, card, fingerprint, device_id, created_at, updated_at)
       VALUES (@id, @orderId, @method, @status, @amount, @tip, @tendered, @changeDue, @pendingForward, @managerOverride,
         @readerId, @card, @fingerprint, @deviceId, @createdAt, @createdAt)`,
    );
    this.byId = db.prepare('SELECT * FROM payments WHERE id = ?');
    this.byOrder = db.prepare('SELECT * FROM payments WHERE order_id = ? ORDER BY created_at, id');
    this.unsettledRows = db.prepare(
      "SELECT * FROM payments WHERE status IN ('pending', 'authorised') OR pending_forward = 1 ORDER BY created_at LIMIT ?",
    );
    this.forwardTotal = db
      .prepare(
        "SELECT COALESCE(SUM(amount + tip), 0) FROM payments WHERE pending_forward = 1 AND status NOT IN ('failed', 'voided')",
      )
      .pluck();
    this.update = db.prepare(
      `UPDATE payments SET status = @status, refunded = @refunded, pending_forward = @pendingForward,
         stripe_payment_intent = @stripePaymentIntentId, last_error = @lastError, updated_at = @updatedAt WHERE id = @id`,
    );
    this.insertRefund = db.prepare(
      'INSERT INTO refunds (id, payment_id, amount, reason, stripe_refund, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.refundById = db.prepare(
      'SELECT id, payment_id AS paymentId, amount, reason FROM refunds WHERE id = ?',
    );
  }

  insert(p: Payment & { fingerprint: string; deviceId: string | null; readerId: string | null }): void {
    this.insertPayment.run({
      ...p,
      pendingForward: p.pendingForward ? 1 : 0,
      managerOverride: p.managerOverride ? 1 : 0,
      card: p.card ? JSON.stringify(p.card) : null,
    });
  }

  get(id: string): Payment | null {
    const row = this.byId.get(id) as PaymentRow | undefined;
    return row ? toPayment(row) : null;
  }

  readerOf(id: string): string | null {
    return (this.byId.get(id) as PaymentRow | undefined)?.reader_id ?? null;
  }

  fingerprintOf(id: string): string | null {
    return (this.byId.get(id) as PaymentRow | undefined)?.fingerprint ?? null;
  }

  forOrder(orderId: string): Payment[] {
    return (this.byOrder.all(orderId) as PaymentRow[]).map(toPayment);
  }

  /** Payments whose final state Stripe has yet to confirm. */
  unsettled(limit = 200): Payment[] {
    return (this.unsettledRows.all(limit) as PaymentRow[]).map(toPayment);
  }

  pendingForwardTotal(): number {
    return this.forwardTotal.get() as number;
  }

  save(p: Payment): void {
    this.update.run({ ...p, pendingForward: p.pendingForward ? 1 : 0 });
  }

  addRefund(r: {
    id: string;
    paymentId: string;
    amount: number;
    reason: string;
    stripeRefund: string | null;
    at: string;
  }): void {
    this.insertRefund.run(r.id, r.paymentId, r.amount, r.reason, r.stripeRefund, r.at);
  }

  refund(id: string): { id: string; paymentId: string; amount: number; reason: string } | null {
    return (
      (this.refundById.get(id) as
        | { id: string; paymentId: string; amount: number; reason: string }
        | undefined) ?? null
    );
  }
}
