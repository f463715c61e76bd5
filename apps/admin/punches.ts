import { useEffect, useState } from 'preact/hooks';
import type { Punch } from '../../protocol/day.ts';
import { uuidv7Source } from '../../protocol/uuidv7.ts';
import { api } from '../shared/session.ts';
import { html } from '../shared/ui.ts';
import type { Act } from './cards.ts';

const newId = uuidv7Source();
const time = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
/** "HH:MM" on the punch's own day, as the ISO time a manager meant (the browser's time zone). */
function at(base: string, hhmm: string): string {
  const d = new Date(base);
  const [h, m] = hhmm.split(':').map(Number);
  d.setHours(h!, m!, 0, 0);
  return d.toISOString();
}

/**
 * The day's punches; a manager closes a forgotten one or corrects its times, with a reason that
 * is kept on the punch and in the audit trail (docs/staff.md).
 */
export function PunchesCard({ act }: { act: Act }) {
  const [punches, setPunches] = useState<Punch[]>([]);
  const [editing, setEditing] = useState<{ id: string; inAt: string; outAt: string; reason: string } | null>(
    null,
  );
  const load = async () => {
    const res = await api<{ punches: Punch[] }>('GET', '/api/v1/punches').catch(() => null);
    if (res?.ok) setPunches(res.body.punches);
  };
  useEffect(() => {
    void load();
  }, []);
  const hhmm = (iso: string | null) => (iso ? new Date(iso).toTimeString().slice(0, 5) : '');
  return html`<section class="card" data-testid="punches">
    <h2>Time clock today</h2>
    ${punches.length === 0 && html`<p class="muted">Nobody has clocked in yet.</p>`}
    <table class="list"><tbody>${punches.map(
      (p) => html`<tr data-punch=${p.staff.name}>
        <td>${p.staff.name}</td><td>${p.job}</td>
        <td>${time.format(new Date(p.inAt))}–${p.outAt ? time.format(new Date(p.outAt)) : html`<b>still on</b>`}</td>
        <td>${p.edited ? html`<small class="muted">edited: ${p.edited.reason}</small>` : ''}</td>
        <td><button onClick=${() => setEditing({ id: p.id, inAt: hhmm(p.inAt), outAt: hhmm(p.outAt), reason: '' })} data-testid="edit-punch">Fix</button></td>
      </tr>`,
    )}</tbody></table>
    ${
      editing &&
      html`<div class="row" data-testid="punch-editor">
        <label>In <input type="time" value=${editing.inAt} onInput=${(e: Event) => setEditing({ ...editing, inAt: (e.target as HTMLInputElement).value })} data-testid="punch-in" /></label>
        <label>Out <input type="time" value=${editing.outAt} onInput=${(e: Event) => setEditing({ ...editing, outAt: (e.target as HTMLInputElement).value })} data-testid="punch-out" /></label>
        <input placeholder="Why (kept in the audit trail)" value=${editing.reason} onInput=${(e: Event) => setEditing({ ...editing, reason: (e.target as HTMLInputElement).value })} data-testid="punch-reason" />
        <button class="primary" data-testid="save-punch" onClick=${() => {
          const p = punches.find((x) => x.id === editing.id)!;
          const inAt = editing.inAt ? at(p.inAt, editing.inAt) : p.inAt;
          let outAt = editing.outAt ? at(p.inAt, editing.outAt) : null;
          // A shift past midnight: the out time is on the next day.
          if (outAt && outAt < inAt) outAt = new Date(Date.parse(outAt) + 86_400_000).toISOString();
          act(
            'POST',
            `/api/v1/punches/${p.id}/edit`,
            {
              commandId: newId(),
              reason: editing.reason,
              inAt,
              ...(outAt ? { outAt } : {}),
            },
            `${p.staff.name}'s punch saved.`,
            async (ok) => {
              if (ok) setEditing(null);
              await load();
            },
          );
        }}>Save</button>
      </div>`
    }
  </section>`;
}
