import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Device } from '../../protocol/devices.ts';
import type { MenuView } from '../../protocol/menu.ts';
import type { ConnectionState } from '../../protocol/realtime-client.ts';
import type { SyncStatus } from '../../protocol/sync.ts';
import { ConnectionPill, currentSeq, startLive } from '../shared/connection.ts';
import { api, deviceToken } from '../shared/session.ts';
import { html, money } from '../shared/ui.ts';

interface HubStatus {
  version: string;
  uptimeSeconds: number;
  dataFile: string;
  headSeq: number;
  sockets: Record<string, number>;
}
type Sync = SyncStatus & { paymentsAwaitingForward: { count: number; amount: number } };
interface Backup {
  file: string;
  bytes: number;
  at: string;
}

function App() {
  const token = deviceToken();
  if (!token) {
    return html`<main class="pair"><h1>Grow Hub admin</h1>
      <p>Open this page with the manager token the hub printed at first start:</p>
      <p><code>http://HUB:8080/admin/#token=ghd_…</code></p>
      <p class="muted">Or make one: <code>grow-hub device create --role manager --name "Office"</code></p></main>`;
  }
  return html`<${Admin} token=${token} />`;
}

const ago = (iso: string | null) =>
  iso ? `${Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000))} s ago` : 'never';

function Admin({ token }: { token: string }) {
  const [status, setStatus] = useState<HubStatus | null>(null);
  const [sync, setSync] = useState<Sync | null>(null);
  const [disk, setDisk] = useState('');
  const [devices, setDevices] = useState<Device[]>([]);
  const [menu, setMenu] = useState<MenuView | null>(null);
  const [backups, setBackups] = useState<Backup[]>([]);
  const [sockets, setSockets] = useState<Record<string, number>>({});
  const [seq, setSeq] = useState(0);
  const [conn, setConn] = useState<ConnectionState>({ status: 'connecting', attempt: 0 });
  const [code, setCode] = useState('');
  const [filter, setFilter] = useState('');
  const [notice, setNotice] = useState<{ tone: string; text: string } | null>(null);
  const [, tick] = useState(0);
  const refreshing = useRef<number | null>(null);

  const get = async <T>(path: string): Promise<T | null> => {
    try {
      const res = await api<T>('GET', path);
      return res.ok ? res.body : null;
    } catch {
      return null;
    }
  };
  const loadStatus = async () => {
    const [s, y, r] = await Promise.all([
      get<HubStatus>('/api/v1/status'),
      get<Sync>('/api/v1/sync/status'),
      get<{ checks: { name: string; detail: string }[] }>('/ready'),
    ]);
    if (s) {
      setStatus(s);
      setSockets(s.sockets);
      setSeq(s.headSeq);
    }
    if (y) setSync(y);
    if (r) setDisk(r.checks.find((c) => c.name === 'disk')?.detail ?? '');
  };
  const loadDevices = async () =>
    setDevices((await get<{ devices: Device[] }>('/api/v1/devices'))?.devices ?? []);
  const loadMenu = async () => setMenu(await get<MenuView>('/api/v1/menu'));
  const loadBackups = async () =>
    setBackups((await get<{ backups: Backup[] }>('/api/v1/backups'))?.backups ?? []);
  /** Events arrive in bursts; refresh the derived panels once per burst. */
  const soon = () => {
    if (refreshing.current !== null) return;
    refreshing.current = window.setTimeout(() => {
      refreshing.current = null;
      void loadStatus();
    }, 500);
  };

  useEffect(() => {
    void loadStatus();
    void loadDevices();
    void loadMenu();
    void loadBackups();
    let live: ReturnType<typeof startLive> | null = null;
    let cancelled = false;
    currentSeq().then((since) => {
      if (cancelled) return;
      live = startLive(token, {
        since,
        onEvent: (e) => {
          setSeq(e.seq);
          if (e.type === 'menu.applied' || e.type === 'item.availability_changed') void loadMenu();
          soon();
        },
        onControl: (m) => {
          if (m.type === 'presence') {
            setSockets(m.sockets as Record<string, number>);
            void loadDevices();
          }
        },
        onState: (s) => {
          setConn(s);
          if (s.status === 'live') void loadStatus();
        },
      });
    });
    const clock = setInterval(() => tick((n) => n + 1), 1_000);
    return () => {
      cancelled = true;
      live?.stop();
      clearInterval(clock);
    };
  }, []);

  const act = async (
    method: string,
    path: string,
    body: unknown,
    success: string,
    after: () => Promise<void>,
  ) => {
    try {
      const res = await api(method, path, body);
      setNotice(
        res.ok
          ? { tone: 'ok', text: success }
          : { tone: 'bad', text: res.problem?.detail ?? `failed (${res.status})` },
      );
      await after();
    } catch {
      setNotice({ tone: 'bad', text: 'The hub did not answer.' });
    }
  };
  const approve = (e: Event) => {
    e.preventDefault();
    void act(
      'POST',
      '/api/v1/pairings/approve',
      { code: code.trim() },
      `Approved ${code}: the device is pairing now.`,
      async () => {
        setCode('');
        await new Promise((r) => setTimeout(r, 2_500));
        await loadDevices();
      },
    );
  };
  const unavailable = new Set(menu?.unavailableItemIds ?? []);
  const items = (menu?.items ?? []).filter(
    (i) => !filter || i.name.toLowerCase().includes(filter.toLowerCase()),
  );
  const uptime = status ? status.uptimeSeconds : 0;

  return html`<div class="admin">
    <header class="bar"><strong class="brand">Grow Hub admin</strong><${ConnectionPill} state=${conn} /></header>
    ${notice && html`<p class="notice ${notice.tone} admin-notice" data-testid="admin-notice">${notice.text}</p>`}
    <main class="admin-grid">
      <section class="card" data-testid="status">
        <h2>Hub</h2>
        <dl class="facts">
          <dt>Version</dt><dd>${status?.version ?? '…'}</dd>
          <dt>Up for</dt><dd>${Math.floor(uptime / 3600)} h ${Math.floor((uptime % 3600) / 60)} min</dd>
          <dt>Data</dt><dd class="mono">${status?.dataFile ?? ''}</dd>
          <dt>Disk</dt><dd>${disk}</dd>
          <dt>Event log</dt><dd data-testid="seq">seq ${seq}</dd>
          <dt>Devices online</dt><dd data-testid="sockets">${['pos', 'kds', 'manager'].map((r) => `${sockets[r] ?? 0} ${r.toUpperCase()}`).join(' · ')}</dd>
        </dl>
      </section>
      <section class="card" data-testid="sync">
        <h2>Cloud sync</h2>
        ${
          sync &&
          html`<p class="state s-${sync.state}">${sync.state.replace('_', ' ')}</p>
          <p class="muted">${sync.detail}</p>
          <dl class="facts">
            <dt>Waiting</dt><dd>${sync.pendingEvents} event${sync.pendingEvents === 1 ? '' : 's'}</dd>
            <dt>Last success</dt><dd>${ago(sync.lastSuccessAt)}</dd>
            ${sync.offlineSince && html`<dt>Offline since</dt><dd>${new Date(sync.offlineSince).toLocaleString()}</dd>`}
            ${sync.nextRetryAt && html`<dt>Next retry</dt><dd>${new Date(sync.nextRetryAt).toLocaleTimeString()}</dd>`}
            ${sync.lastError && html`<dt>Last error</dt><dd class="error">${sync.lastError}</dd>`}
            ${sync.quarantinedEvents > 0 && html`<dt>Quarantined</dt><dd class="error">${sync.quarantinedEvents} events</dd>`}
            <dt>Card payments to forward</dt><dd data-testid="forward">${sync.paymentsAwaitingForward.count} (${money(sync.paymentsAwaitingForward.amount, menu?.currency ?? 'USD')})</dd>
          </dl>`
        }
      </section>
      <section class="card wide" data-testid="devices">
        <h2>Devices</h2>
        <form class="row" onSubmit=${approve}>
          <input placeholder="6-digit code shown on the new device" value=${code} maxlength="6" inputmode="numeric"
            onInput=${(e: Event) => setCode((e.target as HTMLInputElement).value)} data-testid="pair-code-input" />
          <button class="primary" type="submit" data-testid="approve">Approve pairing</button>
        </form>
        <table>
          <thead><tr><th>Name</th><th>Role</th><th>Last seen</th><th></th></tr></thead>
          <tbody>
            ${devices.map(
              (d) => html`<tr data-device=${d.name} class=${d.revokedAt ? 'revoked' : ''}>
                <td>${d.name}</td><td>${d.role}</td><td>${d.revokedAt ? 'revoked' : ago(d.lastSeenAt)}</td>
                <td class="actions">${
                  !d.revokedAt &&
                  html`<button onClick=${() => {
                    const name = prompt('New name', d.name);
                    if (name) void act('PATCH', `/api/v1/devices/${d.id}`, { name }, 'Renamed.', loadDevices);
                  }}>Rename</button>
                  <button class="danger" onClick=${() => act('POST', `/api/v1/devices/${d.id}/revoke`, undefined, `${d.name} revoked.`, loadDevices)} data-testid="revoke">Revoke</button>`
                }</td>
              </tr>`,
            )}
          </tbody>
        </table>
      </section>
      <section class="card wide" data-testid="menu">
        <h2>Menu availability</h2>
        <input placeholder="Find an item" value=${filter} onInput=${(e: Event) => setFilter((e.target as HTMLInputElement).value)} data-testid="menu-filter" />
        <ul class="availability">
          ${items.map(
            (i) => html`<li data-item=${i.id} class=${unavailable.has(i.id) ? 'out' : ''}>
              <span>${i.name}</span>
              <button class=${unavailable.has(i.id) ? 'primary' : 'danger'}
                onClick=${() => act('POST', `/api/v1/menu/items/${i.id}/availability`, { available: unavailable.has(i.id) }, unavailable.has(i.id) ? `${i.name} is back.` : `${i.name} is 86'd.`, loadMenu)}
                data-testid="toggle">${unavailable.has(i.id) ? 'Back in stock' : '86 it'}</button>
            </li>`,
          )}
        </ul>
      </section>
      <section class="card wide" data-testid="backups">
        <h2>Backups</h2>
        <button class="primary" onClick=${() => act('POST', '/api/v1/backups', undefined, 'Backup made.', loadBackups)} data-testid="backup-now">Make a backup now</button>
        <ul class="backups">${backups.map((b) => html`<li><span class="mono">${b.file.split('/').at(-1)}</span> · ${(b.bytes / 1_048_576).toFixed(1)} MB · ${new Date(b.at).toLocaleString()}</li>`)}</ul>
      </section>
    </main>
  </div>`;
}

render(html`<${App} />`, document.getElementById('app')!);
