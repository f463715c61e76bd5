import type { Problem } from '../../protocol/errors.ts';

const tokenKey = 'grow.deviceToken';

/**
 * The device token: paired once and kept. A setup link may carry it as `#token=…` (the tokens
 * `grow-hub start` prints); it is stored and removed from the address bar at once.
 */
export function deviceToken(): string | null {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    localStorage.setItem(tokenKey, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return localStorage.getItem(tokenKey);
}

export function saveToken(token: string): void {
  localStorage.setItem(tokenKey, token);
}

/** Forget a token the hub no longer accepts, so the device pairs again. */
export function forgetToken(): void {
  localStorage.removeItem(tokenKey);
}

const staffKey = 'grow.staffSession';

/**
 * The staff member signed in on this till (their session from POST /api/v1/staff/sign-in): sent
 * as `X-Grow-Staff` with every request. Kept for this tab only, so closing it signs nobody in.
 */
export function staffSession(): string | null {
  return sessionStorage.getItem(staffKey);
}

export function setStaffSession(session: string | null): void {
  if (session) sessionStorage.setItem(staffKey, session);
  else sessionStorage.removeItem(staffKey);
}

export class HubUnreachable extends Error {}

export interface ApiAnswer<T> {
  ok: boolean;
  status: number;
  body: T;
  problem: Problem | null;
}

/**
 * fetch against the hub; throws HubUnreachable when the hub does not answer at all. `staff`
 * sends a given staff session instead of the current one (a queued command keeps whoever took it).
 */
export async function api<T = unknown>(
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 8_000,
  staff: string | null = staffSession(),
): Promise<ApiAnswer<T>> {
  const token = localStorage.getItem(tokenKey);
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(staff ? { 'x-grow-staff': staff } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new HubUnreachable((err as Error).message);
  }
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : null;
  // The person signed in here was signed out on the hub (disabled, or signed out elsewhere): the
  // till locks to its PIN pad. A queued command sent under an older session does not lock it.
  if (
    res.status === 401 &&
    (parsed as Problem | null)?.code === 'STAFF_SIGNED_OUT' &&
    staff &&
    staff === staffSession()
  ) {
    setStaffSession(null);
    window.dispatchEvent(new Event(signedOutEvent));
  }
  return { ok: res.ok, status: res.status, body: parsed as T, problem: res.ok ? null : (parsed as Problem) };
}

/** Sent on `window` when the hub no longer knows this till's signed-in person. */
export const signedOutEvent = 'grow:staff-signed-out';

/** The first-run pairing flow: ask, show the code, wait for a manager, keep the token. */
export async function requestPairing(name: string, role: 'pos' | 'kds') {
  const res = await api<{ pairingId: string; code: string; secret: string; expiresAt: string }>(
    'POST',
    '/api/v1/pairings',
    { name, role },
  );
  if (!res.ok) throw new Error(res.problem?.detail ?? 'pairing failed');
  return res.body;
}

export async function claimPairing(
  pairingId: string,
  secret: string,
): Promise<'waiting' | 'expired' | string> {
  const res = await api<{ token: string }>('POST', `/api/v1/pairings/${pairingId}/claim`, { secret });
  if (res.ok && typeof res.body?.token === 'string') return res.body.token;
  return res.problem?.code === 'PAIRING_NOT_APPROVED' ? 'waiting' : 'expired';
}
