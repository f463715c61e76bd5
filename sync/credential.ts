import { type HubClaims as Claims, HubClaims } from '../protocol/sync.ts';

const tenYears = 10 * 365 * 86_400;

// Loaded when a cloud is configured (or by the CLI), not by every hub: it is about 9 MB resident.
const jose = () => import('jose');

/**
 * A JWT signed HS256 with the Supabase project's JWT secret, as Supabase's own tokens are: a hub's
 * cloud credential (`grow-hub cloud-credential`), and in tests the anon key and HQ sessions.
 */
export async function signCloudToken(
  claims: Record<string, unknown>,
  secret: string,
  ttlSeconds = tenYears,
): Promise<string> {
  const { SignJWT } = await jose();
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(new TextEncoder().encode(secret));
}

/**
 * The claims of this hub's own credential, read without verifying it (the cloud verifies every
 * call); null when it is not a JWT or not a hub's.
 */
export async function hubClaimsOf(token: string): Promise<Claims | null> {
  const { decodeJwt } = await jose();
  try {
    const parsed = HubClaims.safeParse(decodeJwt(token));
    return parsed.success ? parsed.data : null;
  } catch {
    return null; // not a JWT at all: the caller says what a hub credential must hold
  }
}
