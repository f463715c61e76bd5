import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** 256 random bits; the prefix makes a leaked token easy to recognise in logs and scanners. */
export function newDeviceToken(): string {
  return `ghd_${randomBytes(32).toString('base64url')}`;
}

export function newPairingSecret(): string {
  return randomBytes(24).toString('base64url');
}

/** Six digits a person can read off a tablet and type on the admin page. */
export function newPairingCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/**
 * Tokens are stored only as SHA-256 digests. A plain hash suffices (no salt or slow KDF) because
 * tokens are 256-bit random values, not passwords: there is nothing to guess or precompute.
 */
export function hashSecret(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function sameSecret(secret: string, hash: Buffer): boolean {
  const candidate = hashSecret(secret);
  return candidate.length === hash.length && timingSafeEqual(candidate, hash);
}
