import type { Statement } from 'better-sqlite3';
import type { Order, OrderLine, OrderStatus, Ticket, TicketStatus } from '../../protocol/orders.ts';
import type { Db } from './db.ts';

interface OrderRow {
  id: string;
  number: number;
  business_date: string;
  status: OrderStatus;
  fingerprint: string;
  currency: string;
  menu_version: number;
  lines: string;
  taxes: string;
  subtotal: number;
  tax: number;
  total: number;
  note: string | null;
  table_label: string | null;
  void_reason: string | null;
  device_id: string | null;
  created_at: string;
  updated_at: string;
}

interface TicketRow {
  id: string;
  order_id: string;
  station_id: string;
  status: TicketStatus;
  line_nos: string;
  created_at: string;
  started_at: string | null;
  bumped_at: string | null;
}

export interface NewOrderRow {
  order: Omit<Order, 'tickets'>;
  fingerprint: string;
  businessDate: string;
}

export interface NewTicketRow {
  id: string;
  orderId: string;
  stationId: string;
  lineNos: number[];
  createdAt: string;
}

/** What a ticket is, before the order's number, table and lines are put on it. */
export interface TicketFields {
  id: string;
  orderId: string;
  stationId: string;
  status: TicketStatus;
  lineNos: readonly number[];
  createdAt: string;
  startedAt: string | null;
  bumpedAt: string | null;
}

/** The one way a ticket is built: from its fields and its order (just made, or read back). */
export function ticketOf(
  t: TicketFields,
  order: { number: number; tableLabel: string | null; note: string | null },
  lines: readonly OrderLine[],
): Ticket {
  const nos = new Set(t.lineNos);
  return {
    id: t.id,
    orderId: t.orderId,
    orderNumber: order.number,
    stationId: t.stationId,
    status: t.status,
    tableLabel: order.tableLabel,
    orderNote: order.note,
    lines: lines.filter((l) => nos.has(l.lineNo)),
    createdAt: t.createdAt,
    startedAt: t.startedAt,
    bumpedAt: t.bumpedAt,
  };
}

const ticketFields = (r: TicketRow): TicketFields => ({
  id: r.id,
  orderId: r.order_id,
  stationId: r.station_id,
  status: r.status,
  lineNos: JSON.parse(r.line_nos) as number[],
  createdAt: r.created_at,
  startedAt: r.started_at,
  bumpedAt: r.bumped_at,
});

const orderHead = (o: OrderRow) => ({ number: o.number, tableLabel: o.table_label, note: o.note });

export class OrderStore {
  private readonly insertOrder: Statement;
  private readonly selectOrder: Statement;
  private readonly selectFingerprint: Statement;
  private readonly updateStatus: Statement;
  private readonly selectRecent: Statement;
  private readonly selectRecentByStatus: Statement;
  private readonly selectActive: Statement;
  private readonly insertTicket: Statement;
  private readonly selectTicket: Statement;
  private readonly selectTicketsOfOrder: Statement;
  /** Tickets by filter: open (the default) or in one state, at one station or all. */
  readonly selectTickets: Record<'open' | 'openAt' | 'inState' | 'inStateAt', Statement>;
  private readonly updateTicket: Statement;
  private readonly bumpCounter: Statement;

  constructor(db: Db) {
    this.insertOrder = db.prepare(
      `INSERT INTO orders (id, number, business_date, status, fingerprint, currency, menu_version, lines, taxes,
         subtotal, tax, total, note, table_label, void_reason, device_id, created_at, updated_at)
       VALUES (@id, @number, @businessDate, @status, @fingerprint, @currency, @menuVersion, @lines, @taxes,
         @subtotal, @tax, @total, @note, @tableLabel, @voidReason, @deviceId, @createdAt, @updatedAt)`,
    );
    this.selectOrder = db.prepare('SELECT * FROM orders WHERE id = ?');
    this.selectFingerprint = db.prepare('SELECT fingerprint FROM orders WHERE id = ?');
    this.updateStatus = db.prepare(
      'UPDATE orders SET status = ?, void_reason = COALESCE(?, void_reason), updated_at = ? WHERE id = ?',
    );
    this.selectRecent = db.prepare('SELECT * FROM orders ORDER BY created_at DESC, id DESC LIMIT ?');
    this.selectRecentByStatus = db.prepare(
      'SELECT * FROM orders WHERE status = ? ORDER BY created_at DESC, id DESC LIMIT ?',
    );
    this.selectActive = db.prepare(
      "SELECT * FROM orders WHERE status NOT IN ('completed', 'voided') ORDER BY created_at, id LIMIT ?",
    );
    this.insertTicket = db.prepare(
      `INSERT INTO tickets (id, order_id, station_id, status, line_nos, created_at)
       VALUES (?, ?, ?, 'open', ?, ?)`,
    );
    this.selectTicket = db.prepare('SELECT * FROM tickets WHERE id = ?');
    this.selectTicketsOfOrder = db.prepare('SELECT * FROM tickets WHERE order_id = ? ORDER BY station_id');
    // One statement per filter, each with its own index (SELECT … WHERE (@x IS NULL OR …) made
    // SQLite scan and sort every ticket ever made): see hub/store/store.test.ts for the plans.
    const open = "status IN ('open', 'started')";
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
    this.bumpCounter = db.prepare(
      `INSERT INTO counters (name, value) VALUES (?, 1)
       ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`,
    );
  }

  /** Next value of a named counter; inside the caller's transaction, so numbers never repeat. */
  nextNumber(counter: string): number {
    return (this.bumpCounter.get(counter) as { value: number }).value;
  }

  fingerprintOf(id: string): string | null {
    return (this.selectFingerprint.get(id) as { fingerprint: string } | undefined)?.fingerprint ?? null;
  }

  insert({ order, fingerprint, businessDate }: NewOrderRow): void {
    this.insertOrder.run({
      ...order,
      businessDate,
      fingerprint,
      lines: JSON.stringify(order.lines),
      taxes: JSON.stringify(order.taxes),
    });
  }

  insertTickets(tickets: NewTicketRow[]): void {
    for (const t of tickets)
      this.insertTicket.run(t.id, t.orderId, t.stationId, JSON.stringify(t.lineNos), t.createdAt);
  }

  get(id: string): Order | null {
    const row = this.selectOrder.get(id) as OrderRow | undefined;
    return row ? this.hydrate(row) : null;
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

  ticket(id: string): Ticket | null {
    const row = this.selectTicket.get(id) as TicketRow | undefined;
    if (!row) return null;
    const order = this.selectOrder.get(row.order_id) as OrderRow;
    return ticketOf(ticketFields(row), orderHead(order), JSON.parse(order.lines));
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
    const orders = new Map<string, OrderRow & { parsedLines: OrderLine[] }>();
    return rows.map((row) => {
      let order = orders.get(row.order_id);
      if (!order) {
        const o = this.selectOrder.get(row.order_id) as OrderRow;
        order = { ...o, parsedLines: JSON.parse(o.lines) };
        orders.set(row.order_id, order);
      }
      return ticketOf(ticketFields(row), orderHead(order), order.parsedLines);
    });
  }

  setTicket(id: string, status: TicketStatus, startedAt: string | null, bumpedAt: string | null): void {
    this.updateTicket.run(status, startedAt, bumpedAt, id);
  }

  private hydrate(row: OrderRow): Order {
    const lines = JSON.parse(row.lines) as OrderLine[];
    const tickets = (this.selectTicketsOfOrder.all(row.id) as TicketRow[]).map((t) =>
      ticketOf(ticketFields(t), orderHead(row), lines),
    );
    return {
      id: row.id,
      number: row.number,
      status: row.status,
      currency: row.currency,
      menuVersion: row.menu_version,
      lines,
      taxes: JSON.parse(row.taxes),
      subtotal: row.subtotal,
      tax: row.tax,
      total: row.total,
      note: row.note,
      tableLabel: row.table_label,
      voidReason: row.void_reason,
      tickets,
      deviceId: row.device_id,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }
}
