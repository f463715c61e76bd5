import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { IdSource } from '../../protocol/ids.ts';
import type { Logger } from '../../protocol/logger.ts';
import { HubError } from '../errors.ts';
import type { Limiter } from '../limits/limiter.ts';
import { pinLockout } from '../limits/policy.ts';
import type { GroupCommitter } from '../store/committer.ts';
import type { Store } from '../store/index.ts';

const scryptAsync = promisify(scrypt) as (pin: string, salt: Buffer, len: number) => Promise<Buffer>;

export interface StaffMember {
  id: string;
  name: string;
  role: 'cashier' | 'manager';
  createdAt: string;
  disabledAt: string | null;
}

/**
 * Staff sign in on a till with a short PIN. PINs are few digits, so they are stored with scrypt
 * (slow, salted) and guarded by a lockout per staff member that doubles with each failure and
 * survives restarts (written to SQLite at once): no restart opens a brute-force window.
 */
export class StaffService {
  constructor(
    private readonly store: Store,
    private readonly committer: GroupCommitter,
    private readonly limiter: Limiter,
    private readonly newId: IdSource,
    private readonly log: Logger,
  ) {}

  async add(name: string, role: StaffMember['role'], pin: string): Promise<StaffMember> {
    const salt = randomBytes(16);
    const hash = await scryptAsync(pin, salt, 32);
    const pinHash = `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
    return this.committer.run((ctx) => {
      const id = this.newId();
      this.store.staff.add({ id, name, role, pinHash, createdAt: ctx.at });
      return this.public(this.store.staff.get(id)!);
    });
  }

  list(): StaffMember[] {
    return this.store.staff.list().map((s) => this.public(s));
  }

  async verify(staffId: string, pin: string): Promise<StaffMember> {
    const row = this.store.staff.get(staffId);
    if (!row || row.disabledAt) throw new HubError('STAFF_NOT_FOUND', `No active staff member ${staffId}.`);
    const key = `staff:${staffId}`;
    // Counted before the slow hash, in one step with the lock check (Limiter.attempt): however
    // many tries are in flight, no more than the policy allows are ever checked.
    const attempt = this.limiter.attempt(key, pinLockout);
    if (!attempt.ok) {
      const s = Math.ceil(attempt.retryAfterMs / 1000);
      throw new HubError(
        'LOCKED_OUT',
        `Too many wrong PINs: try again in ${s} s, or ask a manager.`,
        undefined,
        s,
      );
    }
    const [, salt, expected] = row.pinHash.split('$');
    const actual = await scryptAsync(pin, Buffer.from(salt!, 'base64'), 32);
    if (!timingSafeEqual(actual, Buffer.from(expected!, 'base64'))) {
      const lockMs = this.limiter.lockedFor(key);
      const detail = lockMs > 0 ? `Wrong PIN; locked for ${Math.ceil(lockMs / 1000)} s.` : 'Wrong PIN.';
      throw new HubError('PIN_INVALID', detail, [{ field: 'pin', message: 'does not match' }]);
    }
    this.limiter.succeed(key);
    return this.public(row);
  }

  /** A manager clears a staff member's PIN lockout (they forgot it, and now remember). */
  unlock(staffId: string, managerDeviceId: string): StaffMember {
    const row = this.store.staff.get(staffId);
    if (!row) throw new HubError('STAFF_NOT_FOUND', `No staff member ${staffId}.`);
    this.limiter.succeed(`staff:${staffId}`);
    this.log.info({ staffId, deviceId: managerDeviceId }, 'staff PIN lockout cleared by a manager');
    return this.public(row);
  }

  private public(row: {
    id: string;
    name: string;
    role: StaffMember['role'];
    createdAt: string;
    disabledAt: string | null;
  }): StaffMember {
    return {
      id: row.id,
      name: row.name,
      role: row.role,
      createdAt: row.createdAt,
      disabledAt: row.disabledAt,
    };
  }
}
