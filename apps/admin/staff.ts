import { useEffect, useState } from 'preact/hooks';
import { AuditAction, type AuditEntry } from '../../protocol/audit.ts';
import type { Discount } from '../../protocol/checks.ts';
import type { DayFigures, LabourLine } from '../../protocol/day.ts';
import { fixedPermissions, permissionText, type StaffMember, type StaffRole } from '../../protocol/staff.ts';
import { api } from '../shared/session.ts';
import { html, money } from '../shared/ui.ts';
import type { Act } from './cards.ts';

const text = (e: Event) => (e.target as HTMLInputElement).value;
const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);

/**
 * Staff and what each role may do (docs/staff.md): add people with a role, a PIN and a wage;
 * change a role, reset a PIN, disable someone who left, clear a PIN lockout; tick each role's
 * permissions, one discount at a time if need be. Saved whole; the hub names what it refuses.
 */
export function StaffCard({ act }: { act: Act }) {
  const [staff, setStaff] = useState<StaffMember[] | null>(null);
  const [roles, setRoles] = useState<StaffRole[] | null>(null);
  const [discounts, setDiscounts] = useState<Discount[]>([]);
  const [draft, setDraft] = useState({ name: '', roleId: 'server', pin: '', wage: '' });
  const [pins, setPins] = useState<Record<string, string>>({});
  const [newRole, setNewRole] = useState('');
  const load = async () => {
    const [s, r, d] = await Promise.all([
      api<{ staff: StaffMember[] }>('GET', '/api/v1/staff'),
      api<{ roles: StaffRole[] }>('GET', '/api/v1/roles'),
      api<{ discounts: Discount[] }>('GET', '/api/v1/discounts'),
    ]).catch(() => [null, null, null]);
    if (s?.ok) setStaff(s.body.staff);
    if (r?.ok) setRoles(r.body.roles);
    if (d?.ok) setDiscounts(d.body.discounts);
  };
  useEffect(() => {
    void load();
  }, []);
  if (!staff || !roles)
    return html`<section class="card"><h2>Staff</h2><p class="muted">Loading…</p></section>`;

  const permissions: [string, string][] = [
    ...fixedPermissions.map((p): [string, string] => [p, permissionText[p]]),
    ['discount:*', 'apply any discount'],
    ...discounts.map((d): [string, string] => [`discount:${d.id}`, `apply "${d.name}"`]),
  ];
  const toggle = (roleId: string, permission: string, on: boolean) =>
    setRoles(
      roles.map((r) =>
        r.id === roleId
          ? {
              ...r,
              permissions: on
                ? [...r.permissions, permission]
                : r.permissions.filter((p) => p !== permission),
            }
          : r,
      ),
    );
  const wage = (s: string) => (s.trim() === '' ? undefined : Math.round(Number(s) * 100));

  return html`<section class="card wide" data-testid="staff">
    <h2>Staff</h2>
    <table class="edit">
      <thead><tr><th>Name</th><th>Role</th><th>Wage / hour</th><th>New PIN</th><th>Active</th><th></th></tr></thead>
      <tbody>${staff.map(
        (s) => html`<tr data-staff=${s.name}>
          <td>${s.name}</td>
          <td><select value=${s.roleId} onChange=${(e: Event) => act('PATCH', `/api/v1/staff/${s.id}`, { roleId: text(e) }, `${s.name} is now ${text(e)}.`, load)}>
            ${roles.map((r) => html`<option value=${r.id}>${r.name}</option>`)}</select></td>
          <td><input inputmode="decimal" value=${s.wage === null ? '' : (s.wage / 100).toFixed(2)}
            onChange=${(e: Event) => act('PATCH', `/api/v1/staff/${s.id}`, { wage: wage(text(e)) ?? null }, `${s.name}'s wage saved.`, load)} /></td>
          <td><input inputmode="numeric" maxlength="6" value=${pins[s.id] ?? ''} onInput=${(e: Event) => setPins({ ...pins, [s.id]: text(e) })} />
            <button disabled=${!pins[s.id]} onClick=${() =>
              act(
                'PATCH',
                `/api/v1/staff/${s.id}`,
                { pin: pins[s.id] },
                `${s.name}'s PIN changed.`,
                async (ok) => {
                  if (ok) setPins({ ...pins, [s.id]: '' });
                  await load();
                },
              )}>Set</button></td>
          <td><input type="checkbox" checked=${!s.disabledAt}
            onChange=${(e: Event) => act('PATCH', `/api/v1/staff/${s.id}`, { active: (e.target as HTMLInputElement).checked }, `${s.name} saved.`, load)} /></td>
          <td><button onClick=${() => act('POST', `/api/v1/staff/${s.id}/unlock`, undefined, `${s.name} can try their PIN again.`, load)}>Unlock PIN</button></td>
        </tr>`,
      )}</tbody>
    </table>
    <div class="row add-staff">
      <input placeholder="Name" value=${draft.name} onInput=${(e: Event) => setDraft({ ...draft, name: text(e) })} data-testid="staff-name" />
      <select value=${draft.roleId} onChange=${(e: Event) => setDraft({ ...draft, roleId: text(e) })} data-testid="staff-role">
        ${roles.map((r) => html`<option value=${r.id}>${r.name}</option>`)}</select>
      <input placeholder="PIN (4–6 digits)" inputmode="numeric" maxlength="6" value=${draft.pin} onInput=${(e: Event) => setDraft({ ...draft, pin: text(e) })} data-testid="staff-pin" />
      <input placeholder="Wage / hour" inputmode="decimal" value=${draft.wage} onInput=${(e: Event) => setDraft({ ...draft, wage: text(e) })} />
      <button class="primary" data-testid="add-staff" onClick=${() =>
        act(
          'POST',
          '/api/v1/staff',
          {
            name: draft.name,
            roleId: draft.roleId,
            pin: draft.pin,
            ...(wage(draft.wage) === undefined ? {} : { wage: wage(draft.wage) }),
          },
          `${draft.name} added.`,
          async (ok) => {
            if (ok) setDraft({ name: '', roleId: draft.roleId, pin: '', wage: '' });
            await load();
          },
        )}>Add</button>
    </div>

    <h3>Roles and permissions</h3>
    <p class="muted">What each role may do on its own. Without it, a manager enters their PIN on the till to approve that one action.</p>
    <table class="edit permissions" data-testid="permissions">
      <thead><tr><th></th>${roles.map((r) => html`<th>${r.name}</th>`)}</tr></thead>
      <tbody>${permissions.map(
        ([
          p,
          words,
        ]) => html`<tr data-permission=${p}><td>${words[0]!.toUpperCase()}${words.slice(1)} <small class="muted">${p}</small></td>
          ${roles.map(
            (r) => html`<td><input type="checkbox" checked=${r.permissions.includes(p)} data-role=${r.id}
              onChange=${(e: Event) => toggle(r.id, p, (e.target as HTMLInputElement).checked)} /></td>`,
          )}</tr>`,
      )}</tbody>
    </table>
    <div class="row">
      <input placeholder="New role (Host)" value=${newRole} onInput=${(e: Event) => setNewRole(text(e))} />
      <button disabled=${!slug(newRole)} onClick=${() => {
        setRoles([...roles, { id: slug(newRole), name: newRole.trim(), permissions: [] }]);
        setNewRole('');
      }}>Add role</button>
      <button class="primary" data-testid="save-roles" onClick=${() => act('PUT', '/api/v1/roles', { roles }, 'Roles saved.', load)}>Save roles</button>
    </div>
  </section>`;
}

/** The audit trail, newest first, filtered by action, person, or overrides only. */
export function AuditCard({ staff }: { staff?: StaffMember[] }) {
  const [filter, setFilter] = useState({ action: '', staffId: '', overrides: false });
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [people, setPeople] = useState<StaffMember[]>(staff ?? []);
  const query = (before?: number) =>
    new URLSearchParams({
      ...(filter.action ? { action: filter.action } : {}),
      ...(filter.staffId ? { staffId: filter.staffId } : {}),
      ...(filter.overrides ? { overrides: 'true' } : {}),
      ...(before ? { before: String(before) } : {}),
      limit: '50',
    }).toString();
  const load = async (before?: number) => {
    const res = await api<{ entries: AuditEntry[]; next: number | null }>(
      'GET',
      `/api/v1/audit?${query(before)}`,
    ).catch(() => null);
    if (!res?.ok) return;
    setEntries(before ? [...entries, ...res.body.entries] : res.body.entries);
    setNext(res.body.next);
  };
  useEffect(() => {
    void load();
  }, [filter.action, filter.staffId, filter.overrides]);
  useEffect(() => {
    api<{ staff: StaffMember[] }>('GET', '/api/v1/staff')
      .then((r) => r.ok && setPeople(r.body.staff))
      .catch(() => undefined);
  }, []);
  return html`<section class="card wide" data-testid="audit">
    <h2>Audit trail</h2>
    <div class="row">
      <select value=${filter.action} onChange=${(e: Event) => setFilter({ ...filter, action: text(e) })} data-testid="audit-action">
        <option value="">Every action</option>
        ${AuditAction.options.map((a) => html`<option value=${a}>${a}</option>`)}
      </select>
      <select value=${filter.staffId} onChange=${(e: Event) => setFilter({ ...filter, staffId: text(e) })} data-testid="audit-staff">
        <option value="">Everyone</option>
        ${people.map((s) => html`<option value=${s.id}>${s.name}</option>`)}
      </select>
      <label><input type="checkbox" checked=${filter.overrides} onChange=${(e: Event) => setFilter({ ...filter, overrides: (e.target as HTMLInputElement).checked })} data-testid="audit-overrides" /> Overrides only</label>
    </div>
    <table class="list">
      <thead><tr><th>When</th><th>What</th><th>Who</th><th>Approved by</th><th>Reason</th></tr></thead>
      <tbody>${entries.map(
        (e) => html`<tr data-audit=${e.action}><td>${new Date(e.at).toLocaleString()}</td><td>${e.detail}</td>
          <td>${e.staff?.name ?? '—'}</td><td>${e.approver?.name ?? ''}</td><td>${e.reason ?? ''}</td></tr>`,
      )}</tbody>
    </table>
    ${entries.length === 0 && html`<p class="muted">Nothing recorded yet.</p>`}
    ${next && html`<button onClick=${() => load(next)}>Older</button>`}
  </section>`;
}

interface ZSummary {
  number: number;
  businessDate: string;
  closedAt: string;
  net: number;
  forced: boolean;
}

/** The day so far (X), hours worked, and every Z this hub has closed. */
export function ReportsCard({ currency }: { currency: string }) {
  const [x, setX] = useState<DayFigures | null>(null);
  const [labour, setLabour] = useState<LabourLine[]>([]);
  const [zs, setZs] = useState<ZSummary[]>([]);
  useEffect(() => {
    const load = async () => {
      const [a, b, c] = await Promise.all([
        api<DayFigures>('GET', '/api/v1/reports/x'),
        api<{ labour: LabourLine[] }>('GET', '/api/v1/reports/labour'),
        api<{ reports: ZSummary[] }>('GET', '/api/v1/reports/z'),
      ]).catch(() => [null, null, null]);
      if (a?.ok) setX(a.body);
      if (b?.ok) setLabour(b.body.labour);
      if (c?.ok) setZs(c.body.reports);
    };
    void load();
    const t = setInterval(load, 15_000);
    return () => clearInterval(t);
  }, []);
  const m = (n: number) => money(n, currency);
  const hours = (min: number) => `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')}`;
  return html`<section class="card wide" data-testid="reports">
    <h2>Day so far (X)</h2>
    ${
      x &&
      html`<p data-testid="x">${x.businessDate}: ${x.checks} checks · ${x.covers} covers · net ${m(x.net)} · tax ${m(x.tax)} · average ${m(x.averageCheck)} ·
        voids ${m(x.voids.amount)} · comps ${m(x.comps.reduce((s, c) => s + c.amount, 0))} · discounts ${m(x.discounts.reduce((s, c) => s + c.amount, 0))} ·
        tips ${m(x.tips.card + x.tips.cash + x.tips.declared)} · over/short ${m(x.overShort)}</p>`
    }
    <h3>Hours</h3>
    <table class="list"><tbody>${labour.map(
      (l) =>
        html`<tr><td>${l.staff.name}</td><td>${l.job}</td><td>${hours(l.minutes)}${l.open ? ' (on the clock)' : ''}</td><td>${l.cost === null ? '' : m(l.cost)}</td></tr>`,
    )}</tbody></table>
    <h3>Z reports</h3>
    <table class="list" data-testid="z-history"><tbody>${zs.map(
      (
        z,
      ) => html`<tr><td>Z #${z.number}</td><td>${z.businessDate}</td><td>${m(z.net)}</td><td>${z.forced ? 'open checks carried over' : ''}</td>
        <td><a href=${`/api/v1/reports/z/${z.number}`} target="_blank">figures</a></td></tr>`,
    )}</tbody></table>
  </section>`;
}
