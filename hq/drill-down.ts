import type { SupabaseClient } from '@supabase/supabase-js';
import { useEffect, useState } from 'preact/hooks';
import { html, money } from '../apps/shared/ui.ts';
import { CsvButton, decimal } from './csv.ts';

interface Day {
  day: string;
  orders: number;
  sales: number;
  voided: number;
}
interface Check {
  order_id: string;
  number: number;
  local_time: string;
  table_label: string | null;
  status: string;
  lines: number;
  total: number;
}

/** One restaurant's report range, day by day; a day opens its checks. */
export function DrillDown({
  client,
  restaurant,
  first,
  last,
}: {
  client: SupabaseClient;
  restaurant: { id: string; name: string };
  first: string;
  last: string;
}) {
  const [days, setDays] = useState<Day[] | null>(null);
  const [day, setDay] = useState<string | null>(null);
  const [checks, setChecks] = useState<Check[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    setDay(null);
    setChecks(null);
    void client
      .rpc('hq_days', { p_restaurant_id: restaurant.id, p_first: first, p_last: last })
      .then(({ data, error }) => {
        setProblem(error?.message ?? null);
        setDays(error ? null : (data as Day[]));
      });
  }, [restaurant.id, first, last]);
  const open = async (d: string) => {
    setDay(d);
    setChecks(null);
    const { data, error } = await client.rpc('hq_checks', { p_restaurant_id: restaurant.id, p_day: d });
    setProblem(error?.message ?? null);
    setChecks(error ? null : (data as Check[]));
  };
  return html`<div class="drill" data-testid="drill-down">
    <h3>${restaurant.name}, day by day
      <${CsvButton} testid="days-csv" filename=${`grow-days-${restaurant.name}-${first}-to-${last}.csv`} header=${['day', 'orders', 'sales', 'voided']}
        rows=${() => (days ?? []).map((d) => [d.day, d.orders, decimal(d.sales), d.voided])} /></h3>
    ${problem && html`<p class="notice bad">${problem}</p>`}
    ${
      days &&
      html`<table data-testid="days"><thead><tr><th>Business day</th><th>Orders</th><th>Sales</th><th>Voided</th></tr></thead>
        <tbody>${days.map(
          (d) => html`<tr data-day=${d.day} class=${d.day === day ? 'chosen' : ''}>
            <td><button class="link" onClick=${() => open(d.day)} disabled=${Number(d.orders) + Number(d.voided) === 0}>${d.day}</button></td>
            <td class="num">${d.orders}</td><td class="num">${money(Number(d.sales))}</td><td class="num">${d.voided}</td></tr>`,
        )}</tbody></table>`
    }
    ${
      day &&
      checks &&
      html`<h3>Checks on ${day}
        <${CsvButton} testid="checks-csv" filename=${`grow-checks-${restaurant.name}-${day}.csv`}
          header=${['order', 'number', 'opened_local', 'table', 'status', 'lines', 'total']}
          rows=${() => checks.map((c) => [c.order_id, c.number, c.local_time, c.table_label, c.status, c.lines, decimal(c.total)])} /></h3>
      <table data-testid="checks"><thead><tr><th>#</th><th>Opened</th><th>Table</th><th>Status</th><th>Lines</th><th>Total</th></tr></thead>
        <tbody>${checks.map(
          (
            c,
          ) => html`<tr data-order=${c.order_id}><td>${c.number}</td><td>${c.local_time}</td><td>${c.table_label ?? ''}</td>
            <td>${c.status}</td><td class="num">${c.lines}</td><td class="num">${money(Number(c.total))}</td></tr>`,
        )}</tbody></table>`
    }
  </div>`;
}
