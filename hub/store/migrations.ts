/**
 * The hub's schema, as ordered migrations (one list, long by nature: it only ever grows). `PRAGMA user_version` records the last one applied;
 * a database from newer code is refused rather than guessed at. Append only: never edit a
 * migration that has shipped, add the next one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'event log, menu, orders, tickets, devices',
    sql: `
      CREATE TABLE hub_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;

      -- Invariant 3: every state change appends here in the same transaction.
      -- AUTOINCREMENT so a seq is never reused, even after old events are pruned.
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        type TEXT NOT NULL,
        topic TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        at TEXT NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
      CREATE INDEX events_entity ON events (entity_id, seq);

      -- Menu snapshots as HQ publishes them (HQ is their only writer).
      CREATE TABLE menu_versions (
        version INTEGER PRIMARY KEY,
        body TEXT NOT NULL,
        applied_at TEXT NOT NULL
      ) STRICT;

      -- 86 flags: the hub is their only writer, so they live apart from the snapshot.
      CREATE TABLE item_availability (
        item_id TEXT PRIMARY KEY,
        available INTEGER NOT NULL CHECK (available IN (0, 1)),
        updated_at TEXT NOT NULL
      ) STRICT;

      CREATE TABLE orders (
        id TEXT PRIMARY KEY,
        number INTEGER NOT NULL,
        business_date TEXT NOT NULL,
        status TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        currency TEXT NOT NULL,
        menu_version INTEGER NOT NULL,
        lines TEXT NOT NULL,
        taxes TEXT NOT NULL,
        subtotal INTEGER NOT NULL,
        tax INTEGER NOT NULL,
        total INTEGER NOT NULL,
        note TEXT,
        table_label TEXT,
        void_reason TEXT,
        device_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX orders_recent ON orders (created_at DESC);
      CREATE INDEX orders_status ON orders (status, created_at);

      CREATE TABLE tickets (
        id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL REFERENCES orders (id),
        station_id TEXT NOT NULL,
        status TEXT NOT NULL,
        line_nos TEXT NOT NULL,
        created_at TEXT NOT NULL,
        started_at TEXT,
        bumped_at TEXT
      ) STRICT;
      CREATE INDEX tickets_order ON tickets (order_id);
      CREATE INDEX tickets_station ON tickets (station_id, status, created_at);

      CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL) STRICT;

      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('pos', 'kds', 'manager')),
        token_hash BLOB NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        last_seen_at TEXT,
        revoked_at TEXT
      ) STRICT;

      CREATE TABLE pairings (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('pos', 'kds', 'manager')),
        code TEXT NOT NULL,
        secret_hash BLOB NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        approved_at TEXT,
        approved_by TEXT,
        claimed_at TEXT,
        device_id TEXT
      ) STRICT;
      CREATE INDEX pairings_code ON pairings (code, expires_at);

      -- Invariant 6: the cloud sync cursor (the sync engine advances it on the cloud's ack).
      CREATE TABLE sync_cursor (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        synced_seq INTEGER NOT NULL,
        last_success_at TEXT
      ) STRICT;
      INSERT INTO sync_cursor (id, synced_seq) VALUES (1, 0);
    `,
  },
  {
    version: 2,
    name: 'sync quarantine',
    sql: `
      -- Events the cloud refused as bad data (a 4xx for that one event). They are replaced on the
      -- wire by a 'sync.quarantined' tombstone so the cloud's seq stays contiguous, and kept here,
      -- whole, with the reason, for an operator to inspect; they are never silently dropped.
      CREATE TABLE sync_quarantine (
        seq INTEGER PRIMARY KEY REFERENCES events (seq),
        type TEXT NOT NULL,
        reason TEXT NOT NULL,
        quarantined_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'menu search: full-text index and item embeddings',
    sql: `
      -- Derived from the applied menu; rebuilt whenever a new menu version is applied.
      CREATE VIRTUAL TABLE menu_fts USING fts5 (
        item_id UNINDEXED, name, description, category, extras,
        tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
      );

      -- One vector per item and model; content_hash says which text it was computed from, so
      -- only items whose text changed are embedded again.
      CREATE TABLE item_embeddings (
        item_id TEXT NOT NULL,
        model_id TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        dimension INTEGER NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (item_id, model_id)
      ) STRICT;
    `,
  },
  {
    version: 4,
    name: 'rate limits, lockouts and staff',
    sql: `
      -- Sliding-window counters (flushed from memory every second and at shutdown), and
      -- lockouts (written at once): both outlive a restart, so a restart is no reset.
      CREATE TABLE rate_windows (
        key TEXT PRIMARY KEY,
        window_start INTEGER NOT NULL,
        count INTEGER NOT NULL,
        prev_count INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE lockouts (
        key TEXT PRIMARY KEY,
        failures INTEGER NOT NULL,
        locked_until INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE staff (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('cashier', 'manager')),
        pin_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        disabled_at TEXT
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'payments and refunds',
    sql: `
      CREATE TABLE payments (
        id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL REFERENCES orders (id),
        method TEXT NOT NULL,
        status TEXT NOT NULL,
        amount INTEGER NOT NULL,
        tip INTEGER NOT NULL,
        tendered INTEGER,
        change_due INTEGER NOT NULL,
        refunded INTEGER NOT NULL DEFAULT 0,
        pending_forward INTEGER NOT NULL DEFAULT 0,
        manager_override INTEGER NOT NULL DEFAULT 0,
        stripe_payment_intent TEXT,
        reader_id TEXT,
        card TEXT,
        last_error TEXT,
        fingerprint TEXT NOT NULL,
        device_id TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX payments_order ON payments (order_id);
      CREATE INDEX payments_unsettled ON payments (status) WHERE status IN ('pending', 'authorised');

      CREATE TABLE refunds (
        id TEXT PRIMARY KEY,
        payment_id TEXT NOT NULL REFERENCES payments (id),
        amount INTEGER NOT NULL,
        reason TEXT NOT NULL,
        stripe_refund TEXT,
        created_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 6,
    name: 'pairing role chosen by the approver',
    sql: `
      -- A tablet says which role it wants; the manager who approves it decides which it gets.
      ALTER TABLE pairings ADD COLUMN approved_role TEXT CHECK (approved_role IN ('pos', 'kds', 'manager'));
    `,
  },
  {
    version: 7,
    name: 'asynchronous card attempts; standalone-terminal cards',
    sql: `
      -- A card payment on the reader is a series of attempts the hub drives in the background.
      ALTER TABLE payments ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE payments ADD COLUMN stage TEXT;
      ALTER TABLE payments ADD COLUMN deadline_at TEXT;
      ALTER TABLE payments ADD COLUMN failure TEXT; -- JSON { code, message }
      -- Reconciliation backs off per payment: when to look at Stripe next, and how often it has.
      ALTER TABLE payments ADD COLUMN check_at TEXT;
      ALTER TABLE payments ADD COLUMN checks INTEGER NOT NULL DEFAULT 0;
      UPDATE payments SET attempt = 1 WHERE method = 'card_present';
      UPDATE payments SET failure = json_object('code', 'earlier_note', 'message', last_error)
        WHERE last_error IS NOT NULL;
      -- Offline "forwarded" cards were never authorised: they are standalone cards to verify.
      UPDATE payments SET method = 'card_standalone',
        status = CASE WHEN status = 'authorised' THEN 'unverified' ELSE status END
        WHERE method = 'card_offline_forwarded';
      UPDATE payments SET status = 'pending', stage = 'checking', check_at = updated_at
        WHERE status = 'authorised';
      UPDATE payments SET stage = 'checking', check_at = updated_at
        WHERE status = 'pending' AND method = 'card_present';
      DROP INDEX payments_unsettled;
      ALTER TABLE payments DROP COLUMN last_error;
      ALTER TABLE payments DROP COLUMN pending_forward;
      CREATE INDEX payments_unsettled ON payments (status) WHERE status IN ('pending', 'unverified');
    `,
  },
  {
    version: 8,
    name: 'network printers and their queue',
    sql: `
      CREATE TABLE printers (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        host TEXT NOT NULL,
        port INTEGER NOT NULL,
        paper_width INTEGER NOT NULL,
        codepage TEXT NOT NULL,
        cutter INTEGER NOT NULL,
        cash_drawer INTEGER NOT NULL,
        confirm TEXT NOT NULL,
        removed_at TEXT,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE station_printing (
        station_id TEXT PRIMARY KEY,
        mode TEXT NOT NULL CHECK (mode IN ('always', 'when_kds_offline', 'never')),
        printer_id TEXT REFERENCES printers (id),
        backup_printer_id TEXT REFERENCES printers (id)
      ) STRICT;
      CREATE TABLE till_printers (
        device_id TEXT PRIMARY KEY REFERENCES devices (id),
        printer_id TEXT NOT NULL REFERENCES printers (id)
      ) STRICT;
      -- Written in the transaction of the event that causes it (a ticket, a void, a cash payment),
      -- so a crash neither loses nor doubles a job; sent in order per printer.
      CREATE TABLE print_jobs (
        id TEXT PRIMARY KEY,
        printer_id TEXT NOT NULL REFERENCES printers (id),
        kind TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'printed', 'cancelled')),
        title TEXT NOT NULL,
        doc TEXT NOT NULL,
        order_id TEXT,
        ticket_id TEXT,
        station_id TEXT,
        backup_from TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT,
        last_error TEXT,
        created_at TEXT NOT NULL,
        printed_at TEXT
      ) STRICT;
      CREATE INDEX print_jobs_queue ON print_jobs (printer_id, created_at) WHERE state = 'queued';
      CREATE INDEX print_jobs_recent ON print_jobs (created_at);
      CREATE INDEX print_jobs_ticket ON print_jobs (ticket_id) WHERE ticket_id IS NOT NULL;
    `,
  },
  {
    version: 9,
    name: 'open tickets without a full scan',
    sql: `
      -- The kitchen's open tickets, oldest first, for a KDS that reconnects after a long absence
      -- (its snapshot) and GET /api/v1/tickets with no station: these scanned and sorted every
      -- ticket ever made, so the event loop stalled for longer as the table grew (380 ms at
      -- 200,000 tickets; found by the stall trace, npm run bench -- --only stalls).
      CREATE INDEX tickets_open ON tickets (created_at, id) WHERE status IN ('open', 'started');
      -- Tickets in one state across stations (a manager's list of bumped ones), oldest first.
      CREATE INDEX tickets_status ON tickets (status, created_at);
    `,
  },
  {
    version: 10,
    name: 'checks through the meal: rounds, courses, voids, comps, discounts, tables',
    sql: `
      ALTER TABLE orders ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE orders ADD COLUMN order_type TEXT NOT NULL DEFAULT 'dine_in';
      ALTER TABLE orders ADD COLUMN table_id TEXT;
      ALTER TABLE orders ADD COLUMN guests INTEGER;
      ALTER TABLE orders ADD COLUMN discounts_applied TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE orders ADD COLUMN gross INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE orders ADD COLUMN voids INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE orders ADD COLUMN comps INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE orders ADD COLUMN discounts INTEGER NOT NULL DEFAULT 0;
      -- The tax a split gave this check (JSON tax lines), kept until the check changes again.
      ALTER TABLE orders ADD COLUMN fixed_taxes TEXT;
      -- When the cashier sent it, if it waited in a till's queue first.
      ALTER TABLE orders ADD COLUMN taken_at TEXT;
      UPDATE orders SET gross = subtotal;
      -- Lines gain a stable id, a round, a seat, a course and their kitchen state. An id for an
      -- existing line is made from its order's id and its number: unique on its check.
      UPDATE orders SET lines = (
        SELECT json_group_array(json_set(l.value,
          '$.id', substr(orders.id, 1, 33) || printf('%03x', l.value ->> 'lineNo'),
          '$.round', 1, '$.seat', NULL, '$.course', NULL,
          '$.kitchen', CASE orders.status WHEN 'open' THEN 'unsent' ELSE 'fired' END,
          '$.ticketId', (SELECT t.id FROM tickets t, json_each(t.line_nos) n
                          WHERE t.order_id = orders.id AND n.value = l.value ->> 'lineNo'),
          '$.discount', 0, '$.void', NULL, '$.comp', NULL, '$.share', NULL))
        FROM json_each(orders.lines) l);
      CREATE INDEX orders_table ON orders (table_id, created_at) WHERE table_id IS NOT NULL;
      -- A table whose bill was printed shows as presented on the floor plan.
      CREATE INDEX print_jobs_bill ON print_jobs (order_id) WHERE kind = 'bill';

      -- A ticket names its lines by id (lineNo changes when a check is split); once lines leave its
      -- check (a split, a merge, a transfer) it keeps them as the kitchen got them, in lines.
      ALTER TABLE tickets ADD COLUMN line_ids TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE tickets ADD COLUMN lines TEXT;
      ALTER TABLE tickets ADD COLUMN round INTEGER NOT NULL DEFAULT 1;
      ALTER TABLE tickets ADD COLUMN course TEXT;
      ALTER TABLE tickets ADD COLUMN fired_at TEXT;
      UPDATE tickets SET fired_at = created_at, line_ids = (
        SELECT json_group_array(l.value ->> 'id') FROM orders o, json_each(o.lines) l
        WHERE o.id = tickets.order_id
          AND l.value ->> 'lineNo' IN (SELECT value FROM json_each(tickets.line_nos)));
      -- Held tickets are on the kitchen's screens too (greyed, as "next").
      DROP INDEX tickets_open;
      CREATE INDEX tickets_open ON tickets (created_at, id) WHERE status IN ('held', 'open', 'started');

      -- Invariant 2 for commands on an existing check: the digest of what was asked under a
      -- command id, and where its answer is (the seqs of the events that carry the checks it
      -- changed), so a replay answers the same.
      CREATE TABLE check_commands (
        id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        result TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;

      -- A manager's configuration: floor plan, discount list, service settings (JSON documents).
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        updated_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 11,
    name: 'staff, roles and permissions, sign-in, the audit trail, time clock, drawers and day close',
    sql: `
      -- Roles a manager edits; permissions are a JSON array (protocol/staff.ts).
      CREATE TABLE roles (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        permissions TEXT NOT NULL,
        position INTEGER NOT NULL
      ) STRICT;
      INSERT INTO roles (id, name, permissions, position) VALUES
        ('server', 'Server', '["void.unsent","discount:staff-meal","discount:ten-percent"]', 1),
        ('bartender', 'Bartender', '["void.unsent","drawer.open","discount:staff-meal","discount:ten-percent"]', 2),
        ('cashier', 'Cashier', '["void.unsent","drawer.open","discount:staff-meal","discount:ten-percent"]', 3),
        ('manager', 'Manager', '["void.unsent","void.fired","comp","refund","check.reopen","check.transfer","drawer.open","punch.edit","day.close","discount:*"]', 4),
        ('owner', 'Owner', '["void.unsent","void.fired","comp","refund","check.reopen","check.transfer","drawer.open","punch.edit","day.close","discount:*"]', 5);

      -- A discount a manager made open to all (managerOnly false) stays open to the till roles;
      -- who may apply a discount now lives on the roles, not on the discount.
      UPDATE roles SET permissions = (
        SELECT json_group_array(p) FROM (
          SELECT value AS p FROM json_each(roles.permissions)
          UNION
          SELECT 'discount:' || json_extract(d.value, '$.id')
          FROM settings s, json_each(s.value, '$.discounts') d
          WHERE s.key = 'discounts' AND NOT coalesce(json_extract(d.value, '$.managerOnly'), 0)
        )
      ) WHERE id IN ('server', 'bartender', 'cashier');
      UPDATE settings SET value = (
        SELECT json_object('discounts', json_group_array(json(json_remove(d.value, '$.managerOnly'))))
        FROM json_each(settings.value, '$.discounts') d
      ) WHERE key = 'discounts';

      -- Staff get a role from the table above (cashier and manager keep theirs).
      CREATE TABLE staff_new (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        role_id TEXT NOT NULL REFERENCES roles (id),
        pin_hash TEXT NOT NULL,
        created_at TEXT NOT NULL,
        disabled_at TEXT,
        -- Minor units per hour, for labour cost; null when not set.
        wage INTEGER
      ) STRICT;
      INSERT INTO staff_new SELECT id, name, role, pin_hash, created_at, disabled_at, NULL FROM staff;
      DROP TABLE staff;
      ALTER TABLE staff_new RENAME TO staff;

      -- A staff member signed in on one device; the token is kept as its SHA-256 only.
      CREATE TABLE staff_sessions (
        token_hash TEXT PRIMARY KEY,
        staff_id TEXT NOT NULL REFERENCES staff (id),
        device_id TEXT NOT NULL,
        signed_in_at TEXT NOT NULL,
        signed_out_at TEXT
      ) STRICT;

      -- Every sensitive action, filterable; each row also goes out as an audit.recorded event.
      CREATE TABLE audit (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        action TEXT NOT NULL,
        staff_id TEXT,
        staff_name TEXT,
        approver_id TEXT,
        approver_name TEXT,
        device_id TEXT,
        order_id TEXT,
        reason TEXT,
        detail TEXT NOT NULL,
        amount INTEGER
      ) STRICT;
      CREATE INDEX audit_by_action ON audit (action, seq);
      CREATE INDEX audit_by_staff ON audit (staff_id, seq);

      -- The server a check belongs to (the staff member who opened it, or got it moved to them).
      ALTER TABLE orders ADD COLUMN server_id TEXT;
      ALTER TABLE orders ADD COLUMN server_name TEXT;
      CREATE INDEX orders_by_server ON orders (server_id, created_at) WHERE server_id IS NOT NULL;
      CREATE INDEX orders_by_business_date ON orders (business_date);

      -- Who took a payment, and the cash drawer it went into (cash only).
      ALTER TABLE payments ADD COLUMN taken_by_id TEXT;
      ALTER TABLE payments ADD COLUMN taken_by_name TEXT;
      ALTER TABLE payments ADD COLUMN drawer_id TEXT;
      ALTER TABLE refunds ADD COLUMN drawer_id TEXT;

      -- One shift of one person; breaks are a JSON array.
      CREATE TABLE punches (
        id TEXT PRIMARY KEY,
        staff_id TEXT NOT NULL REFERENCES staff (id),
        staff_name TEXT NOT NULL,
        job TEXT NOT NULL,
        business_date TEXT NOT NULL,
        in_at TEXT NOT NULL,
        out_at TEXT,
        breaks TEXT NOT NULL,
        edited TEXT
      ) STRICT;
      CREATE INDEX punches_by_date ON punches (business_date);
      CREATE INDEX punches_open ON punches (staff_id) WHERE out_at IS NULL;

      -- A cash drawer session (a till's, or a server's bank) with its moves as JSON.
      CREATE TABLE drawers (
        id TEXT PRIMARY KEY,
        device_id TEXT,
        owner_id TEXT,
        business_date TEXT NOT NULL,
        data TEXT NOT NULL,
        closed_at TEXT
      ) STRICT;
      CREATE INDEX drawers_open ON drawers (device_id, owner_id) WHERE closed_at IS NULL;
      CREATE INDEX drawers_by_date ON drawers (business_date);

      CREATE TABLE checkouts (
        staff_id TEXT NOT NULL,
        business_date TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (staff_id, business_date)
      ) STRICT;

      -- Z reports: numbered, and never changed once written.
      CREATE TABLE z_reports (
        number INTEGER PRIMARY KEY,
        business_date TEXT NOT NULL UNIQUE,
        closed_at TEXT NOT NULL,
        data TEXT NOT NULL
      ) STRICT;
      CREATE TRIGGER z_reports_frozen BEFORE UPDATE ON z_reports
        BEGIN SELECT RAISE(ABORT, 'a Z report is never changed'); END;
      CREATE TRIGGER z_reports_kept BEFORE DELETE ON z_reports
        BEGIN SELECT RAISE(ABORT, 'a Z report is never deleted'); END;

      -- Answers of day commands (clock, drawer, checkout, close) by their client ids.
      CREATE TABLE day_commands (
        id TEXT PRIMARY KEY,
        fingerprint TEXT NOT NULL,
        result TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 12,
    name: 'a standby hub: the replication log and the replica position',
    sql: `
      -- A standby hub (store/replication.ts): row changes to ship, written by triggers only while
      -- a standby is paired; AUTOINCREMENT so an id is never reused after the log is trimmed.
      CREATE TABLE replication_log (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        tbl TEXT NOT NULL,
        op TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
        rid INTEGER NOT NULL,
        row TEXT
      ) STRICT;
      -- On a standby: which primary's log it follows and how far it has applied it.
      CREATE TABLE replica_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `,
  },
];

export const latestSchemaVersion = migrations.at(-1)!.version;
