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
