// Kept free of zod so browser apps can import it without the schema library.
/** Close codes the hub uses; clients reconnect on all but the auth ones. */
export const CloseCode = {
  /** The hub is restarting (RFC 6455 1012): reconnect with backoff and resume by seq. */
  restart: 1012,
  /** The socket read too slowly and its send buffer passed the limit: reconnect and resume. */
  slowConsumer: 4008,
  /** A frame was not a valid client message. */
  badMessage: 4000,
  /** The device's token was revoked or is unknown: stop and pair again. */
  unauthorized: 4001,
  forbidden: 4003,
  /** The hub refused new sockets for a moment (handshake rate): reconnect with backoff. */
  busy: 4029,
} as const;
