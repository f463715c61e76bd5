import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { useState } from 'preact/hooks';
import { html } from '../apps/shared/ui.ts';

/**
 * Where HQ reads the cloud and as whom, kept for the browser tab (sessionStorage). `via` says who
 * holds the access token: Supabase Auth's client (signed in with an email and a password; it
 * refreshes the token itself), or the session (an access token pasted or given in the address,
 * for a cloud without Supabase Auth).
 */
export interface Session {
  url: string;
  key: string;
  via: 'password' | 'token';
  token: string;
}
export const sessionKey = 'grow.hq.session';
const authStorageKey = 'grow.hq.auth';

/** What the cloud's gateway says about itself (/hq/config.json): HQ is then at the project's URL. */
export interface Project {
  url: string;
  key: string;
  /** The gateway has Supabase Auth behind it: sign in with an email and a password. */
  auth: boolean;
}

/** The project this page belongs to, when the cloud's gateway serves it; null on another host. */
export async function servedProject(): Promise<Project | null> {
  try {
    const res = await fetch('./config.json', { cache: 'no-cache' });
    if (!res.ok) return null;
    const c = (await res.json()) as { anonKey?: string; auth?: boolean };
    return c.anonKey ? { url: location.origin, key: c.anonKey, auth: Boolean(c.auth) } : null;
  } catch {
    return null;
  }
}

export function session(): Session | null {
  const hash = new URLSearchParams(location.hash.slice(1));
  if (hash.get('url') && hash.get('key') && hash.get('token')) {
    save({ url: hash.get('url')!, key: hash.get('key')!, via: 'token', token: hash.get('token')! });
    history.replaceState(null, '', location.pathname);
  }
  const raw = sessionStorage.getItem(sessionKey);
  return raw ? ({ via: 'token', ...JSON.parse(raw) } as Session) : null;
}

function save(s: Session): void {
  sessionStorage.setItem(sessionKey, JSON.stringify(s));
}

/** The cloud's client for a session: Supabase Auth keeps and refreshes a password session's token. */
export function cloudClient(s: Pick<Session, 'url' | 'key' | 'via' | 'token'>): SupabaseClient {
  if (s.via === 'password')
    return createClient(s.url, s.key, {
      auth: {
        persistSession: true,
        autoRefreshToken: true,
        storage: sessionStorage,
        storageKey: authStorageKey,
      },
    });
  return createClient(s.url, s.key, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { headers: { Authorization: `Bearer ${s.token}` } },
  });
}

/** The claims of an access token, read without verifying it (the cloud verifies every call). */
export function claimsOf(
  token: string,
): { grow_role?: string; organisation_id?: string; exp?: number; email?: string } | null {
  try {
    const part = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part));
  } catch {
    return null;
  }
}

/** Why an access token cannot open the dashboard, in the HQ user's words; null when it can. */
export function unusable(token: string): string | null {
  const claims = claimsOf(token);
  if (!claims) return 'That access token is not one Supabase Auth issues (it is not a JWT). Paste it again.';
  if (claims.exp && claims.exp * 1000 < Date.now())
    return `Your session expired at ${new Date(claims.exp * 1000).toLocaleString()}. Sign in again.`;
  if (claims.grow_role !== 'hq' || !claims.organisation_id)
    return claims.email
      ? `You signed in as ${claims.email}, but that account is not in any organisation's HQ. Ask your administrator to invite it (grow-hub cloud invite).`
      : 'This access token is not an HQ user’s: it names no organisation. Sign in with your HQ account, or ask your administrator to invite you.';
  return null;
}

/** Supabase Auth's refusals in the HQ user's words. */
function signInProblem(error: { message: string; code?: string }, url: string): string {
  if (error.code === 'invalid_credentials')
    return 'That email and password do not match an HQ account. Check them, or ask your administrator to invite you.';
  if (error.code === 'auth_not_configured')
    return 'This cloud has no email sign-in: use an access token below, or ask your administrator to set up Supabase Auth.';
  if (/fetch|network/i.test(error.message) || error.code === undefined)
    return `Can't reach the cloud at ${url}: check the address and this computer's connection.`;
  return `Supabase Auth refused: ${error.message}`;
}

export function SignIn({
  project,
  onDone,
  reason,
}: {
  /** Given when the cloud's gateway serves this page: no address or key to type. */
  project: Project | null;
  onDone: () => void;
  reason: string | null;
}) {
  // The project URL and anon key stay from the last session: after an expired session only the
  // password (or a new access token) is needed.
  const last = JSON.parse(sessionStorage.getItem(sessionKey) ?? '{}') as Partial<Session>;
  const [form, setForm] = useState({
    url: project?.url ?? last.url ?? '',
    key: project?.key ?? last.key ?? '',
    email: '',
    password: '',
    token: '',
  });
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: Event) =>
    setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  const withPassword = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    const client = cloudClient({ url: form.url, key: form.key, via: 'password', token: '' });
    const { data, error } = await client.auth.signInWithPassword({
      email: form.email,
      password: form.password,
    });
    setBusy(false);
    if (error || !data.session)
      return setProblem(signInProblem(error ?? { message: 'no session' }, form.url));
    const refused = unusable(data.session.access_token);
    if (refused) {
      await client.auth.signOut({ scope: 'local' });
      return setProblem(refused);
    }
    save({ url: form.url, key: form.key, via: 'password', token: '' });
    onDone();
  };
  const withToken = (e: Event) => {
    e.preventDefault();
    save({ url: form.url, key: form.key, via: 'token', token: form.token });
    onDone();
  };
  const said = problem ?? reason;
  return html`<main class="pair"><h1>Grow HQ</h1>
    ${said && html`<p class="notice bad" role="alert" data-testid="sign-in-reason">${said}</p>`}
    ${
      project
        ? html`<p class="muted" data-testid="sign-in-project">Cloud: ${project.url}</p>`
        : html`<label>Supabase project URL <input value=${form.url} onInput=${set('url')} placeholder="https://ref.supabase.co" data-testid="sign-in-url" /></label>
          <label>Anon key <input value=${form.key} onInput=${set('key')} data-testid="sign-in-key" /></label>`
    }
    ${
      (!project || project.auth) &&
      html`<form onSubmit=${withPassword} data-testid="sign-in-password">
        <label>Email <input type="email" autocomplete="username" value=${form.email} onInput=${set('email')} data-testid="sign-in-email" /></label>
        <label>Password <input type="password" autocomplete="current-password" value=${form.password} onInput=${set('password')} data-testid="sign-in-secret" /></label>
        <button class="primary big" type="submit" disabled=${busy}>${busy ? 'Signing in…' : 'Sign in'}</button>
      </form>`
    }
    <details open=${last.via === 'token' || (project !== null && !project.auth)}><summary>Use an access token instead</summary>
      <form onSubmit=${withToken}>
        <label>Your access token (from Supabase Auth) <input value=${form.token} onInput=${set('token')} data-testid="sign-in-token" /></label>
        <button type="submit">Open the dashboard</button>
      </form>
    </details></main>`;
}
