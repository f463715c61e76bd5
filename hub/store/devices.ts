import type { Statement } from 'better-sqlite3';
import type { Device, Role } from '../../protocol/devices.ts';
import type { Db } from './db.ts';

interface DeviceRow {
  id: string;
  name: string;
  role: Role;
  created_at: string;
  last_seen_at: string | null;
  revoked_at: string | null;
}

export interface PairingRow {
  id: string;
  name: string;
  role: Role;
  code: string;
  secret_hash: Buffer;
  created_at: string;
  expires_at: string;
  approved_at: string | null;
  approved_by: string | null;
  approved_role: Role | null;
  claimed_at: string | null;
  device_id: string | null;
}

const toDevice = (r: DeviceRow): Device => ({
  id: r.id,
  name: r.name,
  role: r.role,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  revokedAt: r.revoked_at,
});

export class DeviceStore {
  private readonly insertDevice: Statement;
  private readonly byTokenHash: Statement;
  private readonly byId: Statement;
  private readonly list: Statement;
  private readonly revoke: Statement;
  private readonly rename: Statement;
  private readonly seen: Statement;
  private readonly insertPairing: Statement;
  private readonly pairingById: Statement;
  private readonly pendingPairingByCode: Statement;
  private readonly approvePairing: Statement;
  private readonly pendingPairings: Statement;
  private readonly claimPairing: Statement;
  private readonly prunePairings: Statement;
  private readonly revokedAfter: Statement;

  constructor(db: Db) {
    this.insertDevice = db.prepare(
      'INSERT INTO devices (id, name, role, token_hash, created_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.byTokenHash = db.prepare('SELECT * FROM devices WHERE token_hash = ?');
    this.byId = db.prepare('SELECT * FROM devices WHERE id = ?');
    this.list = db.prepare('SELECT * FROM devices ORDER BY created_at, id');
    this.revoke = db.prepare('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
    this.rename = db.prepare('UPDATE devices SET name = ? WHERE id = ?');
    this.seen = db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?');
    this.insertPairing = db.prepare(
      `INSERT INTO pairings (id, name, role, code, secret_hash, created_at, expires_at)
       VALUES (@id, @name, @role, @code, @secretHash, @createdAt, @expiresAt)`,
    );
    this.pairingById = db.prepare('SELECT * FROM pairings WHERE id = ?');
    this.pendingPairingByCode = db.prepare(
      `SELECT * FROM pairings WHERE code = ? AND approved_at IS NULL AND expires_at > ?
       ORDER BY created_at DESC LIMIT 1`,
    );
    this.approvePairing = db.prepare(
      'UPDATE pairings SET approved_at = ?, approved_by = ?, approved_role = ? WHERE id = ?',
    );
    this.pendingPairings = db.prepare(
      'SELECT * FROM pairings WHERE approved_at IS NULL AND expires_at > ? ORDER BY created_at',
    );
    this.claimPairing = db.prepare('UPDATE pairings SET claimed_at = ?, device_id = ? WHERE id = ?');
    this.prunePairings = db.prepare('DELETE FROM pairings WHERE expires_at < ? AND claimed_at IS NULL');
    this.revokedAfter = db.prepare('SELECT id FROM devices WHERE revoked_at >= ?').pluck();
  }

  insert(device: { id: string; name: string; role: Role; tokenHash: Buffer; createdAt: string }): void {
    this.insertDevice.run(device.id, device.name, device.role, device.tokenHash, device.createdAt);
  }

  findByTokenHash(hash: Buffer): Device | null {
    const row = this.byTokenHash.get(hash) as DeviceRow | undefined;
    return row ? toDevice(row) : null;
  }

  get(id: string): Device | null {
    const row = this.byId.get(id) as DeviceRow | undefined;
    return row ? toDevice(row) : null;
  }

  all(): Device[] {
    return (this.list.all() as DeviceRow[]).map(toDevice);
  }

  revokedSince(at: string): string[] {
    return this.revokedAfter.all(at) as string[];
  }

  /** Returns false when the device was already revoked (revoking twice changes nothing). */
  markRevoked(id: string, at: string): boolean {
    return this.revoke.run(at, id).changes === 1;
  }

  setName(id: string, name: string): void {
    this.rename.run(name, id);
  }

  touch(id: string, at: string): void {
    this.seen.run(at, id);
  }

  addPairing(p: {
    id: string;
    name: string;
    role: Role;
    code: string;
    secretHash: Buffer;
    createdAt: string;
    expiresAt: string;
  }): void {
    this.insertPairing.run(p);
  }

  pairing(id: string): PairingRow | null {
    return (this.pairingById.get(id) as PairingRow | undefined) ?? null;
  }

  pendingPairing(code: string, now: string): PairingRow | null {
    return (this.pendingPairingByCode.get(code, now) as PairingRow | undefined) ?? null;
  }

  approve(id: string, at: string, by: string, role: Role): void {
    this.approvePairing.run(at, by, role, id);
  }

  pending(now: string): PairingRow[] {
    return this.pendingPairings.all(now) as PairingRow[];
  }

  claim(id: string, at: string, deviceId: string): void {
    this.claimPairing.run(at, deviceId, id);
  }

  pruneExpiredPairings(now: string): number {
    return this.prunePairings.run(now).changes;
  }
}
