// Long because it is the one place for the SQL of checks and their tickets (hub/store holds one
// repository per table group): the rows, how a ticket reads its lines from its check, the list.
import type { Statement } from 'better-sqlite3';
import type { CheckListQuery, CheckSummary } from '../../protocol/checks.ts';
import type { Order, OrderLine, OrderStatus, Ticket, TicketStatus } from '../../protocol/orders.ts';
import type { StaffRef } from '../../protocol/staff.ts';
import { linesAt } from '../../rules/kitchen.ts';
import { HubError } from '../errors.ts';
import type { Db } from './db.ts';

interface OrderRow {
  id: string;
  number: number;
  business_date: string;
  status: OrderStatus;
  version: number;
  order_type: Order['orderType'];
  table_id: string | null;
  guests: number | null;
  fingerprint: string;
  currency: string;
  menu_version: number;
  lines: string;
  discounts_applied: string;
  taxes: string;
  fixed_taxes: string | null;
  gross: number;
  voids: number;
  comps: number;
  discounts: number;
  subtotal: number;
  tax: number;
  total: number;
  note: string | null;
  table_label: string | null;
  void_reason: string | null;
  taken_at: string | null;
  device_id: string | null;
  server_id: string | null;
  server_name: string | null;
  created_at: string;
  updated_at: string;
}

interface TicketRow {
  id: string;
  order_id: string;
  station_id: string;
  status: TicketStatus;
  line_ids: string;
  /** The lines as the kitchen got them, once lines left the check (else null: read from the check). */
  lines: string | null;
  round: number;
  course: string | null;
  created_at: string;
  fired_at: string | null;
  started_at: string | null;
  bumped_at: string | null;
}

/** A check as stored: everything but its tickets, plus the tax a split fixed on it. */
export type CheckRow = Omit<Order, 'tickets'> & { fixedTaxes: Order['taxes'] | null };

export interface NewOrderRow {
  order: CheckRow;
  fingerprint: string;
  businessDate: string;
}

/** What a ticket is, before the order's number, table and type are put on it. */
export interface TicketFields {
  id: string;
  orderId: string;
  stationId: string;
  status: TicketStatus;
  lines: OrderLine[];
  round: number;
  course: string | null;
  createdAt: string;
  firedAt: string | null;
  startedAt: string | null;
  bumpedAt: string | null;
}

type TicketHead = Pick<Order, 'number' | 'tableLabel' | 'note' | 'orderType' | 'takenAt'>;

/** The one way a ticket is built: from its fields and its check's head (just made, or read back). */
export function ticketOf(t: TicketFields, order: TicketHead): Ticket {
  return {
    id: t.id,
    orderId: t.orderId,
    orderNumber: order.number,
    stationId: t.stationId,
    status: t.status,
    tableLabel: order.tableLabel,
    orderType: order.orderType,
    orderNote: order.note,
    takenAt: order.takenAt,
    round: t.round,
    course: t.course,
    lines: t.lines,
    createdAt: t.createdAt,
    firedAt: t.firedAt,
    startedAt: t.startedAt,
    bumpedAt: t.bumpedAt,
  };
}

/**
 * A ticket's fields from its row and its check's lines: the lines it names, as its station sees
 * them (sides included: rules/kitchen.ts), or the copy it keeps once lines left the check.
 */
function ticketFields(r: TicketRow, checkLines: readonly OrderLine[]): TicketFields {
  let lines: OrderLine[];
  if (r.lines !== null) lines = JSON.parse(r.lines) as OrderLine[];
  else {
    const ids = new Set(JSON.parse(r.line_ids) as string[]);
    lines = checkLines.filter((l) => ids.has(l.id)).flatMap((l) => linesAt(r.station_id, l));
  }
  return {
    id: r.id,
    orderId: r.order_id,
    stationId: r.station_id,
    status: r.status,
    lines,
    round: r.round,
    course: r.course,
    createdAt: r.created_at,
    firedAt: r.fired_at,
    startedAt: r.started_at,
    bumpedAt: r.bumped_at,
  };
}

const orderHead = (o: OrderRow): TicketHead => ({
  number: o.number,
  tableLabel: o.table_label,
  note: o.note,
  orderType: o.order_type,
  takenAt: o.taken_at,
});

/** The check list's filters, as SQL parameters (null: not filtered). */
interface ListParams {
  open: number | null;
  pay: string | null;
  table: string | null;
  type: string | null;
  device: string | null;
  server: string | null;
  number: number | null;
  label: string | null;
  afterAt: string | null;
  afterId: string | null;
  limit: number;
}

/** Payments that count towards a bill (hub/payments/rules.ts `balance`), as SQL. */
const paidSql = `(SELECT COALESCE(SUM(p.amount), 0) FROM payments p WHERE p.order_id = o.id
  AND p.status IN ('unverified', 'captured', 'partially_refunded', 'refunded'))`;

export class OrderStore {
  private readonly insertOrder: Statement;
  private readonly updateOrder: Statement;
  private readonly selectOrder: Statement;
  private readonly selectFingerprint: Statement;
  private readonly selectBusinessDate: Statement;
  private readonly updateStatus: Statement;
  private readonly selectRecent: Statement;
  private readonly selectRecentByStatus: Statement;
  private readonly selectActive: Statement;
  private readonly selectOnTable: Statement;
  private readonly selectList: Statement;
  private readonly insertTicketRow: Statement;
  private readonly selectTicket: Statement;
  private readonly selectTicketsOfOrder: Statement;
  private readonly selectTicketStatuses: Statement;
  /** Tickets by filter: open (the default) or in one state, at one station or all. */
  readonly selectTickets: Record<'open' | 'openAt' | 'inState' | 'inStateAt', Statement>;
  private readonly updateTicket: Statement;
  private readonly updateTicketLines: Statement;
  private readonly freezeTicket: Statement;
  private readonly fireTicketRow: Statement;
  private readonly bumpCounter: Statement;
  private readonly selectCommand: Statement;
  private readonly selectOfDate: Statement;
  private readonly selectFirstDateAfter: Statement;
  private readonly insertCommand: Statement;

  constructor(db: Db) {
    this.insertOrder = db.prepare(
      `INSERT INTO orders (id, number, business_date, status, version, order_type, table_id, guests,
         fingerprint, currency, menu_version, lines, discounts_applied, taxes, fixed_taxes,
         gross, voids, comps, discounts, subtotal, tax, total,
         note, table_label, void_reason, taken_at, device_id, server_id, server_name, created_at, updated_at)
       VALUES (@id, @number, @businessDate, @status, @version, @orderType, @tableId, @guests,
         @fingerprint, @currency, @menuVersion, @lines, @discountsApplied, @taxes, @fixedTaxes,
         @gross, @voids, @comps, @discounts, @subtotal, @tax, @total,
         @note, @tableLabel, @voidReason, @takenAt, @deviceId, @serverId, @serverName, @createdAt, @updatedAt)`,
    );
    this.updateOrder = db.prepare(
      `UPDATE orders SET status = @status, version = @version, order_type = @orderType,
         table_id = @tableId, guests = @guests, lines = @lines, discounts_applied = @discountsApplied,
         taxes = @taxes, fixed_taxes = @fixedTaxes, gross = @gross, voids = @voids, comps = @comps,
         discounts = @discounts, subtotal = @subtotal, tax = @tax, total = @total,
         table_label = @tableLabel, void_reason = @voidReason, server_id = @serverId,
         server_name = @serverName, updated_at = @updatedAt
       WHERE id = @id`,
    );
    this.selectOrder = db.prepare('SELECT * FROM orders WHERE id = ?');
    this.selectOfDate = db.prepare('SELECT * FROM orders WHERE business_date = ? ORDER BY created_at, id');
    this.selectFirstDateAfter = db
      .prepare('SELECT min(business_date) FROM orders WHERE @after IS NULL OR business_date > @after')
      .pluck();
    this.selectFingerprint = db.prepare('SELECT fingerprint FROM orders WHERE id = ?');
    this.selectBusinessDate = db.prepare('SELECT business_date FROM orders WHERE id = ?');
    this.updateStatus = db.prepare(
      `UPDATE orders SET status = ?, void_reason = COALESCE(?, void_reason), updated_at = ?,
         version = version + 1 WHERE id = ?`,
    );
    this.selectRecent = db.prepare('SELECT * FROM orders ORDER BY created_at DESC, id DESC LIMIT ?');
    this.selectRecentByStatus = db.prepare(
      'SELECT * FROM orders WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ?',
    );
    this.selectActive = db.prepare(
      "SELECT * FROM orders WHERE status NOT IN ('completed', 'voided') ORDER BY created_at, id LIMIT ?",
    );
    this.selectOnTable = db.prepare(
      `SELECT o.*, ${paidSql} AS paid,
         EXISTS (SELECT 1 FROM print_jobs j WHERE j.order_id = o.id AND j.kind = 'bill') AS presented
       FROM orders o
       WHERE table_id IS NOT NULL AND status NOT IN ('completed', 'voided') ORDER BY created_at, id`,
    );
    // One statement for every filter of the check list: newest first, a page at a time by
    // (created_at, id), so no check is ever out of reach however many there are.
    this.selectList = db.prepare(
      `SELECT * FROM (
         SELECT o.*, ${paidSql} AS paid FROM orders o
         WHERE (@open IS NULL OR (@open = 1) = (o.status NOT IN ('completed', 'voided')))
           AND (@table IS NULL OR o.table_id = @table)
           AND (@type IS NULL OR o.order_type = @type)
           AND (@device IS NULL OR o.device_id = @device)
           AND (@server IS NULL OR o.server_id = @server)
           AND (@number IS NULL OR o.number = @number OR instr(lower(o.table_label), @label) > 0)
           AND (@number IS NOT NULL OR @label IS NULL OR instr(lower(o.table_label), @label) > 0)
           AND (@afterAt IS NULL OR o.created_at < @afterAt OR (o.created_at = @afterAt AND o.id < @afterId))
       ) c
       WHERE @pay IS NULL
          OR (@pay = 'paid' AND c.paid >= c.total)
          OR (@pay = 'unpaid' AND c.paid = 0 AND c.total > 0)
          OR (@pay = 'partly_paid' AND c.paid > 0 AND c.paid < c.total)
       ORDER BY c.created_at DESC, c.id DESC LIMIT @limit`,
    );
    this.insertTicketRow = db.prepare(
      `INSERT INTO tickets (id, order_id, station_id, status, line_nos, line_ids, round, course, created_at, fired_at)
       VALUES (@id, @orderId, @stationId, @status, @lineNos, @lineIds, @round, @course, @createdAt, @firedAt)`,
    );
    this.selectTicket = db.prepare('SELECT * FROM tickets WHERE id = ?');
    this.selectTicketStatuses = db.prepare('SELECT status FROM tickets WHERE order_id = ?').pluck();
    this.selectTicketsOfOrder = db.prepare(
      'SELECT * FROM tickets WHERE order_id = ? ORDER BY created_at, station_id, id',
    );
    // One statement per filter, each with its own index (SELECT … WHERE (@x IS NULL OR …) made
    // SQLite scan and sort every ticket ever made): see hub/store/store.test.ts for the plans.
    const open = "status IN ('held', 'open', 'started')";
    this.selectTickets = {
      // Named: without statistics SQLite picks tickets_status and sorts every open ticket, and
      // tickets nobody bumps (a station that prints instead of using a screen) stay open for ever.
      open: db.prepare(
        `SELECT * FROM tickets INDEXED BY tickets_open WHERE ${open} ORDER BY created_at, id LIMIT @limit`,
      ),
      openAt: db.prepare(
        `SELECT * FROM tickets WHERE station_id = @station AND ${open} ORDER BY created_at, id LIMIT @limit`,
      ),
      inState: db.prepare(
        'SELECT * FROM tickets WHERE status = @status ORDER BY created_at, id LIMIT @limit',
      ),
      inStateAt: db.prepare(
        'SELECT * FROM tickets WHERE station_id = @station AND status = @status ORDER BY created_at, id LIMIT @limit',
      ),
    };
    this.updateTicket = db.prepare(
      'UPDATE tickets SET status = ?, started_at = ?, bumped_at = ? WHERE id = ?',
    );
    // Only a frozen ticket's copy needs the change; the others read their lines from the check.
    this.updateTicketLines = db.prepare('UPDATE tickets SET lines = ? WHERE id = ? AND lines IS NOT NULL');
    this.freezeTicket = db.prepare('UPDATE tickets SET lines = ? WHERE id = ? AND lines IS NULL');
    this.fireTicketRow = db.prepare("UPDATE tickets SET status = 'open', fired_at = ? WHERE id = ?");
    this.bumpCounter = db.prepare(
      `INSERT INTO counters (name, value) VALUES (?, 1)
       ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`,
    );
    this.selectCommand = db.prepare('SELECT fingerprint, result FROM check_commands WHERE id = ?');
    this.insertCommand = db.prepare(
      'INSERT INTO check_commands (id, order_id, kind, fingerprint, result, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  /** Next value of a named counter; inside the caller's transaction, so numbers never repeat. */
  nextNumber(counter: string): number {
    return (this.bumpCounter.get(counter) as { value: number }).value;
  }

  fingerprintOf(id: string): string | null {
    return (this.selectFingerprint.get(id) as { fingerprint: string } | undefined)?.fingerprint ?? null;
  }

  /** The business day the check belongs to (its number counts within that day). */
  /** Every check of one business day, without tickets (the day's figures). */
  ofBusinessDate(date: string): Order[] {
    return (this.selectOfDate.all(date) as OrderRow[]).map((r) => this.hydrate(r, false));
  }

  /** The earliest business day with checks after `after` (null: the earliest of all). */
  firstDateAfter(after: string | null): string | null {
    return (this.selectFirstDateAfter.get({ after }) as string | null) ?? null;
  }

  businessDateOf(id: string): string {
    return (this.selectBusinessDate.get(id) as { business_date: string }).business_date;
  }

  insert({ order, fingerprint, businessDate }: NewOrderRow): void {
    this.insertOrder.run({ ...this.columns(order), businessDate, fingerprint, number: order.number });
  }

  /** Writes a check's changed state back (its number, device and creation never change). */
  save(order: CheckRow): void {
    this.updateOrder.run(this.columns(order));
  }

  insertTicket(t: TicketFields): void {
    this.insertTicketRow.run({
      id: t.id,
      orderId: t.orderId,
      stationId: t.stationId,
      status: t.status,
      lineNos: JSON.stringify(t.lines.map((l) => l.lineNo)),
      lineIds: JSON.stringify([...new Set(t.lines.map((l) => l.id))]),
      round: t.round,
      course: t.course,
      createdAt: t.createdAt,
      firedAt: t.firedAt,
    });
  }

  get(id: string): Order | null {
    const row = this.selectOrder.get(id) as OrderRow | undefined;
    return row ? this.hydrate(row) : null;
  }

  /** A check with the tax a split fixed on it (what the check service recomputes from). */
  getRow(id: string): CheckRow | null {
    const row = this.selectOrder.get(id) as OrderRow | undefined;
    if (!row) return null;
    const { tickets: _, ...order } = this.hydrate(row, false);
    return { ...order, fixedTaxes: row.fixed_taxes ? JSON.parse(row.fixed_taxes) : null };
  }

  setStatus(id: string, status: OrderStatus, at: string, voidReason: string | null = null): void {
    this.updateStatus.run(status, voidReason, at, id);
  }

  recent(limit: number, status?: OrderStatus): Order[] {
    const rows = (
      status ? this.selectRecentByStatus.all(status, limit) : this.selectRecent.all(limit)
    ) as OrderRow[];
    return rows.map((r) => this.hydrate(r));
  }

  /** Orders still on the floor (not completed or voided), oldest first. */
  active(limit: number): Order[] {
    return (this.selectActive.all(limit) as OrderRow[]).map((r) => this.hydrate(r));
  }

  /** Open checks on tables, oldest first, as summaries: what the floor plan is drawn from. */
  onTables(): (CheckSummary & { lines: OrderLine[]; presented: boolean })[] {
    return (this.selectOnTable.all() as (OrderRow & { paid: number; presented: number })[]).map((r) => ({
      ...summary(r),
      lines: JSON.parse(r.lines) as OrderLine[],
      presented: r.presented === 1,
    }));
  }

  /** A page of the check list, newest first, and the cursor of the next page (null at the end). */
  list(query: CheckListQuery): { checks: CheckSummary[]; next: string | null } {
    const q = query.q?.trim().toLowerCase() ?? '';
    const number = /^#?\d{1,9}$/.test(q) ? Number(q.replace('#', '')) : null;
    const [afterAt, afterId] = decodeCursor(query.cursor);
    const params: ListParams = {
      open: query.state === 'all' ? null : query.state === 'open' ? 1 : 0,
      pay: query.pay ?? null,
      table: query.table ?? null,
      type: query.type ?? null,
      device: query.device ?? null,
      server: query.server ?? null,
      number,
      label: q === '' ? null : q,
      afterAt,
      afterId,
      limit: query.limit + 1,
    };
    const rows = this.selectList.all(params) as (OrderRow & { paid: number })[];
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      checks: page.map(summary),
      next: rows.length > query.limit && last ? encodeCursor(last.created_at, last.id) : null,
    };
  }

  ticket(id: string): Ticket | null {
    const row = this.selectTicket.get(id) as TicketRow | undefined;
    if (!row) return null;
    const order = this.selectOrder.get(row.order_id) as OrderRow;
    return ticketOf(ticketFields(row, JSON.parse(order.lines)), orderHead(order));
  }

  /** Open and started tickets (or those of one status), oldest first: a KDS screen's queue. */
  tickets(filter: { station?: string; status?: TicketStatus; limit: number }): Ticket[] {
    const { station, status, limit } = filter;
    const statement = status
      ? station
        ? this.selectTickets.inStateAt
        : this.selectTickets.inState
      : station
        ? this.selectTickets.openAt
        : this.selectTickets.open;
    const rows = statement.all({ station, status, limit }) as TicketRow[];
    const checks = new Map<string, { head: TicketHead; lines: OrderLine[] }>();
    return rows.map((row) => {
      let check = checks.get(row.order_id);
      if (!check) {
        const o = this.selectOrder.get(row.order_id) as OrderRow;
        check = { head: orderHead(o), lines: JSON.parse(o.lines) };
        checks.set(row.order_id, check);
      }
      return ticketOf(ticketFields(row, check.lines), check.head);
    });
  }

  /** A check's tickets, as stations see them. */
  ticketsOf(orderId: string): Ticket[] {
    const row = this.selectOrder.get(orderId) as OrderRow | undefined;
    if (!row) return [];
    return this.ticketsOfRow(row, JSON.parse(row.lines));
  }

  /** A check's tickets frozen: each keeps the lines it shows now, because lines are about to leave the check. */
  freezeTickets(orderId: string): void {
    for (const t of this.ticketsOf(orderId)) this.freezeTicket.run(JSON.stringify(t.lines), t.id);
  }

  /** The statuses of a check's tickets, without reading their lines: what the check's status follows. */
  ticketStatuses(orderId: string): TicketStatus[] {
    return this.selectTicketStatuses.all(orderId) as TicketStatus[];
  }

  setTicket(id: string, status: TicketStatus, startedAt: string | null, bumpedAt: string | null): void {
    this.updateTicket.run(status, startedAt, bumpedAt, id);
  }

  /** A ticket's lines changed (fired, struck): kept where the ticket has its own copy. */
  setTicketLines(id: string, lines: readonly OrderLine[]): void {
    this.updateTicketLines.run(JSON.stringify(lines), id);
  }

  /** A held ticket goes to the kitchen: open, timed from now. */
  fireTicket(id: string, at: string): void {
    this.fireTicketRow.run(at, id);
  }

  /** The digest and answer stored under a check command's id, or null when the id is new. */
  command(id: string): { fingerprint: string; result: string } | null {
    return (this.selectCommand.get(id) as { fingerprint: string; result: string } | undefined) ?? null;
  }

  recordCommand(c: {
    id: string;
    orderId: string;
    kind: string;
    fingerprint: string;
    result: unknown;
    at: string;
  }): void {
    this.insertCommand.run(c.id, c.orderId, c.kind, c.fingerprint, JSON.stringify(c.result), c.at);
  }

  private columns(o: CheckRow) {
    return {
      id: o.id,
      status: o.status,
      version: o.version,
      orderType: o.orderType,
      tableId: o.tableId,
      guests: o.guests,
      currency: o.currency,
      menuVersion: o.menuVersion,
      lines: JSON.stringify(o.lines),
      discountsApplied: JSON.stringify(o.discountsApplied),
      taxes: JSON.stringify(o.taxes),
      fixedTaxes: o.fixedTaxes ? JSON.stringify(o.fixedTaxes) : null,
      gross: o.gross,
      voids: o.voids,
      comps: o.comps,
      discounts: o.discounts,
      subtotal: o.subtotal,
      tax: o.tax,
      total: o.total,
      note: o.note,
      tableLabel: o.tableLabel,
      voidReason: o.voidReason,
      takenAt: o.takenAt,
      deviceId: o.deviceId,
      serverId: o.server?.staffId ?? null,
      serverName: o.server?.name ?? null,
      createdAt: o.createdAt,
      updatedAt: o.updatedAt,
    };
  }

  private ticketsOfRow(row: OrderRow, lines: readonly OrderLine[]): Ticket[] {
    const head = orderHead(row);
    return (this.selectTicketsOfOrder.all(row.id) as TicketRow[]).map((t) =>
      ticketOf(ticketFields(t, lines), head),
    );
  }

  private hydrate(row: OrderRow, withTickets = true): Order {
    const lines = JSON.parse(row.lines) as OrderLine[];
    const tickets = withTickets ? this.ticketsOfRow(row, lines) : [];
    return {
      id: row.id,
      number: row.number,
      status: row.status,
      version: row.version,
      orderType: row.order_type,
      tableId: row.table_id,
      guests: row.guests,
      currency: row.currency,
      menuVersion: row.menu_version,
      lines,
      discountsApplied: JSON.parse(row.discounts_applied),
      taxes: JSON.parse(row.taxes),
      gross: row.gross,
      voids: row.voids,
      comps: row.comps,
      discounts: row.discounts,
      subtotal: row.subtotal,
      tax: row.tax,
      total: row.total,
      note: row.note,
      tableLabel: row.table_label,
      voidReason: row.void_reason,
      takenAt: row.taken_at,
      tickets,
      deviceId: row.device_id,
      server: serverOf(row),
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }
}

function summary(r: OrderRow & { paid: number }): CheckSummary {
  const due = Math.max(0, r.total - r.paid);
  return {
    id: r.id,
    number: r.number,
    status: r.status,
    version: r.version,
    orderType: r.order_type,
    tableId: r.table_id,
    tableLabel: r.table_label,
    guests: r.guests,
    currency: r.currency,
    total: r.total,
    paid: r.paid,
    due,
    pay: r.paid >= r.total ? 'paid' : r.paid > 0 ? 'partly_paid' : 'unpaid',
    lineCount: (JSON.parse(r.lines) as OrderLine[]).filter((l) => !l.void).length,
    deviceId: r.device_id,
    server: serverOf(r),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function serverOf(r: OrderRow): StaffRef | null {
  return r.server_id === null ? null : { staffId: r.server_id, name: r.server_name ?? '' };
}

/** A page cursor: the last row's (created_at, id), opaque to clients. */
function encodeCursor(at: string, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url');
}

function decodeCursor(cursor: string | undefined): [string | null, string | null] {
  if (!cursor) return [null, null];
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as unknown[];
    if (typeof at === 'string' && typeof id === 'string') return [at, id];
  } catch {
    // fall through: a cursor we did not make
  }
  throw new HubError(
    'VALIDATION_FAILED',
    'Invalid query: cursor is not one this hub gave; start from the first page.',
    [{ field: 'cursor', message: 'is not a cursor from this list' }],
  );
}
