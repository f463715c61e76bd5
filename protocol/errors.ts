import { z } from 'zod';

/**
 * Every error code the hub can answer with. Clients branch on `code`, never on prose.
 * The HTTP status and the advice live in hub/errors.ts; this list is what devices may see.
 */
export const ErrorCode = z.enum([
  'VALIDATION_FAILED',
  'BAD_REQUEST',
  'REQUEST_TIMEOUT',
  'HEADERS_TOO_LARGE',
  'BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'MALFORMED_JSON',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'ORDER_ID_REUSED',
  'ORDER_NOT_FOUND',
  'ORDER_TOO_LARGE',
  'ORDER_UNPAID',
  'COMMAND_ID_REUSED',
  'CHECK_VERSION_STALE',
  'CHECK_CLOSED',
  'LINE_NOT_FOUND',
  'COURSE_NOT_FOUND',
  'NOTHING_TO_FIRE',
  'PERMISSION_REQUIRED',
  'STAFF_SIGNED_OUT',
  'ALREADY_CLOCKED_IN',
  'NOT_CLOCKED_IN',
  'PUNCH_NOT_FOUND',
  'DRAWER_NOT_FOUND',
  'DRAWER_ALREADY_OPEN',
  'DRAWER_NOT_OPEN',
  'CHECKS_OPEN',
  'DISCOUNT_NOT_FOUND',
  'TABLE_NOT_FOUND',
  'SPLIT_INVALID',
  'ILLEGAL_TRANSITION',
  'ITEM_NOT_FOUND',
  'ITEM_UNAVAILABLE',
  'MODIFIER_INVALID',
  'TICKET_NOT_FOUND',
  'MENU_EMPTY',
  'MENU_VERSION_STALE',
  'MENU_INVALID',
  'DEVICE_NOT_FOUND',
  'PAIRING_NOT_FOUND',
  'PAIRING_NOT_APPROVED',
  'PAIRING_EXPIRED',
  'PAYMENT_ID_REUSED',
  'PAYMENT_NOT_FOUND',
  'OVERPAYMENT',
  'AMOUNT_TOO_LARGE',
  'ORDER_HAS_PAYMENTS',
  'CARD_UNAVAILABLE',
  'CARD_ALREADY_CHARGED',
  'CARD_ATTEMPT_BUSY',
  'AMOUNT_TOO_SMALL',
  'STANDALONE_LIMIT',
  'MATCH_INVALID',
  'PRINTER_NOT_FOUND',
  'PRINTER_BUSY',
  'STATION_NOT_FOUND',
  'PRINT_JOB_NOT_FOUND',
  'REFUND_TOO_LARGE',
  'RATE_LIMITED',
  'LOCKED_OUT',
  'STAFF_NOT_FOUND',
  'PIN_INVALID',
  'OVERLOADED',
  'SHUTTING_DOWN',
  'STALE_PRIMARY',
  'SWITCHING_OVER',
  'NO_STANDBY_IN_SYNC',
  'STANDBY_UNCONFIRMED',
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** One field at fault, written as people write a path: `lines[0].qty`. */
export const FieldError = z.object({ field: z.string(), message: z.string() });
export type FieldError = z.infer<typeof FieldError>;

/** `lines.0.qty` → `lines[0].qty`: how people write a field path. */
export function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** RFC 9457 problem details, with our stable `code` and the fields at fault. */
export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  code: ErrorCode,
  instance: z.string().optional(),
  errors: z.array(FieldError).optional(),
  /** With CHECK_VERSION_STALE: the check as it is now, for the till to show and redo on. */
  current: z.unknown().optional(),
  /** With PERMISSION_REQUIRED: the permission needed, and that a manager's PIN may override. */
  permission: z.string().optional(),
  override: z.boolean().optional(),
  /** With CHECKS_OPEN: the checks that must close first. */
  openChecks: z.array(z.unknown()).optional(),
});
export type Problem = z.infer<typeof Problem>;
