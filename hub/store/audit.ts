import type { Statement } from 'better-sqlite3';
import type { AuditEntry, AuditPage, AuditQuery, AuditRecord } from '../../protocol/audit.ts';
import type { Db } from './db.ts';

interface AuditRow {
  seq: number;
  at: string;
  action: AuditRecord['action'];
  staffId: string | null;
  staffName: string | null;
  approverId: string | null;
  approverName: string | null;
  deviceId: string | null;
  orderId: string | null;
  reason: string | null;
  detail: string;
  amount: number | null;
}

const ref = (staffId: string | null, name: string | null) =>
  staffId === null ? null : { staffId, name: name ?? '' };

/** The audit trail: one row per sensitive action, under the seq of its audit.recorded event. */
export class AuditStore {
  private readonly insert: Statement;
  private readonly page: Statement;

  constructor(db: Db) {
    this.insert = db.prepare(
      `INSERT INTO audit (seq, at, action, staff_id, staff_name, approver_id, approver_name, device_id, order_id, reason, detail, amount)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // Every filter is optional: a NULL parameter lets every row through.
    this.page = db.prepare(
      `SELECT seq, at, action, staff_id AS staffId, staff_name AS staffName, approver_id AS approverId,
              approver_name AS approverName, device_id AS deviceId, order_id AS orderId, reason, detail, amount
       FROM audit
       WHERE (@action IS NULL OR action = @action)
         AND (@staffId IS NULL OR staff_id = @staffId OR approver_id = @staffId)
         AND (@overrides IS NULL OR (approver_id IS NOT NULL) = @overrides)
         AND (@from IS NULL OR at >= @from)
         AND (@to IS NULL OR at < @to)
         AND (@before IS NULL OR seq < @before)
       ORDER BY seq DESC LIMIT @limit`,
    );
  }

  add(seq: number, r: AuditRecord): void {
    this.insert.run(
      seq,
      r.at,
      r.action,
      r.staff?.staffId ?? null,
      r.staff?.name ?? null,
      r.approver?.staffId ?? null,
      r.approver?.name ?? null,
      r.deviceId,
      r.orderId,
      r.reason,
      r.detail,
      r.amount,
    );
  }

  list(q: AuditQuery): AuditPage {
    const rows = this.page.all({
      action: q.action ?? null,
      staffId: q.staffId ?? null,
      overrides: q.overrides === undefined ? null : q.overrides ? 1 : 0,
      from: q.from ? new Date(q.from).toISOString() : null,
      to: q.to ? new Date(q.to).toISOString() : null,
      before: q.before ?? null,
      limit: q.limit + 1,
    }) as AuditRow[];
    const entries: AuditEntry[] = rows.slice(0, q.limit).map((r) => ({
      seq: r.seq,
      at: r.at,
      action: r.action,
      staff: ref(r.staffId, r.staffName),
      approver: ref(r.approverId, r.approverName),
      deviceId: r.deviceId,
      orderId: r.orderId,
      reason: r.reason,
      detail: r.detail,
      amount: r.amount,
    }));
    return { entries, next: rows.length > q.limit ? entries.at(-1)!.seq : null };
  }
}
