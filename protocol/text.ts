import { z } from 'zod';

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether text can be kept everywhere it travels: a NUL byte or half of a UTF-16 surrogate pair
 * is valid in a JavaScript string and in SQLite, but Postgres (the cloud) refuses it, so an order
 * carrying one would be cooked and never reach HQ.
 */
export function storable(text: string): boolean {
  return !text.includes('\u0000') && !loneSurrogate.test(text);
}

export const unstorableMessage =
  'contains a character that cannot be stored (a NUL byte, or half of an emoji); retype it';

/** Text a person typed (a note, a name, a reason), at most `max` characters, refused if unstorable. */
export const FreeText = (max: number) => z.string().max(max).refine(storable, unstorableMessage);

/** The same, trimmed, and at least `min` characters after trimming (a name, a reason). */
export const Name = (max: number, min = 1) =>
  z.string().trim().min(min).max(max).refine(storable, unstorableMessage);
