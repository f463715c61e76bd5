import type {
  Break,
  DayFigures,
  DenominationCount,
  Drawer,
  DrawerExpected,
  LabourLine,
  Punch,
} from '../protocol/day.ts';
import type { Order } from '../protocol/orders.ts';
import type { Payment, PaymentMethod } from '../protocol/payments.ts';
import type { StaffRef } from '../protocol/staff.ts';
import { allocate } from './check.ts';

/**
 * The rules of running and closing a business day, without I/O (docs/staff.md): which day a
 * moment belongs to, hours worked, what a drawer should hold, how a tip pool divides, and a
 * day's figures from its checks and payments.
 */

const dayFormat = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' });

export function nextDate(date: string): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * The business day a moment belongs to: the hub's local date, counted from `dayStartsAt`
 * ("04:00": a check at 01:30 belongs to the night before), and never a day already closed
 * by a Z (after a Z the next day has begun, whatever the clock says).
 */
export function businessDateAt(at: string, dayStartsAt: string, lastClosed: string | null): string {
  const [h, m] = dayStartsAt.split(':').map(Number) as [number, number];
  const byClock = dayFormat.format(new Date(Date.parse(at) - (h * 60 + m) * 60_000));
  if (lastClosed === null || byClock > lastClosed) return byClock;
  return nextDate(lastClosed);
}

const minutesBetween = (from: string, to: string) =>
  Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 60_000));

function breakMinutes(breaks: readonly Break[], now: string, paid: boolean): number {
  return breaks
    .filter((b) => b.paid === paid)
    .reduce((s, b) => s + minutesBetween(b.startAt, b.endAt ?? now), 0);
}

/** Hours per person and job: worked minutes are the shift less its unpaid breaks. */
export function labourLines(
  punches: readonly Punch[],
  wages: ReadonlyMap<string, number | null>,
  now: string,
): LabourLine[] {
  const lines = new Map<string, LabourLine>();
  for (const p of punches) {
    const key = `${p.staff.staffId}:${p.job}`;
    const line = lines.get(key) ?? {
      staff: p.staff,
      job: p.job,
      minutes: 0,
      breakMinutes: 0,
      cost: null,
      open: false,
    };
    const shift = minutesBetween(p.inAt, p.outAt ?? now);
    const unpaid = breakMinutes(p.breaks, p.outAt ?? now, false);
    line.minutes += Math.max(0, shift - unpaid);
    line.breakMinutes += unpaid + breakMinutes(p.breaks, p.outAt ?? now, true);
    line.open ||= p.outAt === null;
    lines.set(key, line);
  }
  return [...lines.values()].map((l) => {
    const wage = wages.get(l.staff.staffId) ?? null;
    return { ...l, cost: wage === null ? null : Math.round((wage * l.minutes) / 60) };
  });
}

/** A count against what was expected, in words: "even", "$2.00 over", "$2.00 short". */
export function overShortWords(difference: number, show: (minor: number) => string): string {
  if (difference === 0) return 'even';
  return difference > 0 ? `${show(difference)} over` : `${show(-difference)} short`;
}

/** Bills and coins counted, as one amount. */
export function countTotal(counted: DenominationCount): number {
  return Object.entries(counted).reduce((s, [denomination, n]) => s + Number(denomination) * n, 0);
}

/** Cash that went through one drawer: payments into it and refunds out of it. */
export interface DrawerCash {
  payments: readonly Pick<Payment, 'amount' | 'tip'>[];
  refunds: readonly { amount: number }[];
}

/** What a drawer should hold: float + cash sales and tips − refunds + paid in − paid out − drops. */
export function drawerExpected(drawer: Pick<Drawer, 'float' | 'moves'>, cash: DrawerCash): DrawerExpected {
  const sum = (kind: string) => drawer.moves.filter((m) => m.kind === kind).reduce((s, m) => s + m.amount, 0);
  const cashSales = cash.payments.reduce((s, p) => s + p.amount, 0);
  const cashTips = cash.payments.reduce((s, p) => s + p.tip, 0);
  const cashRefunds = cash.refunds.reduce((s, r) => s + r.amount, 0);
  const paidIn = sum('paid_in');
  const paidOut = sum('paid_out');
  const drops = sum('drop');
  return {
    float: drawer.float,
    cashSales,
    cashTips,
    cashRefunds,
    paidIn,
    paidOut,
    drops,
    expected: drawer.float + cashSales + cashTips - cashRefunds + paidIn - paidOut - drops,
  };
}

export type TipPoolMode = 'none' | 'hours' | 'points';

/**
 * A tip pool divided by hours worked, or by hours × the points of each person's job; integer
 * shares by largest remainder, so they add up to the pool exactly.
 */
export function tipShares(
  pool: number,
  mode: TipPoolMode,
  labour: readonly LabourLine[],
  points: Readonly<Record<string, number>>,
): { staff: StaffRef; minutes: number; points: number; amount: number }[] {
  if (mode === 'none' || pool <= 0) return [];
  const people = labour.filter((l) => l.minutes > 0 && (mode === 'hours' || (points[l.job] ?? 0) > 0));
  const weights = people.map((l) => (mode === 'hours' ? l.minutes : l.minutes * (points[l.job] ?? 0)));
  if (weights.every((w) => w === 0)) return [];
  const amounts = allocate(pool, weights);
  return people.map((l, i) => ({
    staff: l.staff,
    minutes: l.minutes,
    points: points[l.job] ?? 0,
    amount: amounts[i]!,
  }));
}

/** A payment with its refunds, as the day's figures need it. */
export interface DayPayment
  extends Pick<Payment, 'orderId' | 'method' | 'status' | 'amount' | 'tip' | 'refunded'> {}

const counts = (p: DayPayment) =>
  p.status === 'captured' || p.status === 'partially_refunded' || p.status === 'refunded';

/** The day's figures from its checks, payments, drawers and hours (the X report; a Z freezes them). */
export function dayFigures(input: {
  businessDate: string;
  currency: string;
  checks: readonly Order[];
  payments: readonly DayPayment[];
  drawers: DayFigures['drawers'];
  labour: LabourLine[];
  declaredTips: number;
  tipPool: { mode: TipPoolMode; points: Record<string, number> };
}): DayFigures {
  const live = input.checks.filter((c) => c.status !== 'voided');
  const closedWhole = input.checks.filter((c) => c.status === 'voided');
  const lines = live.flatMap((c) => c.lines);
  const group = (entries: { name: string; approver: string | null; amount: number }[]) => {
    const byKey = new Map<string, { name: string; approver: string | null; count: number; amount: number }>();
    for (const e of entries) {
      const key = `${e.name}\u0000${e.approver ?? ''}`;
      const g = byKey.get(key) ?? { name: e.name, approver: e.approver, count: 0, amount: 0 };
      g.count += 1;
      g.amount += e.amount;
      byKey.set(key, g);
    }
    return [...byKey.values()].sort((a, b) => b.amount - a.amount || a.name.localeCompare(b.name));
  };
  const taxes = new Map<string, { taxClassId: string; name: string; taxable: number; tax: number }>();
  for (const t of live.flatMap((c) => c.taxes)) {
    const x = taxes.get(t.taxClassId) ?? { taxClassId: t.taxClassId, name: t.name, taxable: 0, tax: 0 };
    x.taxable += t.taxable;
    x.tax += t.tax;
    taxes.set(t.taxClassId, x);
  }
  const ids = new Set(live.map((c) => c.id));
  const paid = input.payments.filter((p) => ids.has(p.orderId) && counts(p));
  const methods: PaymentMethod[] = ['cash', 'card_present', 'card_standalone'];
  const tenders = methods
    .map((method) => {
      const of = paid.filter((p) => p.method === method);
      return {
        method,
        count: of.length,
        amount: of.reduce((s, p) => s + p.amount, 0),
        tips: of.reduce((s, p) => s + p.tip, 0),
        refunds: of.reduce((s, p) => s + p.refunded, 0),
      };
    })
    .filter((t) => t.count > 0);
  const sum = <T>(xs: readonly T[], f: (x: T) => number) => xs.reduce((s, x) => s + f(x), 0);
  const net = sum(live, (c) => c.subtotal);
  const tips = {
    card: sum(
      paid.filter((p) => p.method !== 'cash'),
      (p) => p.tip,
    ),
    cash: sum(
      paid.filter((p) => p.method === 'cash'),
      (p) => p.tip,
    ),
    declared: input.declaredTips,
  };
  return {
    businessDate: input.businessDate,
    currency: input.currency,
    checks: live.length,
    covers: sum(live, (c) => c.guests ?? 0),
    gross: sum(live, (c) => c.gross),
    voids: {
      count: lines.filter((l) => l.void).length + closedWhole.filter((c) => c.gross > 0).length,
      amount: sum(live, (c) => c.voids) + sum(closedWhole, (c) => c.gross),
    },
    comps: group(
      lines
        .filter((l) => l.comp)
        .map((l) => ({
          name: l.comp!.reason,
          approver: l.comp!.approvedBy?.name ?? null,
          amount: l.comp!.amount,
        })),
    ),
    discounts: group(
      live
        .flatMap((c) => c.discountsApplied)
        .map((d) => ({ name: d.name, approver: d.approvedBy?.name ?? null, amount: d.amount })),
    ),
    net,
    taxes: [...taxes.values()],
    tax: sum(live, (c) => c.tax),
    total: sum(live, (c) => c.total),
    averageCheck: live.length === 0 ? 0 : Math.round(net / live.length),
    tenders,
    tips,
    refunds: sum(paid, (p) => p.refunded),
    drawers: input.drawers,
    overShort: sum(input.drawers, (d) => d.overShort ?? 0),
    labour: input.labour,
    tipPool: tipShares(
      tips.card + tips.cash + tips.declared,
      input.tipPool.mode,
      input.labour,
      input.tipPool.points,
    ),
    openChecks: openChecks(live),
  };
}

/** Checks not closed yet (neither completed nor voided), as the day's reports list them. */
export function openChecks(checks: readonly Order[]): DayFigures['openChecks'] {
  return checks
    .filter((c) => c.status !== 'completed' && c.status !== 'voided')
    .map((c) => ({ id: c.id, number: c.number, tableLabel: c.tableLabel, total: c.total }));
}
