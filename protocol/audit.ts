import { z } from 'zod';
import { Uuid } from './ids.ts';
import { StaffRef } from './staff.ts';

/** The sensitive actions the audit trail keeps (docs/staff.md). */
export const AuditAction = z.enum([
  'void',
  'comp',
  'discount',
  'refund',
  'check.transfer',
  'check.reopen',
  'staff.changed',
  'roles.changed',
  'punch.edit',
  'drawer.open',
  'drawer.paid_out',
  'drawer.paid_in',
  'drawer.drop',
  'drawer.close',
  'day.close',
]);
export type AuditAction = z.infer<typeof AuditAction>;

/**
 * One sensitive action: who did it, on which device, why, and the manager who approved it when
 * the doer's role did not allow it alone (an override). `detail` says what, in words.
 */
export const AuditRecord = z.object({
  at: z.string(),
  action: AuditAction,
  staff: StaffRef.nullable(),
  approver: StaffRef.nullable(),
  deviceId: z.string().nullable(),
  orderId: Uuid.nullable(),
  reason: z.string().nullable(),
  detail: z.string(),
  /** The money it moved or took off, in minor units, where it did (for reports by staff). */
  amount: z.int().nullable().default(null),
});
export type AuditRecord = z.infer<typeof AuditRecord>;

export const AuditEntry = AuditRecord.extend({ seq: z.int() });
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditQuery = z.strictObject({
  action: AuditAction.optional(),
  /** Done by, or approved by, this staff member. */
  staffId: Uuid.optional(),
  /** Only actions a manager approved for someone else. */
  overrides: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  /** Older than this seq: the next page. */
  before: z.coerce.number().int().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const AuditPage = z.object({ entries: z.array(AuditEntry), next: z.int().nullable() });
export type AuditPage = z.infer<typeof AuditPage>;
