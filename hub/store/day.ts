import type { Statement } from 'better-sqlite3';
import type { Checkout, Drawer, Punch, ZReport } from '../../protocol/day.ts';
import type { Db } from './db.ts';

interface PunchRow {
  id: string;
  staff_id: string;
  staff_name: string;
  job: string;
  business_date: string;
  in_at: string;
  out_at: string | null;
  breaks: string;
  edited: string | null;
}

const toPunch = (r: PunchRow): Punch => ({
  id: r.id,
  staff: { staffId: r.staff_id, name: r.staff_name },
  job: r.job,
  inAt: r.in_at,
  outAt: r.out_at,
  breaks: JSON.parse(r.breaks),
  edited: r.edited ? JSON.parse(r.edited) : null,
});

/** The time clock, cash drawers, checkouts and Z reports (hub/day). */
export class DayStore {
  private readonly upsertPunch: Statement;
  private readonly punchById: Statement;
  private readonly punchDateOf: Statement;
  private readonly openPunchOf: Statement;
  private readonly punchesOn: Statement;
  private readonly upsertDrawer: Statement;
  private readonly drawerById: Statement;
  private readonly openDrawerOfDevice: Statement;
  private readonly openDrawerOfOwner: Statement;
  private readonly drawersOn: Statement;
  private readonly upsertCheckout: Statement;
  private readonly checkoutsOn: Statement;
  private readonly insertZ: Statement;
  private readonly zByNumber: Statement;
  private readonly zList: Statement;
  private readonly lastZRow: Statement;
  private readonly selectCommand: Statement;
  private readonly insertCommand: Statement;
  private readonly carryOver: Statement;

  constructor(db: Db) {
    this.upsertPunch = db.prepare(
      `INSERT INTO punches (id, staff_id, staff_name, job, business_date, in_at, out_at, breaks, edited)
       VALUES (@id, @staffId, @staffName, @job, @businessDate, @inAt, @outAt, @breaks, @edited)
       ON CONFLICT (id) DO UPDATE SET in_at = excluded.in_at, out_at = excluded.out_at,
         breaks = excluded.breaks, edited = excluded.edited`,
    );
    this.punchById = db.prepare('SELECT * FROM punches WHERE id = ?');
    this.punchDateOf = db.prepare('SELECT business_date FROM punches WHERE id = ?').pluck();
    this.openPunchOf = db.prepare('SELECT * FROM punches WHERE staff_id = ? AND out_at IS NULL');
    this.punchesOn = db.prepare('SELECT * FROM punches WHERE business_date = ? ORDER BY in_at, id');
    this.upsertDrawer = db.prepare(
      `INSERT INTO drawers (id, device_id, owner_id, business_date, data, closed_at)
       VALUES (@id, @deviceId, @ownerId, @businessDate, @data, @closedAt)
       ON CONFLICT (id) DO UPDATE SET data = excluded.data, closed_at = excluded.closed_at`,
    );
    this.drawerById = db.prepare('SELECT data FROM drawers WHERE id = ?').pluck();
    this.openDrawerOfDevice = db
      .prepare('SELECT data FROM drawers WHERE device_id = ? AND owner_id IS NULL AND closed_at IS NULL')
      .pluck();
    this.openDrawerOfOwner = db
      .prepare('SELECT data FROM drawers WHERE owner_id = ? AND closed_at IS NULL')
      .pluck();
    this.drawersOn = db.prepare('SELECT data FROM drawers WHERE business_date = ? ORDER BY rowid').pluck();
    this.upsertCheckout = db.prepare(
      `INSERT INTO checkouts (staff_id, business_date, data) VALUES (?, ?, ?)
       ON CONFLICT (staff_id, business_date) DO UPDATE SET data = excluded.data`,
    );
    this.checkoutsOn = db.prepare('SELECT data FROM checkouts WHERE business_date = ?').pluck();
    this.insertZ = db.prepare(
      'INSERT INTO z_reports (number, business_date, closed_at, data) VALUES (?, ?, ?, ?)',
    );
    this.zByNumber = db.prepare('SELECT data FROM z_reports WHERE number = ?').pluck();
    this.zList = db.prepare('SELECT data FROM z_reports ORDER BY number DESC LIMIT ?').pluck();
    this.lastZRow = db.prepare(
      'SELECT number, business_date AS businessDate FROM z_reports ORDER BY number DESC LIMIT 1',
    );
    this.selectCommand = db.prepare('SELECT fingerprint, result FROM day_commands WHERE id = ?');
    this.insertCommand = db.prepare(
      'INSERT INTO day_commands (id, fingerprint, result, created_at) VALUES (?, ?, ?, ?)',
    );
    this.carryOver = db.prepare(
      `UPDATE orders SET business_date = ? WHERE business_date = ? AND status NOT IN ('completed', 'voided')`,
    );
  }

  savePunch(p: Punch, businessDate: string): void {
    this.upsertPunch.run({
      id: p.id,
      staffId: p.staff.staffId,
      staffName: p.staff.name,
      job: p.job,
      businessDate,
      inAt: p.inAt,
      outAt: p.outAt,
      breaks: JSON.stringify(p.breaks),
      edited: p.edited ? JSON.stringify(p.edited) : null,
    });
  }

  punch(id: string): Punch | null {
    const row = this.punchById.get(id) as PunchRow | undefined;
    return row ? toPunch(row) : null;
  }

  /** The business day a punch was clocked in on (it stays there, whatever happens after). */
  punchDate(id: string): string | null {
    return (this.punchDateOf.get(id) as string | undefined) ?? null;
  }

  openPunch(staffId: string): Punch | null {
    const row = this.openPunchOf.get(staffId) as PunchRow | undefined;
    return row ? toPunch(row) : null;
  }

  punches(businessDate: string): Punch[] {
    return (this.punchesOn.all(businessDate) as PunchRow[]).map(toPunch);
  }

  saveDrawer(d: Drawer): void {
    this.upsertDrawer.run({
      id: d.id,
      deviceId: d.owner ? null : d.deviceId,
      ownerId: d.owner?.staffId ?? null,
      businessDate: d.businessDate,
      data: JSON.stringify(d),
      closedAt: d.closedAt,
    });
  }

  drawer(id: string): Drawer | null {
    const data = this.drawerById.get(id) as string | undefined;
    return data ? JSON.parse(data) : null;
  }

  /** The drawer open in a till (till mode), or a server's open bank (server mode). */
  openDrawer(by: { deviceId: string } | { ownerId: string }): Drawer | null {
    const data = (
      'deviceId' in by ? this.openDrawerOfDevice.get(by.deviceId) : this.openDrawerOfOwner.get(by.ownerId)
    ) as string | undefined;
    return data ? JSON.parse(data) : null;
  }

  drawers(businessDate: string): Drawer[] {
    return (this.drawersOn.all(businessDate) as string[]).map((d) => JSON.parse(d));
  }

  saveCheckout(c: Checkout): void {
    this.upsertCheckout.run(c.staff.staffId, c.businessDate, JSON.stringify(c));
  }

  checkouts(businessDate: string): Checkout[] {
    return (this.checkoutsOn.all(businessDate) as string[]).map((c) => JSON.parse(c));
  }

  addZ(z: ZReport): void {
    this.insertZ.run(z.number, z.figures.businessDate, z.closedAt, JSON.stringify(z));
  }

  z(number: number): ZReport | null {
    const data = this.zByNumber.get(number) as string | undefined;
    return data ? JSON.parse(data) : null;
  }

  zReports(limit: number): ZReport[] {
    return (this.zList.all(limit) as string[]).map((z) => JSON.parse(z));
  }

  /** The newest Z: its number and the business day it closed. */
  lastZ(): { number: number; businessDate: string } | null {
    return (this.lastZRow.get() as { number: number; businessDate: string } | undefined) ?? null;
  }

  /** Open checks of a closed day move to the next (a forced close). */
  carryOverOpenChecks(from: string, to: string): number {
    return this.carryOver.run(to, from).changes;
  }

  command(id: string): { fingerprint: string; result: string } | null {
    return (this.selectCommand.get(id) as { fingerprint: string; result: string } | undefined) ?? null;
  }

  recordCommand(id: string, fingerprint: string, result: unknown, at: string): void {
    this.insertCommand.run(id, fingerprint, JSON.stringify(result), at);
  }
}
