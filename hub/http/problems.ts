import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isResponseSerializationError } from 'fastify-type-provider-zod';
import { HubError, toProblem } from '../errors.ts';

const fastifyCodes: Record<string, () => HubError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () =>
    new HubError('BODY_TOO_LARGE', 'Send a smaller body; orders rarely need more than a few kilobytes.'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    new HubError('UNSUPPORTED_MEDIA_TYPE', 'Set Content-Type: application/json.'),
  FST_ERR_CTP_INVALID_JSON_BODY: () =>
    new HubError('MALFORMED_JSON', 'The body could not be parsed as JSON.'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    new HubError('VALIDATION_FAILED', 'The body is empty but Content-Type says JSON.', [
      { field: 'body', message: 'is empty' },
    ]),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    new HubError('VALIDATION_FAILED', 'Content-Length does not match the body.'),
  FST_ERR_BAD_URL: () =>
    new HubError('BAD_REQUEST', 'The address has a broken %-escape; check the link or the app.'),
  FST_ERR_MAX_PARAM_LENGTH: () => new HubError('BAD_REQUEST', 'A part of the address is too long.'),
};

/** Map anything thrown during a request to one RFC 9457 answer with a stable code. */
export function toHubError(error: unknown): HubError {
  if (error instanceof HubError) return error;
  const code = (error as FastifyError | undefined)?.code;
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT') {
    return new HubError(
      'OVERLOADED',
      'The database was busy; the command was not applied. Retry in a moment.',
      undefined,
      1,
    );
  }
  if (code && fastifyCodes[code]) return fastifyCodes[code]!();
  if (error instanceof SyntaxError)
    return new HubError('MALFORMED_JSON', 'The body could not be parsed as JSON.');
  const status = (error as FastifyError | undefined)?.statusCode;
  if (status && status >= 400 && status < 500)
    return new HubError('VALIDATION_FAILED', (error as Error).message);
  return new HubError(
    'INTERNAL',
    'Something went wrong on the hub; the command was not applied. It is safe to retry.',
  );
}

export function sendProblem(reply: FastifyReply, request: FastifyRequest, error: HubError): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply
    .code(error.status)
    .type('application/problem+json')
    .send(JSON.stringify(toProblem(error, request.url.split('?')[0])));
}

/** For fastify's `frameworkErrors`: errors raised before routing (a bad URL) answer problem+json too. */
export function frameworkError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  sendProblem(reply, request, toHubError(error));
}

/**
 * For the server's `clientError` (a request Node could not parse, or that arrived too slowly):
 * fastify's default answers its own JSON shape; this answers problem+json like everything else.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const error =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new HubError('REQUEST_TIMEOUT', 'The request did not arrive in time; send it again.')
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? new HubError('HEADERS_TOO_LARGE', 'The request headers are larger than the hub accepts.')
        : new HubError('BAD_REQUEST', 'The request is not valid HTTP.');
  const body = JSON.stringify(toProblem(error));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${error.status} ${error.code.replaceAll('_', ' ')}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}

export function registerProblems(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const hubError = toHubError(error);
    if (hubError.code === 'INTERNAL' || isResponseSerializationError(error)) {
      request.log.error({ err: error }, 'request failed');
    }
    return sendProblem(reply, request, hubError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      request,
      new HubError(
        'NOT_FOUND',
        `No route ${request.method} ${request.url.split('?')[0]}. The routes are listed at GET /api/v1/openapi.json and in docs/api.md.`,
      ),
    ),
  );
}
