import type { FastifySchemaCompiler } from 'fastify';
import type { z } from 'zod';
import { fieldPath } from '../../protocol/errors.ts';
import { HubError } from '../errors.ts';

export type InputPart = 'body' | 'query' | 'params' | 'headers';

/** zod's issues as one VALIDATION_FAILED error that names every field at fault. */
function invalid(issues: readonly z.core.$ZodIssue[], part: InputPart): HubError {
  const errors = issues.map((i) => ({ field: fieldPath(i.path) || part, message: i.message }));
  const first = errors[0] ?? { field: part, message: 'is invalid' };
  return new HubError('VALIDATION_FAILED', `Invalid ${part}: ${first.field} ${first.message}`, errors);
}

/** Parse what a device sent, or throw the same error an HTTP route would answer. */
export function parseInput<T extends z.ZodType>(schema: T, data: unknown, part: InputPart): z.output<T> {
  const result = schema.safeParse(data);
  if (!result.success) throw invalid(result.error.issues, part);
  return result.data;
}

const parts: Record<string, InputPart> = {
  body: 'body',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

/**
 * Fastify's validator for every route schema: the zod schema itself, failing with our HubError
 * (fastify passes an Error through to the error handler as it is), so a bad field reads the same
 * over HTTP and over a socket.
 */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, httpPart }) => {
  const part = parts[httpPart ?? 'body'] ?? 'body';
  return (data) => {
    const result = schema.safeParse(data);
    return result.success ? { value: result.data } : { error: invalid(result.error.issues, part) };
  };
};

/**
 * For an answer that is exactly what the command's event already carries to every device and to
 * the cloud (a new order): serialised as it is, as its socket answer and its event are, instead of
 * being checked and copied against its response schema first. That check and copy was 27 % of
 * the instructions an order create cost (470k of 1.70 M, `npm run bench -- --only instructions`).
 * The schema still documents the answer (OpenAPI), and test/orders.test.ts holds the answer to it,
 * strictly, so no field is added unnoticed.
 */
export const asTheEventCarriesIt = () => (data: unknown) => JSON.stringify(data);
