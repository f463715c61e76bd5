import type { Statement } from 'better-sqlite3';
import type { Db } from './db.ts';

export interface StaffRow {
  id: string;
  name: string;
  role: 'cashier' | 'manager';
  pinHash: string;
  createdAt: string;
  disabledAt: string | null;
}

const staffColumns =
  'id, name, role, pin_hash AS pinHash, created_at AS createdAt, disabled_at AS disabledAt';

/** Staff members and their PIN hashes (hub/staff). */
export class StaffStore {
  private readonly insertStaff: Statement;
  private readonly staffById: Statement;
  private readonly allStaff: Statement;

  constructor(db: Db) {
    this.insertStaff = db.prepare(
      'INSERT INTO staff (id, name, role, pin_hash, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.staffById = db.prepare(`SELECT ${staffColumns} FROM staff WHERE id = ?`);
    this.allStaff = db.prepare(`SELECT ${staffColumns} FROM staff ORDER BY name`);
  }

  add(row: Omit<StaffRow, 'disabledAt'>): void {
    this.insertStaff.run(row.id, row.name, row.role, row.pinHash, row.createdAt);
  }

  get(id: string): StaffRow | null {
    return (this.staffById.get(id) as StaffRow | undefined) ?? null;
  }

  list(): StaffRow[] {
    return this.allStaff.all() as StaffRow[];
  }
}
