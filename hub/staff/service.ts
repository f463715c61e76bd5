// Long because it is who acts, in one place: staff, roles, PINs, sign-in sessions, and the
// permission check every sensitive command calls, beside the roles it reads.
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { AuditPage, AuditQuery } from '../../protocol/audit.ts';
import type { Device } from '../../protocol/devices.ts';
import type { IdSource } from '../../protocol/ids.ts';
import type { Logger } from '../../protocol/logger.ts';
import {
  type ApprovalInput,
  type EditStaffBody,
  type fixedPermissions,
  type Permission,
  permissionText,
  type StaffMember,
  type StaffRef,
  type StaffRole,
  type StaffSession,
} from '../../protocol/staff.ts';
import { type Acting, type Caller, decide, may } from '../../rules/permissions.ts';
import { HubError } from '../errors.ts';
import type { Limiter } from '../limits/limiter.ts';
import { pinLockout } from '../limits/policy.ts';
import type { GroupCommitter } from '../store/committer.ts';
import type { Store } from '../store/index.ts';
import type { StaffRow } from '../store/staff.ts';
import { recordAudit } from './audit.ts';

const scryptAsync = promisify(scrypt) as (pin: string, salt: Buffer, len: number) => Promise<Buffer>;

/** Who is acting on a command: the caller, and the manager override typed with it. */
export interface Actor extends Caller {
  override: Acting | null;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

/**
 * Staff, their roles, and who is signed in on which till (docs/staff.md). PINs are few digits,
 * so they are stored with scrypt (slow, salted) and guarded by a lockout per staff member that
 * doubles with each failure and survives restarts: no restart opens a brute-force window. A
 * sign-in makes a session token that works on the device that signed in only, until sign-out.
 */
export class StaffService {
  /** Roles are read on every permission check; parsed once until a manager changes them. */
  private roleCache: StaffRole[] | null = null;

  constructor(
    private readonly store: Store,
    private readonly committer: GroupCommitter,
    private readonly limiter: Limiter,
    private readonly newId: IdSource,
    private readonly log: Logger,
    /** Minutes without a touch before a till locks (the manager's service settings). */
    readonly idleMinutes: () => number,
  ) {}

  // ---- staff and roles ----

  async add(name: string, roleId: string, pin: string, wage: number | null = null): Promise<StaffMember> {
    this.role(roleId, 'roleId');
    const pinHash = await hashPin(pin);
    return this.committer.run((ctx) => {
      const id = this.newId();
      this.store.staff.add({ id, name, roleId, pinHash, createdAt: ctx.at, wage });
      // Announced as it is made; a hub that never had staff needs no catch-up announcement.
      this.store.putMeta('staff-announced', ctx.at);
      const member = this.public(this.store.staff.get(id)!);
      ctx.emit({ type: 'staff.updated', topic: 'staff', entityId: id, data: { staff: member } });
      return member;
    });
  }

  async edit(staffId: string, body: EditStaffBody, device: Device): Promise<StaffMember> {
    if (body.roleId) this.role(body.roleId, 'roleId');
    const pinHash = body.pin ? await hashPin(body.pin) : null;
    return this.committer.run((ctx) => {
      const row = this.row(staffId);
      const next: StaffRow = {
        ...row,
        name: body.name ?? row.name,
        roleId: body.roleId ?? row.roleId,
        pinHash: pinHash ?? row.pinHash,
        wage: body.wage === undefined ? row.wage : body.wage,
        disabledAt:
          body.active === undefined ? row.disabledAt : body.active ? null : (row.disabledAt ?? ctx.at),
      };
      this.store.staff.update(next);
      ctx.emit({
        type: 'staff.updated',
        topic: 'staff',
        entityId: next.id,
        data: { staff: this.public(next) },
      });
      const changes = [
        next.name !== row.name && `renamed from ${row.name}`,
        next.roleId !== row.roleId && `role ${row.roleId} → ${next.roleId}`,
        pinHash && 'PIN changed',
        next.wage !== row.wage && 'wage changed',
        next.disabledAt !== row.disabledAt && (next.disabledAt ? 'disabled' : 'enabled again'),
      ].filter(Boolean);
      recordAudit(
        ctx,
        this.store,
        { device, staff: null },
        {
          action: 'staff.changed',
          detail: `${next.name}: ${changes.join(', ') || 'no change'}`,
        },
      );
      return this.public(next);
    });
  }

  /** An active member by id, as recorded on what they do. */
  ref(staffId: string): StaffRef {
    const row = this.store.staff.get(staffId);
    if (!row || row.disabledAt) {
      throw new HubError(
        'STAFF_NOT_FOUND',
        `No active staff member ${staffId}: pick one from the staff list.`,
        [{ field: 'staffId', message: 'no such active staff member' }],
      );
    }
    return { staffId: row.id, name: row.name };
  }

  /** Active members whose role holds the permission (all active members without one). */
  approvers(permission: Permission | undefined): StaffRef[] {
    const roles = new Map(this.roles().map((r) => [r.id, r]));
    return this.store.staff
      .list()
      .filter((s) => !s.disabledAt && (!permission || may(roles.get(s.roleId)!, permission)))
      .map((s) => ({ staffId: s.id, name: s.name }));
  }

  /**
   * Staff added before staff reached the cloud (hubs upgraded from before staff.updated) are
   * announced once, so HQ knows every name and wage; a flag in hub_meta makes it once.
   */
  announceOnce(): Promise<number> {
    if (this.store.meta('staff-announced')) return Promise.resolve(0);
    return this.committer.run((ctx) => {
      const all = this.store.staff.list();
      for (const row of all) {
        ctx.emit({
          type: 'staff.updated',
          topic: 'staff',
          entityId: row.id,
          data: { staff: this.public(row) },
        });
      }
      this.store.putMeta('staff-announced', ctx.at);
      return all.length;
    });
  }

  list(): StaffMember[] {
    return this.store.staff.list().map((s) => this.public(s));
  }

  roles(): StaffRole[] {
    this.roleCache ??= this.store.staff.roles();
    return this.roleCache;
  }

  setRoles(roles: StaffRole[], device: Device): Promise<StaffRole[]> {
    const ids = roles.map((r) => r.id);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice) {
      throw new HubError('VALIDATION_FAILED', `Invalid body: role id "${twice}" is used twice.`, [
        { field: `roles[${ids.lastIndexOf(twice)}].id`, message: 'is used twice' },
      ]);
    }
    const orphaned = this.store.staff.list().filter((s) => !ids.includes(s.roleId));
    if (orphaned.length > 0) {
      throw new HubError(
        'VALIDATION_FAILED',
        `Role "${orphaned[0]!.roleId}" still has staff (${orphaned.map((s) => s.name).join(', ')}): give them another role first.`,
        [{ field: 'roles', message: `keep "${orphaned[0]!.roleId}" or move its staff` }],
      );
    }
    return this.committer.run((ctx) => {
      this.store.staff.putRoles(roles);
      this.roleCache = null;
      recordAudit(
        ctx,
        this.store,
        { device, staff: null },
        {
          action: 'roles.changed',
          detail: roles.map((r) => `${r.name}: ${r.permissions.join(' ') || 'nothing sensitive'}`).join('; '),
        },
      );
      ctx.emit({ type: 'settings.changed', topic: 'staff', entityId: 'roles', data: { key: 'roles' } });
      return roles;
    });
  }

  // ---- PINs and sessions ----

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
        `Too many wrong PINs: try again in ${s} s, or ask a manager to unlock you.`,
        undefined,
        s,
      );
    }
    const [, salt, expected] = row.pinHash.split('$');
    const actual = await scryptAsync(pin, Buffer.from(salt!, 'base64'), 32);
    if (!timingSafeEqual(actual, Buffer.from(expected!, 'base64'))) {
      const lockMs = this.limiter.lockedFor(key);
      const detail =
        lockMs > 0
          ? `PIN not recognised; locked for ${Math.ceil(lockMs / 1000)} s.`
          : 'PIN not recognised. Try again.';
      throw new HubError('PIN_INVALID', detail, [{ field: 'pin', message: 'not recognised' }]);
    }
    this.limiter.succeed(key);
    return this.public(row);
  }

  /**
   * A staff member signs in on this device with their PIN. An earlier session stays valid until
   * its sign-out: commands a till queued under it while the hub was away still go through.
   */
  async signIn(staffId: string, pin: string, device: Device): Promise<StaffSession> {
    const member = await this.verify(staffId, pin);
    const session = randomBytes(24).toString('base64url');
    return this.committer.run((ctx) => {
      this.store.staff.addSession(hashToken(session), staffId, device.id, ctx.at);
      return {
        session,
        staff: member,
        role: this.role(member.roleId),
        signedInAt: ctx.at,
        idleMinutes: this.idleMinutes(),
      };
    });
  }

  signOut(session: string): Promise<void> {
    return this.committer.run((ctx) => this.store.staff.endSessionOf(hashToken(session), ctx.at));
  }

  /**
   * Who a session token belongs to, on this device: null without a token; an error when the
   * token is not this device's, was signed out, or its staff member was disabled.
   */
  onDuty(session: string | undefined, device: Device): Acting | null | HubError {
    if (!session) return null;
    const row = this.store.staff.session(hashToken(session));
    const member =
      row && !row.signedOutAt && row.deviceId === device.id ? this.store.staff.get(row.staffId) : null;
    if (!member || member.disabledAt) {
      return new HubError(
        'STAFF_SIGNED_OUT',
        'You are signed out on this till: enter your PIN to sign in again, and your change will go through.',
      );
    }
    return { ref: { staffId: member.id, name: member.name }, role: this.role(member.roleId) };
  }

  /** The member a manager override names, once their PIN checks out. */
  async overrider(approval: ApprovalInput | undefined | null): Promise<Acting | null> {
    if (!approval) return null;
    const member = await this.verify(approval.staffId, approval.pin);
    return { ref: { staffId: member.id, name: member.name }, role: this.role(member.roleId) };
  }

  /**
   * May the actor do this? Returns the manager who approved (null when nobody had to), or
   * refuses with 403 naming the permission and offering an override.
   */
  permit(actor: Actor, permission: Permission, what: string) {
    const decision = decide({
      permission,
      staff: actor.staff,
      override: actor.override,
      backOffice: actor.device.role === 'manager',
    });
    if (decision.ok) return decision.approvedBy;
    const can = permissionText[permission as (typeof fixedPermissions)[number]] ?? `apply ${what}`;
    const who = decision.who ? `${decision.who.ref.name} (${decision.who.role.name})` : null;
    const detail =
      decision.why === 'override-lacks'
        ? `${who} may not ${can} either: ask someone whose role may to enter their PIN.`
        : `${capital(what)} needs the "${permission}" permission${who ? `, which ${who} does not have` : ', and nobody is signed in on this till'}: ask a manager to approve with their PIN on this till.`;
    throw new HubError(
      'PERMISSION_REQUIRED',
      detail,
      [{ field: 'approval', message: `needs "${permission}"` }],
      undefined,
      undefined,
      { permission, override: true },
    );
  }

  /** The audit trail, newest first, filtered (docs/staff.md). */
  audit(query: AuditQuery): AuditPage {
    return this.store.audit.list(query);
  }

  /** A manager clears a staff member's PIN lockout (they forgot it, and now remember). */
  unlock(staffId: string, managerDeviceId: string): StaffMember {
    const row = this.row(staffId);
    this.limiter.succeed(`staff:${staffId}`);
    this.log.info({ staffId, deviceId: managerDeviceId }, 'staff PIN lockout cleared by a manager');
    return this.public(row);
  }

  private row(staffId: string): StaffRow {
    const row = this.store.staff.get(staffId);
    if (!row) throw new HubError('STAFF_NOT_FOUND', `No staff member ${staffId}.`);
    return row;
  }

  private role(id: string, field?: string): StaffRole {
    const role = this.roles().find((r) => r.id === id);
    if (!role) {
      throw new HubError(
        'VALIDATION_FAILED',
        `No role "${id}"; this hub has ${this.roles()
          .map((r) => r.id)
          .join(', ')}.`,
        field ? [{ field, message: `no role "${id}"` }] : undefined,
      );
    }
    return role;
  }

  private public(row: StaffRow): StaffMember {
    return {
      id: row.id,
      name: row.name,
      roleId: row.roleId,
      wage: row.wage,
      createdAt: row.createdAt,
      disabledAt: row.disabledAt,
    };
  }
}

/** The person signed in on the till, for what needs a person (the clock, a drawer, a checkout). */
export function signedIn(caller: Caller, what: string) {
  if (!caller.staff) {
    throw new HubError('STAFF_SIGNED_OUT', `Sign in with your PIN on this till to ${what}.`);
  }
  return caller.staff;
}

async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(pin, salt, 32);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

const capital = (s: string) => `${s[0]!.toUpperCase()}${s.slice(1)}`;
