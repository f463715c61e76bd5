import type { SupabaseClient } from '@supabase/supabase-js';
import { useEffect, useState } from 'preact/hooks';
import { html, money } from '../apps/shared/ui.ts';
import { CsvButton, decimal } from './csv.ts';
import type { HubRow } from './hubs.ts';

/** One restaurant's figures for a period, as hq_sales returns them. */
export interface SalesRow {
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
export function businessDay(r: SalesRow): string {
  const day = new Date(`${r.last_day}T12:00:00Z`).toLocaleDateString('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });
  return `${day}, from ${r.day_starts_at.slice(0, 5)} ${r.timezone}`;
}
export interface TopItem {
  item_id: string;
  name: string;
  qty: number;
  sales: number;
}

/** Sales per restaurant today and this week, each on its own business day; stale ones marked. */
export function SalesCard({
  today,
  week,
  silent,
  loaded,
}: {
  today: SalesRow[];
  week: SalesRow[];
  silent: Map<string, HubRow>;
  loaded: boolean;
}) {
  const weekOf = (id: string) => week.find((w) => w.restaurant_id === id);
  return html`<section class="card wide" data-testid="sales">
        <h2>Sales <${CsvButton} testid="sales-csv" filename="grow-sales-today-and-week.csv"
          header=${['restaurant', 'business_day', 'timezone', 'orders_today', 'sales_today', 'sales_this_week']}
          rows=${() => today.map((r) => [r.restaurant_name, r.last_day, r.timezone, r.orders, decimal(r.sales), decimal(weekOf(r.restaurant_id)?.sales ?? 0)])} /></h2>
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
          loaded &&
          today.length === 0 &&
          html`<p class="muted" data-testid="no-restaurants">No restaurants in your organisation yet. Register one and its hub
            (docs/sync.md, "Setting up a real Supabase project"); its figures appear here after its first sync.</p>`
        }
      </section>`;
}

/** The week's top items, for the organisation or one restaurant, by quantity or by sales. */
export function TopItems({
  client,
  restaurants,
  loadedAt,
}: {
  client: SupabaseClient;
  restaurants: { id: string; name: string }[];
  /** Reloads with the dashboard. */
  loadedAt: Date | null;
}) {
  const [restaurant, setRestaurant] = useState('');
  const [by, setBy] = useState<'qty' | 'sales'>('qty');
  const [items, setItems] = useState<TopItem[] | null>(null);
  useEffect(() => {
    void client
      .rpc('hq_top_items', { p_period: 'week', p_limit: 8, p_restaurant_id: restaurant || null, p_by: by })
      .then(({ data, error }) => setItems(error ? null : (data as TopItem[])));
  }, [restaurant, by, loadedAt]);
  const value = (i: TopItem) => Number(by === 'qty' ? i.qty : i.sales);
  const most = Math.max(1, ...(items ?? []).map(value));
  return html`<section class="card" data-testid="top-items">
        <h2>Top items this week <span class="muted">(business weeks)</span>
          <${CsvButton} testid="top-items-csv" filename="grow-top-items-this-week.csv" header=${['item', 'name', 'quantity', 'sales']}
            rows=${() => (items ?? []).map((i) => [i.item_id, i.name, i.qty, decimal(i.sales)])} /></h2>
        <div class="row">
          <select onChange=${(e: Event) => setRestaurant((e.target as HTMLSelectElement).value)} data-testid="top-restaurant">
            <option value="">All restaurants</option>
            ${restaurants.map((r) => html`<option value=${r.id}>${r.name}</option>`)}
          </select>
          <select onChange=${(e: Event) => setBy((e.target as HTMLSelectElement).value as 'qty' | 'sales')} data-testid="top-by">
            <option value="qty">by quantity</option>
            <option value="sales">by sales</option>
          </select>
        </div>
        <ul class="bars">${(items ?? []).map(
          (i) =>
            html`<li><span class="label">${i.name}</span><span class="bar" style=${`width:${(value(i) / most) * 100}%`}></span><b>${
              by === 'qty' ? i.qty : money(Number(i.sales))
            }</b></li>`,
        )}</ul>
        ${items && items.length === 0 && html`<p class="muted">No orders this week yet.</p>`}
      </section>`;
}

/** Orders by hour of the day, each restaurant on its own clock. */
export function PerHour({ hours, loaded }: { hours: { hour: number; orders: number }[]; loaded: boolean }) {
  const perHour = Array.from({ length: 24 }, (_, h) => Number(hours.find((x) => x.hour === h)?.orders ?? 0));
  const maxHour = Math.max(1, ...perHour);
  return html`<section class="card" data-testid="per-hour">
        <h2>Orders per hour today <span class="muted">(each restaurant's local hours)</span></h2>
        <svg viewBox="0 0 520 180" class="chart" role="img" aria-label="orders per hour, by local hour" data-testid="per-hour-chart">
          <line x1="30" y1="150" x2="510" y2="150" stroke="#8a8f94" />
          <line x1="30" y1="20" x2="30" y2="150" stroke="#8a8f94" />
          <text x="24" y="24" font-size="12" text-anchor="end">${maxHour}</text>
          <text x="24" y="154" font-size="12" text-anchor="end">0</text>
          ${perHour.map((n, h) => {
            const height = (n / maxHour) * 125;
            const x = 32 + h * 20;
            return html`<g><rect x=${x} y=${150 - height} width="16" height=${height} fill="#1f7a4d"><title>${h}:00 · ${n} orders</title></rect>
              ${n > 0 && html`<text x=${x + 8} y=${146 - height} font-size="11" text-anchor="middle">${n}</text>`}
              ${h % 3 === 0 && html`<text x=${x + 8} y="166" font-size="12" text-anchor="middle">${String(h).padStart(2, '0')}:00</text>`}</g>`;
          })}
          <text x="270" y="180" font-size="11" text-anchor="middle" fill="#5b6166">hour of the day, each restaurant's own clock</text>
        </svg>
        ${loaded && perHour.every((n) => n === 0) && html`<p class="muted">No orders today yet.</p>`}
      </section>`;
}
