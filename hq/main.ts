import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html, money } from '../apps/shared/ui.ts';
import { MenuSnapshot } from '../protocol/menu.ts';

/**
 * HQ dashboard: reads the cloud through supabase-js with an HQ user's session. Row level security
 * limits it to the user's organisation; every figure is an SQL aggregate (supabase/migrations).
 */
interface Session {
  url: string;
  key: string;
  token: string;
}
interface SalesRow {
  restaurant_id: string;
  restaurant_name: string;
  orders: number;
  sales: number;
  tax: number;
  /** The business days the figures cover, in the restaurant's time zone. */
  first_day: string;
  last_day: string;
  timezone: string;
  day_starts_at: string;
}

/** "Sun 29 Nov, from 04:00 Asia/Tokyo": what a row's "today" means. */
function businessDay(r: SalesRow): string {
  const day = new Date(`${r.last_day}T12:00:00Z`).toLocaleDateString('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });
  return `${day}, from ${r.day_starts_at.slice(0, 5)} ${r.timezone}`;
}
interface HubRow {
  hub_id: string;
  restaurant_name: string;
  restaurant_id: string;
  synced_seq: number;
  last_contact_at: string | null;
  silent_seconds: number | null;
  open_now: boolean;
  health: 'ok' | 'warning' | 'alarm' | 'closed';
  warning_after_seconds: number;
  alarm_after_seconds: number;
  /** The menu version the hub last said it applied (null: none yet), and the newest published. */
  menu_version: number | null;
  menu_published: number | null;
}

/** "4 min", "2 h 5 min": how long a hub has been silent. */
function duration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${Math.max(1, minutes)} min`;
  return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
}

/** "version 2", or "version 1 (2 published, not yet applied)": has a published menu arrived? */
function menuState(h: HubRow): string {
  const applied = h.menu_version === null ? 'none yet' : `version ${h.menu_version}`;
  return h.menu_published !== null && (h.menu_version ?? -1) < h.menu_published
    ? `${applied} (${h.menu_published} published, not yet applied)`
    : applied;
}

/** The restaurants whose hubs have gone quiet while open, with their longest silence. */
function silentRestaurants(hubs: HubRow[]): Map<string, HubRow> {
  const out = new Map<string, HubRow>();
  for (const h of hubs) {
    if (h.health !== 'warning' && h.health !== 'alarm') continue;
    const seen = out.get(h.restaurant_id);
    if (!seen || Number(h.silent_seconds ?? Infinity) > Number(seen.silent_seconds ?? Infinity))
      out.set(h.restaurant_id, h);
  }
  return out;
}

const sessionKey = 'grow.hq.session';

function session(): Session | null {
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
function claimsOf(token: string): { grow_role?: string; organisation_id?: string; exp?: number } | null {
  try {
    const part = token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(part));
  } catch {
    return null;
  }
}

/** Why a stored session cannot open the dashboard, in the HQ user's words; null when it can. */
function unusable(s: Session): string | null {
  const claims = claimsOf(s.token);
  if (!claims) return 'That access token is not one Supabase Auth issues (it is not a JWT). Paste it again.';
  if (claims.exp && claims.exp * 1000 < Date.now())
    return `Your session expired at ${new Date(claims.exp * 1000).toLocaleString()}. Sign in again.`;
  if (claims.grow_role !== 'hq' || !claims.organisation_id)
    return 'This access token is not an HQ user’s: it names no organisation. Sign in with your HQ account, or ask your administrator to invite you.';
  return null;
}

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

function SignIn({ onDone, reason }: { onDone: () => void; reason: string | null }) {
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
  const [items, setItems] = useState<{ item_id: string; name: string; qty: number; sales: number }[]>([]);
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
    const [a, b, c, d, e] = await Promise.all([
      client.rpc('hq_sales', { p_period: 'today' }),
      client.rpc('hq_sales', { p_period: 'week' }),
      client.rpc('hq_top_items', { p_period: 'week', p_limit: 8 }),
      client.rpc('hq_orders_per_hour', { p_period: 'today' }),
      client.rpc('hq_hubs'),
    ]);
    const failed = [a, b, c, d, e].find((r) => r.error);
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
    setItems(c.data as never);
    setHours(d.data as never);
    setHubs(e.data as HubRow[]);
    setLoadedAt(new Date());
  };
  useEffect(() => {
    void load();
    const t = setInterval(load, 30_000);
    return () => clearInterval(t);
  }, []);

  const weekOf = (id: string) => week.find((w) => w.restaurant_id === id);
  const silent = silentRestaurants(hubs);
  const maxItem = Math.max(1, ...items.map((i) => Number(i.qty)));
  const perHour = Array.from({ length: 24 }, (_, h) => Number(hours.find((x) => x.hour === h)?.orders ?? 0));
  const maxHour = Math.max(1, ...perHour);

  return html`<div class="hq">
    <header class="bar"><strong class="brand">Grow HQ</strong>
      <span class="muted">${loadedAt ? `updated ${loadedAt.toLocaleTimeString()}` : 'loading…'}</span>
      <button onClick=${() => load()}>Refresh</button></header>
    ${
      error &&
      html`<p class="notice bad admin-notice" role="alert" data-testid="dashboard-error">${error}
        <button onClick=${() => signOut('Signed out. Sign in again.')}>Sign in again</button></p>`
    }
    ${
      silent.size > 0 &&
      html`<div class="banner ${[...silent.values()].some((h) => h.health === 'alarm') ? 'alarm' : 'warning'}" role="alert" data-testid="silence-banner">
        ${[...silent.values()].map(
          (h) =>
            html`<p data-restaurant=${h.restaurant_id}><b>${h.restaurant_name}</b>${`: no word from its hub ${
              h.last_contact_at ? `for ${duration(Number(h.silent_seconds))}` : 'yet'
            } while open. Its figures may be behind; check the hub's power and network.`}</p>`,
        )}
      </div>`
    }
    <main class="admin-grid">
      <section class="card wide" data-testid="sales">
        <h2>Sales</h2>
        <p class="muted">Each restaurant's business day, on its own clock: "today" runs from its day start to the next; "this week" from Monday.</p>
        <table><thead><tr><th>Restaurant</th><th>Business day</th><th>Orders today</th><th>Sales today</th><th>Sales this week</th></tr></thead>
          <tbody>${today.map(
            (r) => html`<tr data-restaurant=${r.restaurant_id}><td>${r.restaurant_name}${
              silent.has(r.restaurant_id) &&
              html` <span class="stale" data-testid="stale" title="its hub has gone quiet: figures may be behind">${
                silent.get(r.restaurant_id)!.last_contact_at
                  ? `as of ${new Date(silent.get(r.restaurant_id)!.last_contact_at!).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`
                  : 'no data yet'
              }</span>`
            }</td><td class="muted" data-testid="business-day">${businessDay(r)}</td><td class="num">${r.orders}</td>
              <td class="num" data-testid="sales-today">${money(Number(r.sales))}</td><td class="num">${money(Number(weekOf(r.restaurant_id)?.sales ?? 0))}</td></tr>`,
          )}</tbody></table>
        ${
          loadedAt &&
          today.length === 0 &&
          html`<p class="muted" data-testid="no-restaurants">No restaurants in your organisation yet. Register one and its hub
            (docs/sync.md, "Setting up a real Supabase project"); its figures appear here after its first sync.</p>`
        }
      </section>
      <section class="card" data-testid="top-items">
        <h2>Top items this week <span class="muted">(business weeks)</span></h2>
        <ul class="bars">${items.map(
          (i) =>
            html`<li><span class="label">${i.name}</span><span class="bar" style=${`width:${(Number(i.qty) / maxItem) * 100}%`}></span><b>${i.qty}</b></li>`,
        )}</ul>
        ${loadedAt && items.length === 0 && html`<p class="muted">No orders this week yet.</p>`}
      </section>
      <section class="card" data-testid="per-hour">
        <h2>Orders per hour today <span class="muted">(each restaurant's local hours)</span></h2>
        <svg viewBox="0 0 480 140" class="chart" role="img" aria-label="orders per hour">
          ${perHour.map((n, h) => {
            const height = (n / maxHour) * 110;
            return html`<g><rect x=${h * 20 + 2} y=${120 - height} width="16" height=${height} fill="#1f7a4d"><title>${h}:00 · ${n} orders</title></rect>
              ${h % 3 === 0 && html`<text x=${h * 20 + 10} y="135" font-size="9" text-anchor="middle">${h}</text>`}</g>`;
          })}
        </svg>
        ${loadedAt && perHour.every((n) => n === 0) && html`<p class="muted">No orders today yet.</p>`}
      </section>
      <section class="card wide" data-testid="hubs">
        <h2>Hubs</h2>
        <table><thead><tr><th>Restaurant</th><th>Synced up to</th><th>Menu applied</th><th>Last contact</th><th>Health</th></tr></thead>
          <tbody>${hubs.map(
            (
              h,
            ) => html`<tr data-hub=${h.hub_id}><td>${h.restaurant_name}</td><td class="num">seq ${h.synced_seq}</td>
              <td data-testid="menu-applied">${menuState(h)}</td>
              <td>${h.last_contact_at ? `${duration(Number(h.silent_seconds))} ago` : 'never'}</td>
              <td><span class="state s-${h.health}" data-testid="health">${h.health}</span></td></tr>`,
          )}</tbody></table>
        ${
          hubs[0] &&
          html`<p class="muted">${`Warning after ${duration(hubs[0].warning_after_seconds)} of silence while open, alarm after ${duration(
            hubs[0].alarm_after_seconds,
          )}; "closed" outside opening hours.`}</p>`
        }
      </section>
      <${SilenceSettings} client=${client} hubs=${hubs} restaurants=${today.map((r) => ({ id: r.restaurant_id, name: r.restaurant_name }))} onSaved=${load} />
      <${MenuPublisher} client=${client} restaurants=${today.map((r) => ({ id: r.restaurant_id, name: r.restaurant_name }))} />
    </main>
  </div>`;
}

/** When a silent hub is worth a warning and an alarm, and each restaurant's opening hours. */
function SilenceSettings({
  client,
  hubs,
  restaurants,
  onSaved,
}: {
  client: SupabaseClient;
  hubs: HubRow[];
  restaurants: { id: string; name: string }[];
  onSaved: () => void;
}) {
  const [warning, setWarning] = useState('');
  const [alarm, setAlarm] = useState('');
  const [restaurant, setRestaurant] = useState('');
  const [opens, setOpens] = useState('');
  const [closes, setCloses] = useState('');
  const [message, setMessage] = useState<{ tone: string; text: string } | null>(null);
  const current = hubs[0];
  const said = (error: { message: string } | null, ok: string) => {
    setMessage(error ? { tone: 'bad', text: error.message } : { tone: 'ok', text: ok });
    if (!error) onSaved();
  };
  const saveThresholds = async () => {
    const w = Number(warning || (current ? current.warning_after_seconds / 60 : 5));
    const a = Number(alarm || (current ? current.alarm_after_seconds / 60 : 30));
    const { error } = await client.rpc('hq_set_silence_thresholds', {
      p_warning_seconds: Math.round(w * 60),
      p_alarm_seconds: Math.round(a * 60),
    });
    said(error, `Saved: warning after ${w} min, alarm after ${a} min.`);
  };
  const saveHours = async () => {
    const { error } = await client.rpc('hq_set_opening_hours', {
      p_restaurant_id: restaurant,
      p_opens: opens || null,
      p_closes: closes || null,
    });
    said(
      error,
      opens ? `Saved: open ${opens} to ${closes}, in the restaurant's time zone.` : 'Saved: always open.',
    );
  };
  return html`<section class="card wide" data-testid="silence-settings">
    <h2>Silent hub alerts</h2>
    <div class="row">
      <label>Warn after <input type="number" min="0.5" step="0.5" value=${warning} placeholder=${current ? current.warning_after_seconds / 60 : 5}
        onInput=${(e: Event) => setWarning((e.target as HTMLInputElement).value)} data-testid="warning-minutes" /> min</label>
      <label>Alarm after <input type="number" min="1" step="1" value=${alarm} placeholder=${current ? current.alarm_after_seconds / 60 : 30}
        onInput=${(e: Event) => setAlarm((e.target as HTMLInputElement).value)} data-testid="alarm-minutes" /> min</label>
      <button onClick=${saveThresholds} data-testid="save-thresholds">Save</button>
    </div>
    <div class="row">
      <select onChange=${(e: Event) => setRestaurant((e.target as HTMLSelectElement).value)} data-testid="hours-restaurant">
        <option value="">Opening hours of…</option>
        ${restaurants.map((r) => html`<option value=${r.id}>${r.name}</option>`)}
      </select>
      <label>opens <input type="time" value=${opens} onInput=${(e: Event) => setOpens((e.target as HTMLInputElement).value)} data-testid="opens" /></label>
      <label>closes <input type="time" value=${closes} onInput=${(e: Event) => setCloses((e.target as HTMLInputElement).value)} data-testid="closes" /></label>
      <button onClick=${saveHours} disabled=${!restaurant} data-testid="save-hours">Save hours</button>
      <span class="muted">Both empty: always open.</span>
    </div>
    ${message && html`<p class="notice ${message.tone}" data-testid="settings-result">${message.text}</p>`}
  </section>`;
}

/** Where a menu check failed, in the menu's words: "Item “Cola” (cola): price …" rather than `items.36.price`. */
function where(menu: unknown, path: readonly PropertyKey[]): string {
  const [list, index, ...rest] = path;
  const entry = (menu as Record<string, unknown[]>)?.[String(list)]?.[Number(index)] as
    | { id?: string; name?: string }
    | undefined;
  const kinds: Record<string, string> = {
    items: 'Item',
    categories: 'Category',
    modifierGroups: 'Modifier group',
    stations: 'Station',
    taxClasses: 'Tax class',
  };
  if (typeof index !== 'number' || !entry || !kinds[String(list)]) return path.join('.');
  const named = entry.name ? `“${entry.name}”${entry.id ? ` (${entry.id})` : ''}` : `number ${index + 1}`;
  return `${kinds[String(list)]} ${named}${rest.length ? `, ${rest.join('.')}` : ''}`;
}

/**
 * Edit a restaurant's menu and publish it, to that restaurant and any others ticked, each as its
 * next version; their hubs pull it within a minute, and the hubs table shows when each applied it.
 */
function MenuPublisher({
  client,
  restaurants,
}: {
  client: SupabaseClient;
  restaurants: { id: string; name: string }[];
}) {
  const [restaurant, setRestaurant] = useState('');
  const [targets, setTargets] = useState<string[]>([]);
  const [text, setText] = useState('');
  const [latest, setLatest] = useState(0);
  /** The editor appears only once the current menu has loaded, so nothing typed gets overwritten. */
  const [loadedFor, setLoadedFor] = useState('');
  const [messages, setMessages] = useState<{ tone: string; text: string }[]>([]);
  const latestOf = async (id: string) => {
    const { data } = await client
      .from('menu_versions')
      .select('version, body')
      .eq('restaurant_id', id)
      .order('version', { ascending: false })
      .limit(1);
    return data?.[0] as { version: number; body: unknown } | undefined;
  };
  const pick = async (id: string) => {
    setRestaurant(id);
    setTargets(id ? [id] : []);
    setLoadedFor('');
    setMessages([]);
    const row = await latestOf(id);
    setLatest(row?.version ?? 0);
    setText(row ? JSON.stringify(row.body, null, 2) : '');
    setLoadedFor(id);
  };
  const publish = async () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      setMessages([{ tone: 'bad', text: `Not valid JSON: ${(err as Error).message}` }]);
      return;
    }
    const checked = MenuSnapshot.safeParse({ ...(parsed as object), version: 1 });
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      setMessages([{ tone: 'bad', text: `${where(parsed, issue.path)}: ${issue.message}` }]);
      return;
    }
    const said: { tone: string; text: string }[] = [];
    for (const id of targets) {
      const name = restaurants.find((r) => r.id === id)?.name ?? id;
      const version = ((await latestOf(id))?.version ?? 0) + 1;
      const { error } = await client
        .from('menu_versions')
        .insert({ restaurant_id: id, version, body: { ...checked.data, version } });
      said.push(
        error
          ? { tone: 'bad', text: `${name}: ${error.message}` }
          : {
              tone: 'ok',
              text: `${name}: published version ${version}; the hub applies it on its next pull.`,
            },
      );
      if (!error && id === restaurant) setLatest(version);
    }
    setMessages(said);
  };
  const toggle = (id: string, on: boolean) =>
    setTargets((t) => (on ? [...new Set([...t, id])] : t.filter((x) => x !== id)));
  return html`<section class="card wide" data-testid="publish">
    <h2>Publish a menu</h2>
    <div class="row">
      <select onChange=${(e: Event) => pick((e.target as HTMLSelectElement).value)} data-testid="publish-restaurant">
        <option value="">Start from the menu of…</option>
        ${restaurants.map((r) => html`<option value=${r.id}>${r.name}</option>`)}
      </select>
      ${restaurant && html`<span class="muted">${loadedFor === restaurant ? `current version ${latest || 'none'}` : 'loading…'}</span>`}
    </div>
    ${
      restaurant &&
      loadedFor === restaurant &&
      html`<textarea class="menu-json" rows="14" value=${text} onInput=${(e: Event) => setText((e.target as HTMLTextAreaElement).value)} data-testid="menu-json"></textarea>
      <div class="row targets" data-testid="publish-targets"><span>Publish to</span>
        ${restaurants.map(
          (r) => html`<label><input type="checkbox" checked=${targets.includes(r.id)} data-target=${r.id}
            onChange=${(e: Event) => toggle(r.id, (e.target as HTMLInputElement).checked)} /> ${r.name}</label>`,
        )}
      </div>
      <button class="primary" onClick=${publish} disabled=${targets.length === 0} data-testid="publish-menu">
        Publish to ${targets.length} restaurant${targets.length === 1 ? '' : 's'}</button>`
    }
    ${messages.map((m) => html`<p class="notice ${m.tone}" data-testid="publish-result">${m.text}</p>`)}
  </section>`;
}

render(html`<${App} />`, document.getElementById('app')!);
