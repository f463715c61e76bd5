import type { SupabaseClient } from '@supabase/supabase-js';
import { useState } from 'preact/hooks';
import { html, money } from '../apps/shared/ui.ts';
import { CsvButton, decimal, download, toCsv } from './csv.ts';
import { DrillDown } from './drill-down.ts';

/** One restaurant's line of the sales report, as hq_sales_report returns it (amounts in cents). */
interface ReportRow {
  restaurant_id: string;
  restaurant_name: string;
  timezone: string;
  day_starts_at: string;
  orders: number;
  covers: number;
  gross: number;
  voids: number;
  comps: number;
  discounts: number;
  net: number;
  tax: number;
  sales: number;
  tips: number;
  refunded: number;
  voided: number;
  voided_total: number;
  prev_first: string;
  prev_last: string;
  prev_orders: number;
  prev_sales: number;
}

/** The figures a row has, in the order the table and its CSV give them; `money` ones are cents. */
const figures = [
  { key: 'orders', money: false },
  { key: 'covers', money: false },
  { key: 'gross', money: true },
  { key: 'voids', money: true },
  { key: 'comps', money: true },
  { key: 'discounts', money: true },
  { key: 'net', money: true },
  { key: 'tax', money: true },
  { key: 'sales', money: true },
  { key: 'tips', money: true },
  { key: 'refunded', money: true },
  { key: 'voided', money: false },
  { key: 'voided_total', money: true },
  { key: 'prev_orders', money: false },
  { key: 'prev_sales', money: true },
] as const;
type Figure = (typeof figures)[number]['key'];
type Figures = Record<Figure, number>;

const numbers = (r: ReportRow): Figures =>
  Object.fromEntries(figures.map((f) => [f.key, Number(r[f.key])])) as Figures;

/** The report's totals, every amount a number. */
export function totals(rows: ReportRow[]): Figures {
  return Object.fromEntries(
    figures.map((f) => [f.key, rows.reduce((sum, r) => sum + Number(r[f.key]), 0)]),
  ) as Figures;
}

/** "+12 %", "−3 %", "new" (nothing before), "—" (nothing either time). */
function change(now: number, before: number): string {
  if (before === 0) return now === 0 ? '—' : 'new';
  const pct = Math.round(((now - before) / before) * 100);
  return `${pct > 0 ? '+' : pct < 0 ? '−' : '±'}${Math.abs(pct)} %`;
}

/** An amount per order or per cover, in cents (0 with none). */
const average = (amount: number, count: number) => (count > 0 ? Math.round(amount / count) : 0);

const csvHeader = [
  'restaurant',
  'first_day',
  'last_day',
  ...figures.map((f) => (f.key.startsWith('prev_') ? f.key.replace('prev_', 'previous_') : f.key)),
  'average_check',
  'average_per_cover',
];

/** The report as CSV: one row per restaurant and a total; amounts in currency units. */
export function reportCsv(rows: ReportRow[], first: string, last: string): string {
  const line = (name: string, r: Figures) => [
    name,
    first,
    last,
    ...figures.map((f) => (f.money ? decimal(r[f.key]) : r[f.key])),
    decimal(average(r.sales, r.orders)),
    decimal(average(r.sales, r.covers)),
  ];
  return toCsv(csvHeader, [
    ...rows.map((r) => line(r.restaurant_name, numbers(r))),
    line('Total', totals(rows)),
  ]);
}

/** The table's columns after the restaurant's name: what each heads and shows of a line. */
const shown: { id: string; heading: string; value: (r: Figures) => string | number }[] = [
  { id: 'orders', heading: 'Orders', value: (r) => r.orders },
  { id: 'covers', heading: 'Covers', value: (r) => r.covers },
  { id: 'gross', heading: 'Gross', value: (r) => money(r.gross) },
  { id: 'voids', heading: 'Voids', value: (r) => money(r.voids) },
  { id: 'comps', heading: 'Comps', value: (r) => money(r.comps) },
  { id: 'discounts', heading: 'Discounts', value: (r) => money(r.discounts) },
  { id: 'net', heading: 'Net', value: (r) => money(r.net) },
  { id: 'tax', heading: 'Tax', value: (r) => money(r.tax) },
  { id: 'sales', heading: 'Sales', value: (r) => money(r.sales) },
  { id: 'change', heading: 'vs before', value: (r) => change(r.sales, r.prev_sales) },
  { id: 'tips', heading: 'Tips', value: (r) => money(r.tips) },
  { id: 'average', heading: 'Avg check', value: (r) => (r.orders ? money(average(r.sales, r.orders)) : '—') },
  {
    id: 'per-cover',
    heading: 'Per cover',
    value: (r) => (r.covers ? money(average(r.sales, r.covers)) : '—'),
  },
  { id: 'voided', heading: 'Voided', value: (r) => r.voided },
];

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
  const [tenders, setTenders] = useState<TenderRow[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [opened, setOpened] = useState<{ id: string; name: string } | null>(null);
  const show = async () => {
    setOpened(null);
    const [report, paid] = await Promise.all([
      client.rpc('hq_sales_report', { p_first: first, p_last: last }),
      client.rpc('hq_tenders', { p_first: first, p_last: last }),
    ]);
    const error = report.error ?? paid.error;
    setProblem(error ? error.message : null);
    setRows(error ? null : (report.data as ReportRow[]));
    setTenders(error ? null : (paid.data as TenderRow[]));
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
      } to ${rows[0]?.prev_last ?? '…'}. Gross is before voids, comps and discounts; net is gross less them, before tax; sales are net plus tax. Tips are apart from sales; voided checks are counted apart.`}</p>
      <table class="report"><thead><tr><th>Restaurant</th>${shown.map((c) => html`<th class="num">${c.heading}</th>`)}</tr></thead>
        <tbody>${rows.map((r) => {
          const n = numbers(r);
          return html`<tr data-restaurant=${r.restaurant_id}><td><button class="link" data-testid="drill"
              onClick=${() => setOpened({ id: r.restaurant_id, name: r.restaurant_name })}>${r.restaurant_name}</button></td>
            ${shown.map((c) => html`<td class="num" data-figure=${c.id}>${c.value(n)}</td>`)}</tr>`;
        })}</tbody>
        <tfoot><tr data-testid="report-total"><th>Total</th>
          ${shown.map((c) => html`<th class="num" data-figure=${c.id}>${c.value(sum)}</th>`)}</tr></tfoot>
      </table>`
    }
    ${tenders && html`<${Tenders} rows=${tenders} first=${first} last=${last} />`}
    ${opened && html`<${DrillDown} client=${client} restaurant=${opened} first=${first} last=${last} />`}
  </section>`;
}

/** One restaurant's payments by one method, as hq_tenders returns them (cents). */
interface TenderRow {
  restaurant_id: string;
  restaurant_name: string;
  method: string;
  payments: number;
  amount: number;
  tips: number;
  refunded: number;
}

const methodNames: Record<string, string> = {
  cash: 'Cash',
  card_present: 'Card (reader)',
  card_standalone: 'Card (standalone terminal)',
};

/** How the money came in over the report's days: per restaurant and method, tips apart. */
function Tenders({ rows, first, last }: { rows: TenderRow[]; first: string; last: string }) {
  return html`<h3>Tenders</h3>
    ${
      rows.length === 0
        ? html`<p class="muted" data-testid="tenders-none">No payments taken on these days.</p>`
        : html`<table data-testid="tenders"><thead><tr><th>Restaurant</th><th>Method</th><th class="num">Payments</th>
          <th class="num">Amount</th><th class="num">Tips</th><th class="num">Refunded</th></tr></thead>
          <tbody>${rows.map(
            (
              t,
            ) => html`<tr data-restaurant=${t.restaurant_id} data-method=${t.method}><td>${t.restaurant_name}</td>
              <td>${methodNames[t.method] ?? t.method}</td><td class="num">${t.payments}</td>
              <td class="num" data-figure="amount">${money(Number(t.amount))}</td><td class="num" data-figure="tips">${money(Number(t.tips))}</td>
              <td class="num">${money(Number(t.refunded))}</td></tr>`,
          )}</tbody></table>
          <${CsvButton} filename=${`grow-tenders-${first}-to-${last}.csv`} testid="tenders-csv"
            header=${['restaurant', 'first_day', 'last_day', 'method', 'payments', 'amount', 'tips', 'refunded']}
            rows=${() => rows.map((t) => [t.restaurant_name, first, last, t.method, t.payments, decimal(t.amount), decimal(t.tips), decimal(t.refunded)])} />`
    }`;
}
