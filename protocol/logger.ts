/**
 * The logging interface every module takes: pino's shape (the hub passes fastify's pino logger),
 * so hub, sync and the workers log structured objects with the order or device id they concern.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
