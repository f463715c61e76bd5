import type { SupabaseClient } from '@supabase/supabase-js';
import { useState } from 'preact/hooks';
import { html, money } from '../apps/shared/ui.ts';
import { decimal, download, toCsv } from './csv.ts';
import { DrillDown } from './drill-down.ts';

/** One restaurant's line of the sales report, as hq_sales_report returns it (amounts in cents). */
interface ReportRow {
  restaurant_id: string;
  restaurant_name: string;
  timezone: string;
  day_starts_at: string;
  orders: number;
  sales: number;
  tax: number;
  net: number;
  voided: number;
  prev_first: string;
  prev_last: string;
  prev_orders: number;
  prev_sales: number;
}

const columns = ['orders', 'sales', 'tax', 'net', 'voided', 'prev_orders', 'prev_sales'] as const;

/** The report's rows and their totals, every amount a number. */
export function totals(rows: ReportRow[]): Record<(typeof columns)[number], number> {
  return Object.fromEntries(
    columns.map((c) => [c, rows.reduce((sum, r) => sum + Number(r[c]), 0)]),
  ) as Record<(typeof columns)[number], number>;
}

/** "+12 %", "−3 %", "new" (nothing before), "—" (nothing either time). */
function change(now: number, before: number): string {
  if (before === 0) return now === 0 ? '—' : 'new';
  const pct = Math.round(((now - before) / before) * 100);
  return `${pct > 0 ? '+' : pct < 0 ? '−' : '±'}${Math.abs(pct)} %`;
}

/** Sales per order, in cents (0 with no orders). */
const average = (sales: number, orders: number) => (orders > 0 ? Math.round(sales / orders) : 0);

/** The report as CSV: one row per restaurant and a total; amounts in currency units. */
export function reportCsv(rows: ReportRow[], first: string, last: string): string {
  const line = (name: string, r: Record<(typeof columns)[number], number>) => [
    name,
    first,
    last,
    r.orders,
    decimal(r.sales),
    decimal(r.tax),
    decimal(r.net),
    decimal(average(r.sales, r.orders)),
    r.voided,
    r.prev_orders,
    decimal(r.prev_sales),
  ];
  const body = rows.map((r) =>
    line(r.restaurant_name, Object.fromEntries(columns.map((c) => [c, Number(r[c])])) as never),
  );
  return toCsv(
    [
      'restaurant',
      'first_day',
      'last_day',
      'orders',
      'sales',
      'tax',
      'net',
      'average_check',
      'voided',
      'previous_orders',
      'previous_sales',
    ],
    [...body, line('Total', totals(rows))],
  );
}

/** A date as the browser's own calendar day, YYYY-MM-DD. */
export function isoDay(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * Sales over any range of business days, per restaurant and in total, against the same number of
 * days before it; downloadable as CSV. A restaurant's name opens its days, a day its checks.
 */
export function SalesReport({ client }: { client: SupabaseClient }) {
  const today = new Date();
  const monday = new Date(today);
  monday.setDate(today.getDate() - ((today.getDay() + 6) % 7));
  const [first, setFirst] = useState(isoDay(monday));
  const [last, setLast] = useState(isoDay(today));
  const [rows, setRows] = useState<ReportRow[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [opened, setOpened] = useState<{ id: string; name: string } | null>(null);
  const show = async () => {
    setOpened(null);
    const { data, error } = await client.rpc('hq_sales_report', { p_first: first, p_last: last });
    setProblem(error ? error.message : null);
    setRows(error ? null : (data as ReportRow[]));
  };
  const save = () => {
    if (rows) download(`grow-sales-${first}-to-${last}.csv`, reportCsv(rows, first, last));
  };
  const sum = rows ? totals(rows) : null;
  return html`<section class="card wide" data-testid="report">
    <h2>Sales report</h2>
    <div class="row">
      <label>From <input type="date" value=${first} onInput=${(e: Event) => setFirst((e.target as HTMLInputElement).value)} data-testid="report-first" /></label>
      <label>to <input type="date" value=${last} onInput=${(e: Event) => setLast((e.target as HTMLInputElement).value)} data-testid="report-last" /></label>
      <button class="primary" onClick=${show} data-testid="report-show">Show</button>
      ${rows && html`<button onClick=${save} data-testid="report-csv">Download CSV</button>`}
    </div>
    ${problem && html`<p class="notice bad" data-testid="report-problem">${problem}</p>`}
    ${
      rows &&
      sum &&
      html`<p class="muted">${`Business days ${first} to ${last}, each restaurant on its own clock, compared with ${
        rows[0]?.prev_first ?? '…'
      } to ${rows[0]?.prev_last ?? '…'}. Net is sales less tax; voided orders are counted apart.`}</p>
      <table><thead><tr><th>Restaurant</th><th>Orders</th><th>Sales</th><th>vs before</th><th>Tax</th><th>Net</th><th>Avg check</th><th>Voided</th></tr></thead>
        <tbody>${rows.map(
          (r) => html`<tr data-restaurant=${r.restaurant_id}><td><button class="link" data-testid="drill"
              onClick=${() => setOpened({ id: r.restaurant_id, name: r.restaurant_name })}>${r.restaurant_name}</button></td><td class="num">${r.orders}</td>
            <td class="num" data-testid="report-sales">${money(Number(r.sales))}</td>
            <td class="num" title=${`before: ${money(Number(r.prev_sales))}`}>${change(Number(r.sales), Number(r.prev_sales))}</td>
            <td class="num">${money(Number(r.tax))}</td><td class="num">${money(Number(r.net))}</td>
            <td class="num">${money(average(Number(r.sales), Number(r.orders)))}</td><td class="num">${r.voided}</td></tr>`,
        )}</tbody>
        <tfoot><tr data-testid="report-total"><th>Total</th><th class="num">${sum.orders}</th>
          <th class="num" data-testid="report-total-sales">${money(sum.sales)}</th><th class="num">${change(sum.sales, sum.prev_sales)}</th>
          <th class="num">${money(sum.tax)}</th><th class="num">${money(sum.net)}</th>
          <th class="num">${money(average(sum.sales, sum.orders))}</th><th class="num">${sum.voided}</th></tr></tfoot>
      </table>`
    }
    ${opened && html`<${DrillDown} client=${client} restaurant=${opened} first=${first} last=${last} />`}
  </section>`;
}
