// Kept free of zod so browser apps can import it without the schema library.
export type IdSource = () => string;

/**
 * UUIDv7 (RFC 9562 §5.7): 48-bit unix ms timestamp, then random bits. Ids made in the same
 * millisecond stay ordered through a 12-bit counter in rand_a, so a hub's ids sort by creation.
 */
/**
 * Web Crypto (present in browsers and in Node 20, so apps and hub share this module), drawn 4 kB
 * at a time: one getRandomValues call per 256 ids instead of one each, which was 5 % of the hub's
 * CPU at saturation (`--cpu-prof`, npm run bench).
 */
function pooledWebRandom(): (b: Uint8Array) => Uint8Array {
  const pool = new Uint8Array(4_096);
  let at = pool.length;
  return (b) => {
    if (at + b.length > pool.length) {
      globalThis.crypto.getRandomValues(pool);
      at = 0;
    }
    b.set(pool.subarray(at, at + b.length));
    at += b.length;
    return b;
  };
}

const hexByte = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function uuidv7Source(
  now: () => number = Date.now,
  fill: (b: Uint8Array) => Uint8Array = pooledWebRandom(),
): IdSource {
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
    let hex = '';
    for (const x of b) hex += hexByte[x];
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}
