import { z } from 'zod';

/**
 * Any RFC 9562 UUID in its canonical lower-case form. Clients should send UUIDv7 (time-ordered);
 * older v4 ids are accepted too. Upper case is refused rather than folded: the same id in two
 * cases would otherwise be two orders on the hub and one in the cloud (Postgres folds uuid case).
 */
export const Uuid = z
  .uuid({ message: 'must be a UUID (clients should generate UUIDv7)' })
  .lowercase('must be in lower case, the canonical form of a UUID');
export type Uuid = z.infer<typeof Uuid>;

/** Short, human-typed identifiers for menu entities (`burger-classic`, `grill`). */
export const Slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'must be lowercase letters, digits, "-" or "_"');

export { type IdSource, uuidv7Source } from './uuidv7.ts';
