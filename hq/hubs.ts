import type { SupabaseClient } from '@supabase/supabase-js';
import { useState } from 'preact/hooks';
import { html } from '../apps/shared/ui.ts';
import { CsvButton } from './csv.ts';

/** One hub as hq_hubs returns it. */
export interface HubRow {
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
  /** A pair of boxes: which is primary, at which epoch, and how its standby stands (null: one box). */
  primary_box: string | null;
  epoch: number | null;
  standby_state: string | null;
  standby_box: string | null;
}

/** "box-a (epoch 2), standby office PC in sync"; "one box" for a hub without a standby. */
export function pairState(h: HubRow): string {
  if (!h.primary_box) return 'one box';
  const standby =
    h.standby_state === 'none' || !h.standby_state
      ? 'no standby'
      : `standby ${h.standby_box ?? ''} ${h.standby_state === 'in-sync' ? 'in sync' : h.standby_state === 'away' ? 'not connected' : h.standby_state}`.replace(
          '  ',
          ' ',
        );
  return `${h.primary_box} (epoch ${h.epoch}), ${standby}`;
}

/** "4 min", "2 h 5 min": how long a hub has been silent. */
export function duration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${Math.max(1, minutes)} min`;
  return `${Math.floor(minutes / 60)} h${minutes % 60 ? ` ${minutes % 60} min` : ''}`;
}

/** "version 2", or "version 1 (2 published, not yet applied)": has a published menu arrived? */
export function menuState(h: HubRow): string {
  const applied = h.menu_version === null ? 'none yet' : `version ${h.menu_version}`;
  return h.menu_published !== null && (h.menu_version ?? -1) < h.menu_published
    ? `${applied} (${h.menu_published} published, not yet applied)`
    : applied;
}

/** The restaurants whose hubs have gone quiet while open, with their longest silence. */
export function silentRestaurants(hubs: HubRow[]): Map<string, HubRow> {
  const out = new Map<string, HubRow>();
  for (const h of hubs) {
    if (h.health !== 'warning' && h.health !== 'alarm') continue;
    const seen = out.get(h.restaurant_id);
    if (!seen || Number(h.silent_seconds ?? Infinity) > Number(seen.silent_seconds ?? Infinity))
      out.set(h.restaurant_id, h);
  }
  return out;
}

/** Named at the top: each open restaurant whose hub has gone quiet. */
export function SilenceBanner({ silent }: { silent: Map<string, HubRow> }) {
  if (silent.size === 0) return null;
  return html`<div class="banner ${[...silent.values()].some((h) => h.health === 'alarm') ? 'alarm' : 'warning'}" role="alert" data-testid="silence-banner">
        ${[...silent.values()].map(
          (h) =>
            html`<p data-restaurant=${h.restaurant_id}><b>${h.restaurant_name}</b>${`: no word from its hub ${
              h.last_contact_at ? `for ${duration(Number(h.silent_seconds))}` : 'yet'
            } while open. Its figures may be behind; check the hub's power and network.`}</p>`,
        )}
      </div>`;
}

/** Each hub: how far it has synced, the menu it applied, when it was last heard from, its health. */
export function HubsCard({ hubs }: { hubs: HubRow[] }) {
  return html`<section class="card wide" data-testid="hubs">
        <h2>Hubs <${CsvButton} testid="hubs-csv" filename="grow-hubs.csv"
          header=${['hub', 'restaurant', 'synced_seq', 'menu_version', 'last_contact_at', 'health', 'primary_box', 'epoch', 'standby']}
          rows=${() => hubs.map((h) => [h.hub_id, h.restaurant_name, h.synced_seq, h.menu_version, h.last_contact_at, h.health, h.primary_box, h.epoch, h.standby_state])} /></h2>
        <table><thead><tr><th>Restaurant</th><th>Synced up to</th><th>Menu applied</th><th>Boxes</th><th>Last contact</th><th>Health</th></tr></thead>
          <tbody>${hubs.map(
            (
              h,
            ) => html`<tr data-hub=${h.hub_id}><td>${h.restaurant_name}</td><td class="num">seq ${h.synced_seq}</td>
              <td data-testid="menu-applied">${menuState(h)}</td>
              <td data-testid="pair" class=${h.standby_state === 'away' || h.standby_state === 'lagging' ? 'error' : ''}>${pairState(h)}</td>
              <td>${h.last_contact_at ? `${duration(Number(h.silent_seconds))} ago` : 'never'}</td>
              <td><span class="state s-${h.health}" data-testid="health">${h.health}</span></td></tr>`,
          )}</tbody></table>
        ${
          hubs[0] &&
          html`<p class="muted">${`Warning after ${duration(hubs[0].warning_after_seconds)} of silence while open, alarm after ${duration(
            hubs[0].alarm_after_seconds,
          )}; "closed" outside opening hours.`}</p>`
        }
      </section>`;
}

/** When a silent hub is worth a warning and an alarm, and each restaurant's opening hours. */
export function SilenceSettings({
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
