/**
 * Rollups beside a recount from the raw rows (docs/cloud-scale.md), for the tests and the bench.
 */
import type { TestCloud } from './cloud.ts';

type Query = TestCloud['db']['query'];

/**
 * Every rollup recounted from the raw rows with plain GROUP BYs, written apart from the
 * triggers (lines count by their check's status, not the copy the triggers keep on the line).
 * Rows that count nothing are left out on both sides.
 */
const recount = {
  sales_by_hour: `
    select o.restaurant_id, ((o.created_at at time zone r.timezone) - r.day_starts_at)::date as business_date,
           extract(hour from o.created_at at time zone r.timezone)::int as hour,
           count(*) filter (where o.status <> 'voided') as orders, count(*) filter (where o.status = 'voided') as voided_orders,
           coalesce(sum(o.total) filter (where o.status = 'voided'), 0) as voided_total,
           coalesce(sum(o.gross) filter (where o.status <> 'voided'), 0) as gross,
           coalesce(sum(o.voids) filter (where o.status <> 'voided'), 0) as voids,
           coalesce(sum(o.comps) filter (where o.status <> 'voided'), 0) as comps,
           coalesce(sum(o.discounts) filter (where o.status <> 'voided'), 0) as discounts,
           coalesce(sum(o.subtotal) filter (where o.status <> 'voided'), 0) as subtotal,
           coalesce(sum(o.tax) filter (where o.status <> 'voided'), 0) as tax,
           coalesce(sum(o.total) filter (where o.status <> 'voided'), 0) as total,
           coalesce(sum(o.guests) filter (where o.status <> 'voided'), 0) as covers
    from orders o join restaurants r on r.id = o.restaurant_id
    where $1::uuid[] is null or o.restaurant_id = any ($1) group by 1, 2, 3`,
  items_by_day: `
    select l.restaurant_id, ((l.created_at at time zone r.timezone) - r.day_starts_at)::date as business_date, l.item_id,
           sum(l.qty) as qty, sum(case when l.comped then 0 else l.line_total - l.discount end) as sales
    from order_lines l
    join orders o on o.restaurant_id = l.restaurant_id and o.id = l.order_id and o.created_at = l.created_at
    join restaurants r on r.id = l.restaurant_id
    where o.status <> 'voided' and not l.voided and ($1::uuid[] is null or l.restaurant_id = any ($1)) group by 1, 2, 3`,
  tenders_by_day: `
    select p.restaurant_id, ((p.created_at at time zone r.timezone) - r.day_starts_at)::date as business_date, p.method,
           p.status, count(*) as payments, sum(p.amount) as amount, sum(p.tip) as tip, sum(p.refunded) as refunded
    from payments p join restaurants r on r.id = p.restaurant_id
    where $1::uuid[] is null or p.restaurant_id = any ($1) group by 1, 2, 3, 4`,
  adjustments_by_day: `
    select a.restaurant_id, ((a.at at time zone r.timezone) - r.day_starts_at)::date as business_date, a.action,
           coalesce(a.staff_name, 'nobody signed in') as staff_name, coalesce(a.approver_name, '') as approver_name,
           count(*) as count, coalesce(sum(a.amount), 0) as amount
    from audit_trail a join restaurants r on r.id = a.restaurant_id
    where a.action in ('void', 'comp', 'discount', 'refund') and ($1::uuid[] is null or a.restaurant_id = any ($1))
    group by 1, 2, 3, 4, 5`,
};

/** Each rollup table and its recount, as sorted JSON lines, so a difference shows as a diff. */
export async function rollupsAndRecounts(query: Query, restaurantIds: string[] | null = null) {
  const rows = async (sql: string) =>
    (await query(sql, [restaurantIds]))
      .map((r) => JSON.stringify(r, (_k, v) => (typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : v)))
      .sort();
  const live = (cols: string) =>
    `where (${cols}) is distinct from (${cols.replace(/[a-z_]+/g, '0')}) and ($1::uuid[] is null or restaurant_id = any ($1))`;
  const salesCols =
    'orders, voided_orders, voided_total, gross, voids, comps, discounts, subtotal, tax, total, covers';
  return {
    rollups: {
      sales_by_hour: await rows(
        `select restaurant_id, business_date, hour::int, ${salesCols} from sales_by_hour ${live(salesCols)}`,
      ),
      sales_by_day: await rows(
        `select restaurant_id, business_date, ${salesCols} from sales_by_day ${live(salesCols)}`,
      ),
      items_by_day: await rows(
        `select restaurant_id, business_date, item_id, qty, sales from items_by_day ${live('qty, sales')}`,
      ),
      items_by_week: await rows(
        `select restaurant_id, week, item_id, qty, sales from items_by_week ${live('qty, sales')}`,
      ),
      tenders_by_day: await rows(
        `select restaurant_id, business_date, method, status, payments, amount, tip, refunded from tenders_by_day ${live('payments, amount, tip, refunded')}`,
      ),
      adjustments_by_day: await rows(
        `select restaurant_id, business_date, action, staff_name, approver_name, count, amount from adjustments_by_day ${live('count, amount')}`,
      ),
    },
    recounts: {
      sales_by_hour: await rows(`select * from (${recount.sales_by_hour}) h ${live(salesCols)}`),
      sales_by_day: await rows(
        `select restaurant_id, business_date, ${salesCols.replace(/[a-z_]+/g, (c) => `sum(${c})::bigint as ${c}`)}
           from (${recount.sales_by_hour}) h group by 1, 2 having (${salesCols.replace(/[a-z_]+/g, (c) => `sum(${c})`)}) is distinct from (${salesCols.replace(/[a-z_]+/g, '0')})`,
      ),
      items_by_day: await rows(`select * from (${recount.items_by_day}) i ${live('qty, sales')}`),
      items_by_week: await rows(
        `select restaurant_id, business_date - (extract(isodow from business_date)::int - 1) as week, item_id,
                sum(qty)::bigint as qty, sum(sales)::bigint as sales
           from (${recount.items_by_day}) i group by 1, 2, 3 having (sum(qty), sum(sales)) is distinct from (0, 0)`,
      ),
      tenders_by_day: await rows(
        `select * from (${recount.tenders_by_day}) t ${live('payments, amount, tip, refunded')}`,
      ),
      adjustments_by_day: await rows(
        `select * from (${recount.adjustments_by_day}) a ${live('count, amount')}`,
      ),
    },
  };
}
