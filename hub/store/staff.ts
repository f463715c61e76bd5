import type { Statement } from 'better-sqlite3';
import type { StaffRole } from '../../protocol/staff.ts';
import type { Db } from './db.ts';

export interface StaffRow {
  id: string;
  name: string;
  roleId: string;
  pinHash: string;
  createdAt: string;
  disabledAt: string | null;
  wage: number | null;
}

export interface SessionRow {
  staffId: string;
  deviceId: string;
  signedInAt: string;
  signedOutAt: string | null;
}

const staffColumns =
  'id, name, role_id AS roleId, pin_hash AS pinHash, created_at AS createdAt, disabled_at AS disabledAt, wage';

/** Staff members and their PIN hashes, their roles, and who is signed in where (hub/staff). */
export class StaffStore {
  private readonly insertStaff: Statement;
  private readonly updateStaff: Statement;
  private readonly staffById: Statement;
  private readonly allStaff: Statement;
  private readonly allRoles: Statement;
  private readonly deleteRoles: Statement;
  private readonly insertRole: Statement;
  private readonly insertSession: Statement;
  private readonly sessionByHash: Statement;
  private readonly endSession: Statement;

  constructor(db: Db) {
    this.insertStaff = db.prepare(
      'INSERT INTO staff (id, name, role_id, pin_hash, created_at, wage) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.updateStaff = db.prepare(
      'UPDATE staff SET name = ?, role_id = ?, pin_hash = ?, disabled_at = ?, wage = ? WHERE id = ?',
    );
    this.staffById = db.prepare(`SELECT ${staffColumns} FROM staff WHERE id = ?`);
    this.allStaff = db.prepare(`SELECT ${staffColumns} FROM staff ORDER BY name`);
    this.allRoles = db.prepare('SELECT id, name, permissions FROM roles ORDER BY position');
    this.deleteRoles = db.prepare('DELETE FROM roles WHERE id NOT IN (SELECT value FROM json_each(?))');
    this.insertRole = db.prepare(
      `INSERT INTO roles (id, name, permissions, position) VALUES (?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, permissions = excluded.permissions, position = excluded.position`,
    );
    this.insertSession = db.prepare(
      'INSERT INTO staff_sessions (token_hash, staff_id, device_id, signed_in_at) VALUES (?, ?, ?, ?)',
    );
    this.sessionByHash = db.prepare(
      `SELECT staff_id AS staffId, device_id AS deviceId, signed_in_at AS signedInAt, signed_out_at AS signedOutAt
       FROM staff_sessions WHERE token_hash = ?`,
    );
    this.endSession = db.prepare(
      'UPDATE staff_sessions SET signed_out_at = ? WHERE token_hash = ? AND signed_out_at IS NULL',
    );
  }

  add(row: Omit<StaffRow, 'disabledAt'>): void {
    this.insertStaff.run(row.id, row.name, row.roleId, row.pinHash, row.createdAt, row.wage);
  }

  update(row: StaffRow): void {
    this.updateStaff.run(row.name, row.roleId, row.pinHash, row.disabledAt, row.wage, row.id);
  }

  get(id: string): StaffRow | null {
    return (this.staffById.get(id) as StaffRow | undefined) ?? null;
  }

  list(): StaffRow[] {
    return this.allStaff.all() as StaffRow[];
  }

  roles(): StaffRole[] {
    return (this.allRoles.all() as { id: string; name: string; permissions: string }[]).map((r) => ({
      id: r.id,
      name: r.name,
      permissions: JSON.parse(r.permissions),
    }));
  }

  /** Replaces the whole list, in the order given (the caller checks no staff loses its role). */
  putRoles(roles: StaffRole[]): void {
    this.deleteRoles.run(JSON.stringify(roles.map((r) => r.id)));
    roles.forEach((r, i) => {
      this.insertRole.run(r.id, r.name, JSON.stringify(r.permissions), i + 1);
    });
  }

  addSession(tokenHash: string, staffId: string, deviceId: string, at: string): void {
    this.insertSession.run(tokenHash, staffId, deviceId, at);
  }

  session(tokenHash: string): SessionRow | null {
    return (this.sessionByHash.get(tokenHash) as SessionRow | undefined) ?? null;
  }

  endSessionOf(tokenHash: string, at: string): void {
    this.endSession.run(at, tokenHash);
  }
}
