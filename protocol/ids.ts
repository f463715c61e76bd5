import { randomFillSync } from 'node:crypto';
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

export type IdSource = () => string;

/**
 * UUIDv7 (RFC 9562 §5.7): 48-bit unix ms timestamp, then random bits. Ids made in the same
 * millisecond stay ordered through a 12-bit counter in rand_a, so a hub's ids sort by creation.
 */
export function uuidv7Source(now: () => number = Date.now, fill = randomFillSync): IdSource {
  let lastMs = -1;
  let counter = 0;
  return () => {
    let ms = now();
    if (ms <= lastMs) {
      counter++;
      if (counter > 0xfff) {
        counter = 0;
        lastMs++;
      }
      ms = lastMs;
    } else {
      lastMs = ms;
      counter = 0;
    }
    const b = fill(new Uint8Array(16));
    b[0] = (ms / 2 ** 40) & 0xff;
    b[1] = (ms / 2 ** 32) & 0xff;
    b[2] = (ms >>> 24) & 0xff;
    b[3] = (ms >>> 16) & 0xff;
    b[4] = (ms >>> 8) & 0xff;
    b[5] = ms & 0xff;
    b[6] = 0x70 | ((counter >>> 8) & 0x0f);
    b[7] = counter & 0xff;
    b[8] = 0x80 | (b[8]! & 0x3f);
    const hex = Buffer.from(b).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}
