import type { SupabaseClient } from '@supabase/supabase-js';
import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { html } from '../apps/shared/ui.ts';
import { type HubRow, HubsCard, SilenceBanner, SilenceSettings, silentRestaurants } from './hubs.ts';
import { MenuPublisher } from './menu-publisher.ts';
import { SalesReport } from './report.ts';
import { PerHour, SalesCard, type SalesRow, TopItems } from './sales.ts';
import {
  claimsOf,
  cloudClient,
  type Project,
  SignIn,
  servedProject,
  session,
  sessionKey,
  unusable,
} from './session.ts';
import { StaffReport } from './staff.ts';

/**
 * HQ dashboard: reads the cloud through supabase-js with an HQ user's session. Row level security
 * limits it to the user's organisation; every figure is an SQL aggregate (supabase/migrations).
 */
function App({ project }: { project: Project | null }) {
  const [s, setS] = useState(session());
  const [reason, setReason] = useState<string | null>(null);
  const client = useMemo(() => (s && (s.via === 'password' || s.token) ? cloudClient(s) : null), [s]);
  /** HQ itself is signing out: Supabase Auth's SIGNED_OUT that follows is not news. */
  const leaving = useRef(false);
  const signOut = (why: string) => {
    leaving.current = true;
    if (s?.via === 'password') void client?.auth.signOut({ scope: 'local' });
    sessionStorage.setItem(sessionKey, JSON.stringify({ ...s, token: '' }));
    setReason(why);
    setS(null);
  };
  // Supabase Auth ends a password session by itself when its refresh token is refused.
  useEffect(() => {
    if (s?.via !== 'password' || !client) return;
    const { data } = client.auth.onAuthStateChange((event) => {
      if (event === 'SIGNED_OUT' && !leaving.current)
        signOut('Your session ended (signed out, or it could not be renewed). Sign in again.');
    });
    return () => data.subscription.unsubscribe();
  }, [client]);
  const problem = s?.via === 'token' && s.token ? unusable(s.token) : null;
  if (!s || !client || problem)
    return html`<${SignIn} project=${project} reason=${problem ?? reason} onDone=${() => {
      leaving.current = false;
      setReason(null);
      setS(session());
    }} />`;
  const expiresAt = s.via === 'token' ? (claimsOf(s.token)?.exp ?? 0) * 1000 || null : null;
  return html`<${Dashboard} client=${client} url=${s.url} expiresAt=${expiresAt} renews=${s.via === 'password'} signOut=${signOut} />`;
}

function Dashboard({
  client,
  url,
  expiresAt,
  renews,
  signOut,
}: {
  client: SupabaseClient;
  url: string;
  /** When the access token stops working (ms), if it says. */
  expiresAt: number | null;
  /** Supabase Auth holds the session and renews its token (a password sign-in). */
  renews: boolean;
  signOut: (why: string) => void;
}) {
  const [today, setToday] = useState<SalesRow[]>([]);
  const [week, setWeek] = useState<SalesRow[]>([]);
  const [hours, setHours] = useState<{ hour: number; orders: number }[]>([]);
  const [hubs, setHubs] = useState<HubRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [loadedAt, setLoadedAt] = useState<Date | null>(null);

  const load = async () => {
    if (expiresAt !== null && expiresAt <= Date.now()) {
      signOut(`Your session expired at ${new Date(expiresAt).toLocaleString()}. Sign in again.`);
      return;
    }
    if (renews) {
      // A password session: Supabase Auth renews its access token here when it is about to expire.
      const { data, error } = await client.auth.getSession();
      if (!data.session) {
        signOut(
          error
            ? `Your session ended: ${error.message}. Sign in again.`
            : 'Your session ended (signed out, or it could not be renewed). Sign in again.',
        );
        return;
      }
    }
    // Each restaurant resolves "today" and "this week" for itself: its business days, in its time zone.
    const [a, b, d, e] = await Promise.all([
      client.rpc('hq_sales', { p_period: 'today' }),
      client.rpc('hq_sales', { p_period: 'week' }),
      client.rpc('hq_orders_per_hour', { p_period: 'today' }),
      client.rpc('hq_hubs'),
    ]);
    const failed = [a, b, d, e].find((r) => r.error);
    if (failed?.error) {
      const { message, code } = failed.error as { message: string; code?: string };
      if (code === 'PGRST301' || /JWT expired/i.test(message)) {
        signOut('Your session expired. Sign in again.');
        return;
      }
      if (/fetch|network/i.test(message)) {
        setError(
          `Can't reach the cloud at ${url}: check the address and this computer's connection. Trying again every 30 s.`,
        );
        return;
      }
      setError(`The cloud refused: ${message}. If it keeps refusing, sign in again.`);
      return;
    }
    setError(null);
    setToday(a.data as SalesRow[]);
    setWeek(b.data as SalesRow[]);
    setHours(d.data as never);
    setHubs(e.data as HubRow[]);
    setLoadedAt(new Date());
  };
  useEffect(() => {
    void load();
    const t = setInterval(load, 30_000);
    return () => clearInterval(t);
  }, []);

  const silent = silentRestaurants(hubs);

  return html`<div class="hq">
    <header class="bar"><strong class="brand">Grow HQ</strong>
      <span class="muted">${loadedAt ? `updated ${loadedAt.toLocaleTimeString()}` : 'loading…'}</span>
      <button onClick=${() => load()}>Refresh</button>
      <button onClick=${() => signOut('Signed out.')} data-testid="sign-out">Sign out</button></header>
    ${
      error &&
      html`<p class="notice bad admin-notice" role="alert" data-testid="dashboard-error">${error}
        <button onClick=${() => signOut('Signed out. Sign in again.')}>Sign in again</button></p>`
    }
    <${SilenceBanner} silent=${silent} />
    <main class="admin-grid">
      <${SalesCard} today=${today} week=${week} silent=${silent} loaded=${loadedAt !== null} />
      <${SalesReport} client=${client} />
      <${StaffReport} client=${client} />
      <${TopItems} client=${client} restaurants=${today.map((r) => ({ id: r.restaurant_id, name: r.restaurant_name }))} loadedAt=${loadedAt} />
      <${PerHour} hours=${hours} loaded=${loadedAt !== null} />
      <${HubsCard} hubs=${hubs} />
      <${SilenceSettings} client=${client} hubs=${hubs} restaurants=${today.map((r) => ({ id: r.restaurant_id, name: r.restaurant_name }))} onSaved=${load} />
      <${MenuPublisher} client=${client} restaurants=${today.map((r) => ({ id: r.restaurant_id, name: r.restaurant_name }))} />
    </main>
  </div>`;
}

void servedProject().then((project) =>
  render(html`<${App} project=${project} />`, document.getElementById('app')!),
);
