import type { SupabaseClient } from '@supabase/supabase-js';
import { useState } from 'preact/hooks';
import { html, money } from '../apps/shared/ui.ts';
import { overShortWords } from '../rules/day.ts';
import { isoDay } from './report.ts';

interface Labour {
  restaurant_name: string;
  staff_name: string;
  job: string;
  shifts: number;
  minutes: number;
  cost: number | null;
}
interface Adjustment {
  restaurant_name: string;
  action: string;
  staff_name: string;
  approver_name: string | null;
  count: number;
  amount: number;
}
interface DrawerRow {
  restaurant_name: string;
  business_date: string;
  drawer: string;
  expected: number | null;
  counted: number | null;
  over_short: number | null;
}
interface ZRow {
  restaurant_name: string;
  number: number;
  business_date: string;
  forced: boolean;
  checks: number;
  net: number;
  tax: number;
  over_short: number;
}

const hours = (min: number) => `${Math.floor(min / 60)} h ${String(Math.round(min % 60)).padStart(2, '0')}`;
const overShort = (n: number | null) => (n === null ? 'open' : overShortWords(n, money));

/**
 * Staff and the closed days across the organisation (docs/staff.md): hours and labour cost,
 * voids, comps, discounts and refunds by who did them and who approved them, each drawer's count,
 * and every restaurant's Z history. From the cloud copy the hubs sync.
 */
export function StaffReport({ client }: { client: SupabaseClient }) {
  const [first, setFirst] = useState(isoDay(new Date()));
  const [last, setLast] = useState(isoDay(new Date()));
  const [data, setData] = useState<{
    labour: Labour[];
    adjustments: Adjustment[];
    drawers: DrawerRow[];
    z: ZRow[];
  } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const show = async () => {
    const range = { p_first: first, p_last: last };
    const [l, a, d, z] = await Promise.all([
      client.rpc('hq_labour', range),
      client.rpc('hq_adjustments', range),
      client.rpc('hq_drawers', range),
      client.rpc('hq_z_reports', {}),
    ]);
    const error = l.error ?? a.error ?? d.error ?? z.error;
    setProblem(error ? error.message : null);
    if (!error) setData({ labour: l.data, adjustments: a.data, drawers: d.data, z: z.data });
  };
  return html`<section class="card wide" data-testid="staff-report">
    <h2>Staff and day close</h2>
    <div class="row">
      <label>From <input type="date" value=${first} onInput=${(e: Event) => setFirst((e.target as HTMLInputElement).value)} data-testid="staff-first" /></label>
      <label>to <input type="date" value=${last} onInput=${(e: Event) => setLast((e.target as HTMLInputElement).value)} data-testid="staff-last" /></label>
      <button class="primary" onClick=${show} data-testid="staff-show">Show</button>
    </div>
    ${problem && html`<p class="notice bad">${problem}</p>`}
    ${
      data &&
      html`<h3>Labour</h3>
      <table data-testid="labour"><thead><tr><th>Restaurant</th><th>Who</th><th>Job</th><th>Shifts</th><th>Hours</th><th>Cost</th></tr></thead>
        <tbody>${data.labour.map(
          (
            r,
          ) => html`<tr><td>${r.restaurant_name}</td><td>${r.staff_name}</td><td>${r.job}</td><td class="num">${r.shifts}</td>
            <td class="num">${hours(Number(r.minutes))}</td><td class="num">${r.cost === null ? '—' : money(Number(r.cost))}</td></tr>`,
        )}</tbody></table>
      <h3>Voids, comps, discounts and refunds</h3>
      <table data-testid="adjustments"><thead><tr><th>Restaurant</th><th>What</th><th>Who</th><th>Approved by</th><th>Count</th><th>Amount</th></tr></thead>
        <tbody>${data.adjustments.map(
          (
            r,
          ) => html`<tr><td>${r.restaurant_name}</td><td>${r.action}</td><td>${r.staff_name}</td><td>${r.approver_name ?? ''}</td>
            <td class="num">${r.count}</td><td class="num">${money(Number(r.amount))}</td></tr>`,
        )}</tbody></table>
      <h3>Drawers</h3>
      <table data-testid="drawers"><thead><tr><th>Restaurant</th><th>Day</th><th>Drawer</th><th>Expected</th><th>Counted</th><th>Over/short</th></tr></thead>
        <tbody>${data.drawers.map(
          (r) => html`<tr><td>${r.restaurant_name}</td><td>${r.business_date}</td><td>${r.drawer}</td>
            <td class="num">${r.expected === null ? '' : money(Number(r.expected))}</td><td class="num">${r.counted === null ? '' : money(Number(r.counted))}</td>
            <td class="num" data-testid="over-short">${overShort(r.over_short === null ? null : Number(r.over_short))}</td></tr>`,
        )}</tbody></table>
      <h3>Z reports</h3>
      <table data-testid="z-reports"><thead><tr><th>Restaurant</th><th>Z</th><th>Day</th><th>Checks</th><th>Net</th><th>Tax</th><th>Over/short</th></tr></thead>
        <tbody>${data.z.map(
          (
            r,
          ) => html`<tr><td>${r.restaurant_name}</td><td>#${r.number}${r.forced ? ' (forced)' : ''}</td><td>${r.business_date}</td>
            <td class="num">${r.checks}</td><td class="num">${money(Number(r.net))}</td><td class="num">${money(Number(r.tax))}</td>
            <td class="num">${overShort(Number(r.over_short))}</td></tr>`,
        )}</tbody></table>`
    }
  </section>`;
}
