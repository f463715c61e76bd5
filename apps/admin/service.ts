import { useEffect, useState } from 'preact/hooks';
import type { Discount, FloorPlan, ServiceSettings } from '../../protocol/checks.ts';
import { api } from '../shared/session.ts';
import { html } from '../shared/ui.ts';
import type { Act } from './cards.ts';

type Table = FloorPlan['areas'][number]['tables'][number];
const shapes: Table['shape'][] = ['square', 'round', 'rectangle', 'booth', 'stool'];

/** A name as an id the hub accepts: "Happy hour 10 %" → "happy-hour-10". */
const slug = (name: string, fallback: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60) || fallback;

/**
 * The service as a manager sets it up: the discounts servers may apply (and which need a
 * manager), the floor plan's areas and tables, and whether a held course fires by itself when the
 * one before it is bumped. Each part is saved whole; the hub names any field it refuses.
 */
export function ServiceCard({ act, currency }: { act: Act; currency: string }) {
  const [discounts, setDiscounts] = useState<Discount[] | null>(null);
  const [floor, setFloor] = useState<FloorPlan | null>(null);
  const [settings, setSettings] = useState<ServiceSettings | null>(null);
  const load = async () => {
    const [d, f, s] = await Promise.all([
      api<{ discounts: Discount[] }>('GET', '/api/v1/discounts'),
      api<FloorPlan>('GET', '/api/v1/floor-plan'),
      api<ServiceSettings>('GET', '/api/v1/service-settings'),
    ]).catch(() => [null, null, null]);
    if (d?.ok) setDiscounts(d.body.discounts);
    if (f?.ok) setFloor(f.body);
    if (s?.ok) setSettings(s.body);
  };
  useEffect(() => {
    void load();
  }, []);
  if (!discounts || !floor || !settings)
    return html`<section class="card"><h2>Service</h2><p class="muted">Loading…</p></section>`;

  const setDiscount = (i: number, change: Partial<Discount>) =>
    setDiscounts(discounts.map((d, k) => (k === i ? { ...d, ...change } : d)));
  const setTable = (a: number, t: number, change: Partial<Table>) =>
    setFloor({
      areas: floor.areas.map((area, i) =>
        i === a ? { ...area, tables: area.tables.map((x, k) => (k === t ? { ...x, ...change } : x)) } : area,
      ),
    });
  const num = (e: Event) => Number((e.target as HTMLInputElement).value);
  const text = (e: Event) => (e.target as HTMLInputElement).value;

  return html`<section class="card wide" data-testid="service">
    <h2>Service</h2>
    <label><input type="checkbox" checked=${settings.autoFireNextCourse} data-testid="auto-fire"
      onChange=${(e: Event) => setSettings({ ...settings, autoFireNextCourse: (e.target as HTMLInputElement).checked })} />
      Fire the next held course by itself when the kitchen bumps the one before</label>
    <div class="row settings">
      <label>Lock a till after <input type="number" min="1" max="240" value=${settings.idleMinutes} data-testid="idle-minutes"
        onInput=${(e: Event) => setSettings({ ...settings, idleMinutes: num(e) })} /> minutes without a touch</label>
      <label>The business day starts at <input type="time" value=${settings.dayStartsAt} data-testid="day-starts"
        onInput=${(e: Event) => setSettings({ ...settings, dayStartsAt: text(e) })} /></label>
      <label>Cash drawers <select value=${settings.drawerMode} onChange=${(e: Event) => setSettings({ ...settings, drawerMode: text(e) as ServiceSettings['drawerMode'] })}>
        <option value="till">one per till</option><option value="server">one per server (server banking)</option></select></label>
      <label>Tip buttons (%) <input value=${settings.tipPresets.join(', ')}
        onChange=${(e: Event) => setSettings({ ...settings, tipPresets: text(e).split(/[ ,]+/).filter(Boolean).map(Number) })} /></label>
      <label>Tip pool <select value=${settings.tipPool.mode} data-testid="tip-pool"
        onChange=${(e: Event) => setSettings({ ...settings, tipPool: { ...settings.tipPool, mode: text(e) as ServiceSettings['tipPool']['mode'] } })}>
        <option value="none">none</option><option value="hours">shared by hours worked</option><option value="points">by hours × points per job</option></select></label>
    </div>
    <button class="primary" data-testid="save-settings" onClick=${() => act('PUT', '/api/v1/service-settings', settings, 'Service settings saved.', load)}>Save settings</button>

    <h3>Discounts</h3>
    <table class="edit" data-testid="discounts">
      <thead><tr><th>Name</th><th>Kind</th><th>Value</th><th>On</th><th></th></tr></thead>
      <tbody>
        ${discounts.map(
          (d, i) => html`<tr data-discount=${d.id}>
            <td><input value=${d.name} onInput=${(e: Event) => setDiscount(i, { name: text(e) })} /></td>
            <td><select value=${d.kind} onChange=${(e: Event) => setDiscount(i, { kind: text(e) as Discount['kind'] })}>
              <option value="percent">percent</option><option value="amount">amount (${currency})</option></select></td>
            <td><input type="number" step="0.01" value=${d.value / 100}
              onInput=${(e: Event) => setDiscount(i, { value: Math.round(num(e) * 100) })} /></td>
            <td><select value=${d.scope} onChange=${(e: Event) => setDiscount(i, { scope: text(e) as Discount['scope'] })}>
              <option value="either">a line or the check</option><option value="line">lines</option><option value="check">the whole check</option></select></td>
            <td><button onClick=${() => setDiscounts(discounts.filter((_, k) => k !== i))}>Remove</button></td>
          </tr>`,
        )}
      </tbody>
    </table>
    <p class="muted">A percent is of what the lines still sell for (10 = 10 %); an amount is in ${currency}. Who may apply each is set on the roles (Staff).</p>
    <button onClick=${() => setDiscounts([...discounts, { id: '', name: '', kind: 'percent', value: 1_000, scope: 'either' }])} data-testid="add-discount">Add a discount</button>
    <button class="primary" data-testid="save-discounts" onClick=${() =>
      act(
        'PUT',
        '/api/v1/discounts',
        { discounts: discounts.map((d, i) => ({ ...d, id: d.id || slug(d.name, `discount-${i + 1}`) })) },
        'Discounts saved.',
        load,
      )}>Save discounts</button>

    <h3>Floor plan</h3>
    ${floor.areas.map(
      (area, a) => html`<fieldset data-area=${area.id}><legend>${area.name}</legend>
        <table class="edit">
          <thead><tr><th>Table</th><th>Seats</th><th>Shape</th><th>Column</th><th>Row</th><th></th></tr></thead>
          <tbody>${area.tables.map(
            (t, k) => html`<tr data-table=${t.id}>
              <td><input value=${t.name} onInput=${(e: Event) => setTable(a, k, { name: text(e) })} /></td>
              <td><input type="number" min="1" value=${t.seats} onInput=${(e: Event) => setTable(a, k, { seats: num(e) })} /></td>
              <td><select value=${t.shape} onChange=${(e: Event) => setTable(a, k, { shape: text(e) as Table['shape'] })}>${shapes.map((s) => html`<option value=${s}>${s}</option>`)}</select></td>
              <td><input type="number" min="0" value=${t.x} onInput=${(e: Event) => setTable(a, k, { x: num(e) })} /></td>
              <td><input type="number" min="0" value=${t.y} onInput=${(e: Event) => setTable(a, k, { y: num(e) })} /></td>
              <td><button onClick=${() => setFloor({ areas: floor.areas.map((x, i) => (i === a ? { ...x, tables: x.tables.filter((_, j) => j !== k) } : x)) })}>Remove</button></td>
            </tr>`,
          )}</tbody>
        </table>
        <button data-testid=${`add-table-${area.id}`} onClick=${() => {
          const n = area.tables.length + 1;
          const id = `${area.id.slice(0, 20)}-${Date.now().toString(36)}`;
          setFloor({
            areas: floor.areas.map((x, i) =>
              i === a
                ? { ...x, tables: [...x.tables, { id, name: `${n}`, seats: 4, shape: 'square', x: 0, y: 0 }] }
                : x,
            ),
          });
        }}>Add a table</button>
      </fieldset>`,
    )}
    <button class="primary" data-testid="save-floor" onClick=${() => act('PUT', '/api/v1/floor-plan', floor, 'Floor plan saved.', load)}>Save floor plan</button>
  </section>`;
}
