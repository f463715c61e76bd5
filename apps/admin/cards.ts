import { useState } from 'preact/hooks';
import type { Device } from '../../protocol/devices.ts';
import type { MenuView } from '../../protocol/menu.ts';
import { html, money } from '../shared/ui.ts';
import { type Backup, fetchJson, type HubStatus, type Sync } from './use-hub.ts';

/** Runs an admin action and reports it: (method, path, body, what to say on success, what to reload). */
export type Act = (
  method: string,
  path: string,
  body: unknown,
  success: string,
  /** Runs after the hub answered; `ok` false when it refused (keep what the manager typed). */
  after: (ok: boolean) => Promise<void>,
) => Promise<void>;

const ago = (iso: string | null) =>
  iso ? `${Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000))} s ago` : 'never';

export function HubCard({
  status,
  disk,
  seq,
  sockets,
}: {
  status: HubStatus | null;
  disk: string;
  seq: number;
  sockets: Record<string, number>;
}) {
  const uptime = status ? status.uptimeSeconds : 0;
  const pair = status?.standby && status.standby.standby.state !== 'none' ? status.standby : null;
  return html`<section class="card" data-testid="status">
    <h2>Hub</h2>
    <dl class="facts">
      <dt>Version</dt><dd>${status?.version ?? '…'}</dd>
      <dt>Up for</dt><dd>${Math.floor(uptime / 3600)} h ${Math.floor((uptime % 3600) / 60)} min</dd>
      <dt>Data</dt><dd class="mono">${status?.dataFile ?? ''}</dd>
      <dt>Disk</dt><dd>${disk}</dd>
      <dt>Event log</dt><dd data-testid="seq">seq ${seq}</dd>
      <dt>Devices online</dt><dd data-testid="sockets">${['pos', 'kds', 'manager'].map((r) => `${sockets[r] ?? 0} ${r.toUpperCase()}`).join(' · ')}</dd>
      ${pair && html`<dt>Standby</dt><dd data-testid="standby-state">${standbyWords(pair.standby)}</dd>`}
    </dl>
    ${
      pair &&
      (pair.standby.state === 'away' || pair.standby.state === 'lagging') &&
      html`<p class="notice bad" data-testid="standby-alarm">${
        pair.standby.state === 'away'
          ? `The standby hub${pair.standby.box ? ` (${pair.standby.box})` : ''} is not connected: this box carries on alone, and if it fails, orders since then are only on it. Check the standby's power and network.`
          : `The standby hub is slow to confirm orders (${pair.standby.behind} changes behind): this box answers without it until it catches up. Check the standby's disk and network.`
      }</p>`
    }
  </section>`;
}

/** The standby in the manager's words. */
function standbyWords(s: { state: string; box: string | null; behind: number }): string {
  const who = s.box ? `${s.box}: ` : '';
  if (s.state === 'in-sync') return `${who}in sync (holds every order before it is confirmed)`;
  if (s.state === 'catching-up') return `${who}catching up (${s.behind} changes to go)`;
  if (s.state === 'lagging') return `${who}lagging`;
  return `${who}not connected`;
}

export function SyncCard({ sync, currency }: { sync: Sync | null; currency: string }) {
  return html`<section class="card" data-testid="sync">
    <h2>Cloud sync</h2>
    ${
      sync &&
      html`${sync.alarm && html`<p class="notice bad" data-testid="sync-alarm">${sync.alarm}</p>`}
      <p class="state s-${sync.state}">${sync.state.replace('_', ' ')}</p>
      <p class="muted">${sync.detail}</p>
      <dl class="facts">
        <dt>Waiting</dt><dd>${sync.pendingEvents} event${sync.pendingEvents === 1 ? '' : 's'}</dd>
        <dt>Last success</dt><dd>${ago(sync.lastSuccessAt)}</dd>
        ${sync.offlineSince && html`<dt>Offline since</dt><dd>${new Date(sync.offlineSince).toLocaleString()}</dd>`}
        ${sync.nextRetryAt && html`<dt>Next retry</dt><dd>${new Date(sync.nextRetryAt).toLocaleTimeString()}</dd>`}
        ${sync.lastError && html`<dt>Last error</dt><dd class="error">${sync.lastError}</dd>`}
        ${sync.quarantinedEvents > 0 && html`<dt>Quarantined</dt><dd class="error">${sync.quarantinedEvents} events</dd>`}
        <dt>Standalone cards to verify</dt><dd data-testid="standalone-count">${sync.standaloneCardsUnverified.count} (${money(sync.standaloneCardsUnverified.amount, currency)})</dd>
      </dl>`
    }
  </section>`;
}

interface PendingPairing {
  pairingId: string;
  code: string;
  name: string;
  requestedRole: 'pos' | 'kds' | 'manager';
}

/**
 * Approve a pairing: the manager types the code the tablet shows, sees the name and the role it
 * asked for, and chooses the role it gets (a tablet asking to be a manager is flagged); then
 * rename and revoke devices.
 */
export function DevicesCard({
  devices,
  act,
  reload,
}: {
  devices: Device[];
  act: Act;
  reload: () => Promise<void>;
}) {
  const [code, setCode] = useState('');
  const [pending, setPending] = useState<PendingPairing | null>(null);
  const [role, setRole] = useState<'pos' | 'kds' | 'manager'>('pos');
  const [lookup, setLookup] = useState<string | null>(null);
  const find = async (e: Event) => {
    e.preventDefault();
    setLookup(null);
    const list = await fetchJson<{ pairings: PendingPairing[] }>('/api/v1/pairings');
    const found = list?.pairings.find((p) => p.code === code.trim()) ?? null;
    setPending(found);
    if (found) setRole(found.requestedRole === 'manager' ? 'pos' : found.requestedRole);
    else
      setLookup(`No tablet is waiting with code ${code.trim()}; it may have expired. Ask it for a new code.`);
  };
  const approve = () => {
    if (!pending) return;
    void act(
      'POST',
      '/api/v1/pairings/approve',
      { code: pending.code, role },
      `Approved ${pending.code}: ${pending.name} is pairing now as ${role}.`,
      async () => {
        setCode('');
        setPending(null);
        await new Promise((r) => setTimeout(r, 2_500)); // the tablet claims its token on its next poll
        await reload();
      },
    );
  };
  return html`<section class="card wide" data-testid="devices">
    <h2>Devices</h2>
    <form class="row" onSubmit=${find}>
      <input placeholder="6-digit code shown on the new device" value=${code} maxlength="6" inputmode="numeric"
        onInput=${(e: Event) => setCode((e.target as HTMLInputElement).value)} data-testid="pair-code-input" />
      <button type="submit" data-testid="find-pairing">Look up</button>
    </form>
    ${lookup && html`<p class="notice bad">${lookup}</p>`}
    ${
      pending &&
      html`<div class="row pairing" data-testid="pending-pairing">
        <span><b>${pending.name}</b> asks to pair as <b>${pending.requestedRole}</b>${pending.requestedRole === 'manager' ? html` <span class="error">(a manager device can refund, void and revoke)</span>` : ''}</span>
        <label>Role <select value=${role} onChange=${(e: Event) => setRole((e.target as HTMLSelectElement).value as typeof role)} data-testid="pair-role">
          ${(['pos', 'kds', 'manager'] as const).map((r) => html`<option value=${r}>${r}</option>`)}
        </select></label>
        <button class="primary" onClick=${approve} data-testid="approve">Approve as ${role}</button>
      </div>`
    }
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
                if (name) void act('PATCH', `/api/v1/devices/${d.id}`, { name }, 'Renamed.', reload);
              }}>Rename</button>
              <button class="danger" onClick=${() => act('POST', `/api/v1/devices/${d.id}/revoke`, undefined, `${d.name} revoked.`, reload)} data-testid="revoke">Revoke</button>`
            }</td>
          </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

/** 86 an item, or bring it back: every till greys it out at once. */
export function AvailabilityCard({
  menu,
  act,
  reload,
}: {
  menu: MenuView | null;
  act: Act;
  reload: () => Promise<void>;
}) {
  const [filter, setFilter] = useState('');
  const unavailable = new Set(menu?.unavailableItemIds ?? []);
  const items = (menu?.items ?? []).filter(
    (i) => !filter || i.name.toLowerCase().includes(filter.toLowerCase()),
  );
  return html`<section class="card wide" data-testid="menu">
    <h2>Menu availability</h2>
    <input placeholder="Find an item" value=${filter} onInput=${(e: Event) => setFilter((e.target as HTMLInputElement).value)} data-testid="menu-filter" />
    <ul class="availability">
      ${items.map(
        (i) => html`<li data-item=${i.id} class=${unavailable.has(i.id) ? 'out' : ''}>
          <span>${i.name}</span>
          <button class=${unavailable.has(i.id) ? 'primary' : 'danger'}
            onClick=${() => act('POST', `/api/v1/menu/items/${i.id}/availability`, { available: unavailable.has(i.id) }, unavailable.has(i.id) ? `${i.name} is back.` : `${i.name} is 86'd.`, reload)}
            data-testid="toggle">${unavailable.has(i.id) ? 'Back in stock' : '86 it'}</button>
        </li>`,
      )}
    </ul>
  </section>`;
}

export function BackupsCard({
  backups,
  act,
  reload,
}: {
  backups: Backup[];
  act: Act;
  reload: () => Promise<void>;
}) {
  return html`<section class="card wide" data-testid="backups">
    <h2>Backups</h2>
    <button class="primary" onClick=${() => act('POST', '/api/v1/backups', undefined, 'Backup made.', reload)} data-testid="backup-now">Make a backup now</button>
    <ul class="backups">${backups.map((b) => html`<li><span class="mono">${b.file.split('/').at(-1)}</span> · ${(b.bytes / 1_048_576).toFixed(1)} MB · ${new Date(b.at).toLocaleString()}</li>`)}</ul>
  </section>`;
}
