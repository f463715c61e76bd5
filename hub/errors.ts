import type { ErrorCode, FieldError, Problem } from '../protocol/errors.ts';

interface CatalogueEntry {
  status: number;
  title: string;
}

/**
 * The one catalogue of errors the hub answers with.
 * Titles say what went wrong in general; each throw's `detail` says what to do about this one.
 */
export const errorCatalogue: Record<ErrorCode, CatalogueEntry> = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  BAD_REQUEST: { status: 400, title: 'The request could not be read' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request arrived too slowly' },
  HEADERS_TOO_LARGE: { status: 431, title: 'The request headers are too large' },
  BODY_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Send the body as application/json' },
  MALFORMED_JSON: { status: 400, title: 'The body is not valid JSON' },
  NOT_FOUND: { status: 404, title: 'No such route' },
  UNAUTHENTICATED: { status: 401, title: 'A valid device token is required' },
  FORBIDDEN: { status: 403, title: "This device's role may not do that" },
  ORDER_ID_REUSED: { status: 409, title: 'That order id was already used for a different order' },
  ORDER_NOT_FOUND: { status: 404, title: 'No order with that id' },
  ORDER_TOO_LARGE: { status: 422, title: 'The order total is beyond what one order may hold' },
  ORDER_UNPAID: { status: 409, title: 'The check still has money due' },
  COMMAND_ID_REUSED: { status: 409, title: 'That command id was already used for a different command' },
  CHECK_VERSION_STALE: { status: 409, title: 'The check changed since this till last saw it' },
  CHECK_CLOSED: { status: 409, title: 'The check is closed' },
  LINE_NOT_FOUND: { status: 422, title: 'The check has no such line' },
  COURSE_NOT_FOUND: { status: 422, title: 'The menu has no such course' },
  NOTHING_TO_FIRE: { status: 409, title: 'Nothing of that course is held' },
  PERMISSION_REQUIRED: {
    status: 403,
    title: 'This needs a permission the signed-in staff member does not have; a manager may override',
  },
  STAFF_SIGNED_OUT: { status: 401, title: 'The staff member is not signed in on this device' },
  ALREADY_CLOCKED_IN: { status: 409, title: 'Already on the clock' },
  NOT_CLOCKED_IN: { status: 409, title: 'Not on the clock' },
  PUNCH_NOT_FOUND: { status: 404, title: 'No time punch with that id' },
  DRAWER_NOT_FOUND: { status: 404, title: 'No cash drawer session with that id' },
  DRAWER_ALREADY_OPEN: { status: 409, title: 'A cash drawer is already open here' },
  DRAWER_NOT_OPEN: { status: 409, title: 'No cash drawer is open here' },
  CHECKS_OPEN: { status: 409, title: 'Checks are still open' },
  DISCOUNT_NOT_FOUND: { status: 422, title: 'No discount with that id' },
  TABLE_NOT_FOUND: { status: 422, title: 'The floor plan has no such table' },
  SPLIT_INVALID: { status: 422, title: 'The check cannot be split that way' },
  ILLEGAL_TRANSITION: {
    status: 409,
    title: 'The order or ticket cannot make that move from its current state',
  },
  ITEM_NOT_FOUND: { status: 422, title: 'The menu has no such item' },
  ITEM_UNAVAILABLE: { status: 422, title: "The item is 86'd (unavailable)" },
  MODIFIER_INVALID: { status: 422, title: "The modifiers do not fit the item's choices" },
  TICKET_NOT_FOUND: { status: 404, title: 'No ticket with that id' },
  MENU_EMPTY: { status: 409, title: 'The hub has no menu yet' },
  MENU_VERSION_STALE: { status: 409, title: 'A newer menu version is already applied' },
  MENU_INVALID: { status: 422, title: 'The menu snapshot is inconsistent' },
  DEVICE_NOT_FOUND: { status: 404, title: 'No device with that id' },
  PAIRING_NOT_FOUND: { status: 404, title: 'No pending pairing matches' },
  PAIRING_NOT_APPROVED: { status: 409, title: 'The pairing has not been approved yet' },
  PAIRING_EXPIRED: { status: 410, title: 'The pairing code has expired' },
  PAYMENT_ID_REUSED: { status: 409, title: 'That payment id was already used for a different payment' },
  PAYMENT_NOT_FOUND: { status: 404, title: 'No payment with that id' },
  OVERPAYMENT: { status: 422, title: 'The payment is more than the order still owes' },
  AMOUNT_TOO_LARGE: { status: 422, title: 'The amount is beyond what one payment may carry' },
  ORDER_HAS_PAYMENTS: { status: 409, title: 'The order has payments; refund them first' },
  CARD_UNAVAILABLE: { status: 503, title: 'Card payments cannot reach Stripe right now' },
  CARD_ALREADY_CHARGED: { status: 409, title: 'The card was already charged; refund it instead' },
  CARD_ATTEMPT_BUSY: { status: 409, title: 'The card payment is not ready for that yet' },
  AMOUNT_TOO_SMALL: { status: 422, title: 'Card payments must be at least 0.50' },
  STANDALONE_LIMIT: { status: 422, title: 'Beyond the standalone-terminal card limits' },
  MATCH_INVALID: { status: 422, title: 'That Stripe payment cannot be this payment' },
  PRINTER_NOT_FOUND: { status: 404, title: 'No printer with that id' },
  PRINTER_BUSY: { status: 409, title: 'The printer still has jobs queued' },
  STATION_NOT_FOUND: { status: 404, title: 'The menu has no such station' },
  PRINT_JOB_NOT_FOUND: { status: 404, title: 'No print job with that id' },
  REFUND_TOO_LARGE: { status: 422, title: 'The refund is more than what is left to refund' },
  RATE_LIMITED: { status: 429, title: 'Too many requests from this device or address' },
  LOCKED_OUT: { status: 429, title: 'Too many failed attempts; locked for a while' },
  STAFF_NOT_FOUND: { status: 404, title: 'No active staff member with that id' },
  PIN_INVALID: { status: 401, title: 'The PIN is wrong' },
  OVERLOADED: { status: 503, title: 'The hub is busy; retry shortly' },
  SHUTTING_DOWN: { status: 503, title: 'The hub is restarting; retry shortly' },
  STALE_PRIMARY: { status: 409, title: 'This hub is no longer the primary' },
  SWITCHING_OVER: { status: 503, title: 'The hubs are switching over; retry shortly' },
  NO_STANDBY_IN_SYNC: { status: 409, title: 'No standby in sync to switch over to' },
  STANDBY_UNCONFIRMED: { status: 503, title: 'Not confirmed by the standby; retry' },
  INTERNAL: { status: 500, title: 'The hub hit an unexpected error' },
};

/** An error as a value with a code; routes never build problem bodies by hand. */
export class HubError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly retryAfterSeconds?: number,
    /** The entity as it is now, for a conflict the client resolves (CHECK_VERSION_STALE). */
    readonly current?: unknown,
    /** Members the problem adds for the client to act on (PERMISSION_REQUIRED: `permission`). */
    readonly extensions?: Record<string, unknown>,
  ) {
    super(`${code}: ${detail}`);
    this.status = errorCatalogue[code].status;
  }
}

export function toProblem(error: HubError, instance?: string): Problem {
  const entry = errorCatalogue[error.code];
  return {
    type: `urn:grow-hub:problem:${error.code.toLowerCase().replaceAll('_', '-')}`,
    title: entry.title,
    status: entry.status,
    detail: error.detail,
    code: error.code,
    ...(instance ? { instance } : {}),
    ...(error.errors ? { errors: error.errors } : {}),
    ...(error.current !== undefined ? { current: error.current } : {}),
    ...error.extensions,
  };
}

/** The catalogue as the table in docs/api.md (hub/errors.test.ts checks the two agree). */
export function errorsMarkdown(): string {
  const rows = Object.entries(errorCatalogue).map(
    ([code, e]) => `| \`${code}\` | ${e.status} | ${e.title} |`,
  );
  return ['| code | status | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
