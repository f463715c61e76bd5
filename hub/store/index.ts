import type { Statement } from 'better-sqlite3';
import { AuditStore } from './audit.ts';
import { DayStore } from './day.ts';
import { type Db, type OpenOptions, openDatabase, schemaVersion } from './db.ts';
import { DeviceStore } from './devices.ts';
import { EventLog } from './events.ts';
import { LimitsStore } from './limits.ts';
import { MenuStore } from './menu.ts';
import { OrderStore } from './orders.ts';
import { PaymentStore } from './payments.ts';
import { PrintStore } from './printing.ts';
import { SearchStore } from './search.ts';
import { SettingsStore } from './settings.ts';
import { StaffStore } from './staff.ts';
import { SyncStore } from './sync.ts';

/** Every SQL statement the hub runs lives under hub/store/, one repository per table group. */
export class Store {
  readonly events: EventLog;
  readonly menu: MenuStore;
  readonly orders: OrderStore;
  readonly devices: DeviceStore;
  readonly sync: SyncStore;
  readonly search: SearchStore;
  readonly limits: LimitsStore;
  readonly staff: StaffStore;
  readonly payments: PaymentStore;
  readonly printing: PrintStore;
  readonly settings: SettingsStore;
  readonly audit: AuditStore;
  readonly day: DayStore;
  private readonly getMeta: Statement;
  private readonly setMeta: Statement;
  private readonly dropMeta: Statement;

  constructor(
    readonly db: Db,
    readonly file: string,
  ) {
    this.events = new EventLog(db);
    this.menu = new MenuStore(db);
    this.orders = new OrderStore(db);
    this.devices = new DeviceStore(db);
    this.sync = new SyncStore(db, this.events);
    this.search = new SearchStore(db);
    this.limits = new LimitsStore(db);
    this.staff = new StaffStore(db);
    this.payments = new PaymentStore(db);
    this.printing = new PrintStore(db);
    this.settings = new SettingsStore(db);
    this.audit = new AuditStore(db);
    this.day = new DayStore(db);
    this.getMeta = db.prepare('SELECT value FROM hub_meta WHERE key = ?');
    this.dropMeta = db.prepare('DELETE FROM hub_meta WHERE key = ?');
    this.setMeta = db.prepare(
      'INSERT INTO hub_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
  }

  static open(file: string, options?: OpenOptions): Store {
    return new Store(openDatabase(file, options), file);
  }

  meta(key: string): string | null {
    return (this.getMeta.get(key) as { value: string } | undefined)?.value ?? null;
  }

  putMeta(key: string, value: string): void {
    this.setMeta.run(key, value);
  }

  deleteMeta(key: string): void {
    this.dropMeta.run(key);
  }

  schemaVersion(): number {
    return schemaVersion(this.db);
  }

  /** Does SQLite answer? (readiness) */
  ping(): void {
    this.db.prepare('SELECT 1').get();
  }

  /** A consistent online copy (SQLite's backup API) while the hub keeps writing. */
  backupTo(file: string): Promise<unknown> {
    return this.db.backup(file);
  }

  integrityCheck(): string {
    return this.db.pragma('integrity_check', { simple: true }) as string;
  }

  /** Fold the WAL back into the main file; done at graceful shutdown so the folder is one file. */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
