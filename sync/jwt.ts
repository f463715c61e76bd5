import { createHmac } from 'node:crypto';

const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');

/**
 * An HS256 JWT, as Supabase's JWT secret signs them. Used to mint hub credentials
 * (`grow-hub cloud credential`) and, in tests, the anon key and HQ users' sessions.
 */
export function signJwt(
  claims: Record<string, unknown>,
  secret: string,
  ttlSeconds = 10 * 365 * 86_400,
  now = Date.now(),
): string {
  const iat = Math.floor(now / 1000);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ iat, exp: iat + ttlSeconds, ...claims }));
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** The claims of a JWT, unverified: the hub reads its own credential, the cloud verifies it. */
export function jwtClaims(token: string): Record<string, unknown> | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}
