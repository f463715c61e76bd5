import { useState } from 'preact/hooks';
import { html } from '../apps/shared/ui.ts';

/** Where HQ reads the cloud and as whom: kept for the browser tab (sessionStorage). */
export interface Session {
  url: string;
  key: string;
  token: string;
}
export const sessionKey = 'grow.hq.session';

export function session(): Session | null {
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get('url') && hash.get('key') && hash.get('token')) {
    sessionStorage.setItem(
      sessionKey,
      JSON.stringify({ url: hash.get('url'), key: hash.get('key'), token: hash.get('token') }),
    );
    history.replaceState(null, '', location.pathname);
  }
  const raw = sessionStorage.getItem(sessionKey);
  return raw ? (JSON.parse(raw) as Session) : null;
}

/** The claims of an access token, read without verifying it (the cloud verifies every call). */
export function claimsOf(
  token: string,
): { grow_role?: string; organisation_id?: string; exp?: number } | null {
  try {
    const part = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part));
  } catch {
    return null;
  }
}

/** Why a stored session cannot open the dashboard, in the HQ user's words; null when it can. */
export function unusable(s: Session): string | null {
  const claims = claimsOf(s.token);
  if (!claims) return 'That access token is not one Supabase Auth issues (it is not a JWT). Paste it again.';
  if (claims.exp && claims.exp * 1000 < Date.now())
    return `Your session expired at ${new Date(claims.exp * 1000).toLocaleString()}. Sign in again.`;
  if (claims.grow_role !== 'hq' || !claims.organisation_id)
    return 'This access token is not an HQ user’s: it names no organisation. Sign in with your HQ account, or ask your administrator to invite you.';
  return null;
}

export function SignIn({ onDone, reason }: { onDone: () => void; reason: string | null }) {
  // The project URL and anon key stay from the last session: after an expired session only the
  // access token needs pasting again.
  const last = JSON.parse(sessionStorage.getItem(sessionKey) ?? '{}') as Partial<Session>;
  const [form, setForm] = useState({ url: last.url ?? '', key: last.key ?? '', token: '' });
  const set = (k: keyof Session) => (e: Event) =>
    setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  return html`<main class="pair"><h1>Grow HQ</h1>
    ${reason && html`<p class="notice bad" role="alert" data-testid="sign-in-reason">${reason}</p>`}
    <form onSubmit=${(e: Event) => {
      e.preventDefault();
      sessionStorage.setItem(sessionKey, JSON.stringify(form));
      onDone();
    }}>
      <label>Supabase project URL <input value=${form.url} onInput=${set('url')} placeholder="https://ref.supabase.co" data-testid="sign-in-url" /></label>
      <label>Anon key <input value=${form.key} onInput=${set('key')} data-testid="sign-in-key" /></label>
      <label>Your access token (from Supabase Auth) <input value=${form.token} onInput=${set('token')} data-testid="sign-in-token" /></label>
      <button class="primary big" type="submit">Open the dashboard</button>
    </form></main>`;
}
