import type { AuditRecord } from '../../protocol/audit.ts';
import type { CommandContext } from '../store/committer.ts';
import type { Store } from '../store/index.ts';

/**
 * Writes one sensitive action to the audit trail, in the transaction of the change it records:
 * an audit.recorded event (so it reaches the cloud) and a row under its seq (so it can be filtered).
 */
export function recordAudit(ctx: CommandContext, store: Store, record: AuditRecord): void {
  const event = ctx.emit({
    type: 'audit.recorded',
    topic: 'staff',
    entityId: record.orderId ?? record.action,
    data: { audit: record },
  });
  store.audit.add(event.seq, record);
}
