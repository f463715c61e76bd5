// Kept free of zod so browser apps can import it without the schema library.
/** Close codes the hub uses; clients reconnect on all but the auth ones. */
export const CloseCode = {
  /**
   * The hub is restarting (RFC 6455 1012): reconnect when the reason says (a slot of this
   * device's own, "hub restarting; retry in 1400 ms"), then with backoff, and resume by seq.
   */
  restart: 1012,
  /** The socket read too slowly and its send buffer passed the limit: reconnect and resume. */
  slowConsumer: 4008,
  /** A frame was not a valid client message. */
  badMessage: 4000,
  /** The device's token was revoked or is unknown: stop and pair again. */
  unauthorized: 4001,
  forbidden: 4003,
  /**
   * Too many devices are connecting at once (the hub's handshake pace): the reason says when to
   * come back ("busy; retry in 1250 ms"), a slot of this device's own; reconnect then.
   */
  busy: 4029,
} as const;

/**
 * The wait a close asks for, in ms ("busy; retry in 1250 ms", "hub restarting; retry in 1400 ms");
 * null if the reason carries none.
 */
export function retryHintMs(reason: string): number | null {
  const m = /retry in (\d+) ms/.exec(reason);
  return m ? Number(m[1]) : null;
}
