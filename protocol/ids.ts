import { z } from 'zod';

/** Any RFC 9562 UUID. Clients should send UUIDv7 (time-ordered); older v4 ids are accepted too. */
export const Uuid = z.uuid({ message: 'must be a UUID (clients should generate UUIDv7)' });
export type Uuid = z.infer<typeof Uuid>;

/** Short, human-typed identifiers for menu entities (`burger-classic`, `grill`). */
export const Slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lowercase letters, digits, "-" or "_"');

export { type IdSource, uuidv7Source } from './uuidv7.ts';
