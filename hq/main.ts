import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from '../apps/shared/ui.ts';
import { type HubRow, HubsCard, SilenceBanner, SilenceSettings, silentRestaurants } from './hubs.ts';
import { MenuPublisher } from './menu-publisher.ts';
import { SalesReport } from './report.ts';
import { PerHour, SalesCard, type SalesRow, TopItems } from './sales.ts';
import { claimsOf, SignIn, session, sessionKey, unusable } from './session.ts';
import { StaffReport } from './staff.ts';

/**
 * HQ dashboard: reads the cloud through supabase-js with an HQ user's session. Row level security
 * limits it to the user's organisation; every figure is an SQL aggregate (supabase/migrations).
 */
function App() {
  const [s, setS] = useState(session());
  const [reason, setReason] = useState<string | null>(null);
  const signOut = (why: string) => {
    sessionStorage.setItem(sessionKey, JSON.stringify({ ...s, token: '' }));
    setReason(why);
    setS(null);
  };
  const problem = s?.token ? unusable(s) : null;
  if (!s?.token || problem)
    return html`<${SignIn} reason=${problem ?? reason} onDone=${() => {
      setReason(null);
      setS(session());
    }} />`;
  const client = createClient(s.url, s.key, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { headers: { Authorization: `Bearer ${s.token}` } },
  });
  const expiresAt = (claimsOf(s.token)?.exp ?? 0) * 1000 || null;
  return html`<${Dashboard} client=${client} url=${s.url} expiresAt=${expiresAt} signOut=${signOut} />`;
}

function Dashboard({
  client,
  url,
  expiresAt,
  signOut,
}: {
  client: SupabaseClient;
  url: string;
  /** When the access token stops working (ms), if it says. */
  expiresAt: number | null;
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
      <button onClick=${() => load()}>Refresh</button></header>
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

render(html`<${App} />`, document.getElementById('app')!);
