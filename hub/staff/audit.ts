import type { AuditRecord } from '../../protocol/audit.ts';
import type { Caller } from '../../rules/permissions.ts';
import type { CommandContext } from '../store/committer.ts';
import type { Store } from '../store/index.ts';

/** What a sensitive action says of itself; when, who and on which device come from the command. */
export type SensitiveAction = Pick<AuditRecord, 'action' | 'detail'> &
  Partial<Pick<AuditRecord, 'approver' | 'orderId' | 'reason' | 'amount'>>;

/**
 * Writes one sensitive action to the audit trail, in the transaction of the change it records:
 * an audit.recorded event (so it reaches the cloud) and a row under its seq (so it can be filtered).
 */
export function recordAudit(ctx: CommandContext, store: Store, caller: Caller, what: SensitiveAction): void {
  const record: AuditRecord = {
    at: ctx.at,
    staff: caller.staff?.ref ?? null,
    deviceId: caller.device.id,
    approver: null,
    orderId: null,
    reason: null,
    amount: null,
    ...what,
  };
  const event = ctx.emit({
    type: 'audit.recorded',
    topic: 'staff',
    entityId: record.orderId ?? record.action,
    data: { audit: record },
  });
  store.audit.add(event.seq, record);
}
