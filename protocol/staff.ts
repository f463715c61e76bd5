import { z } from 'zod';
import { Slug, Uuid } from './ids.ts';
import { Name } from './text.ts';

/**
 * Staff, their roles and what each role may do (docs/staff.md). A device token says which tablet
 * is talking; a staff sign-in says who is using it.
 */

/** What a role may do without a manager's override. A discount's permission is `discount:<id>`. */
export const fixedPermissions = [
  'void.unsent',
  'void.fired',
  'comp',
  'refund',
  'check.reopen',
  'check.transfer',
  'drawer.open',
  'punch.edit',
  'day.close',
] as const;
export const FixedPermission = z.enum(fixedPermissions);
export type FixedPermission = z.infer<typeof FixedPermission>;

/** Every discount (`discount:*`), or one by its id. */
export const DiscountPermission = z
  .string()
  .regex(/^discount:(\*|[a-z0-9][a-z0-9-]*)$/, 'is not a discount permission');
export const Permission = z.union([FixedPermission, DiscountPermission]);
export type Permission = z.infer<typeof Permission>;

/** What each permission lets a person do, in the words the admin page and refusals use. */
export const permissionText: Record<FixedPermission, string> = {
  'void.unsent': 'void an item before it goes to the kitchen',
  'void.fired': 'void an item the kitchen already has',
  comp: 'comp an item',
  refund: 'refund a payment',
  'check.reopen': 'reopen a closed check',
  'check.transfer': 'move a check to another server',
  'drawer.open': 'open the cash drawer without a sale',
  'punch.edit': 'edit a time punch',
  'day.close': 'close the day (Z report)',
};

export const RoleId = Slug;
export const StaffRole = z.object({
  id: RoleId,
  name: Name(40),
  permissions: z.array(Permission).max(200),
});
export type StaffRole = z.infer<typeof StaffRole>;
export const RoleList = z.object({ roles: z.array(StaffRole) });

export const Pin = z.string().regex(/^\d{4,6}$/, 'must be 4 to 6 digits');
/** PINs set before the 4–6 rule (up to 8 digits) still sign in. */
export const PinTyped = z.string().regex(/^\d{4,8}$/, 'must be 4 to 8 digits');

export const StaffMember = z.object({
  id: Uuid,
  name: z.string(),
  roleId: RoleId,
  /** Minor units per hour, for labour cost (null: not set). */
  wage: z.int().nullable(),
  createdAt: z.string(),
  disabledAt: z.string().nullable(),
});
export type StaffMember = z.infer<typeof StaffMember>;

const Wage = z.int().min(0).max(10_000_000);
export const AddStaffBody = z.strictObject({
  name: Name(60),
  roleId: RoleId,
  pin: Pin,
  wage: Wage.optional(),
});
export const EditStaffBody = z.strictObject({
  name: Name(60).optional(),
  roleId: RoleId.optional(),
  pin: Pin.optional(),
  wage: Wage.nullable().optional(),
  /** false disables the member (they can no longer sign in); true brings them back. */
  active: z.boolean().optional(),
});
export type EditStaffBody = z.infer<typeof EditStaffBody>;

/** A manager override: their PIN, typed on the same till, approving this one action only. */
export const ApprovalInput = z.strictObject({ staffId: Uuid, pin: PinTyped });
export type ApprovalInput = z.infer<typeof ApprovalInput>;

/** Who did something: kept on checks, voids, payments and the audit trail by name as it was. */
export const StaffRef = z.object({ staffId: Uuid, name: z.string() });
export type StaffRef = z.infer<typeof StaffRef>;

export const SignInBody = z.strictObject({ staffId: Uuid, pin: PinTyped });
/**
 * A signed-in staff member on this device. `session` goes in the `X-Grow-Staff` header of every
 * request the till makes for them; it works on this device only.
 */
export const StaffSession = z.object({
  session: z.string(),
  staff: StaffMember,
  role: StaffRole,
  signedInAt: z.string(),
  /** Minutes without a touch after which the till locks and asks for a PIN again. */
  idleMinutes: z.int(),
});
export type StaffSession = z.infer<typeof StaffSession>;

/** The names on the PIN pad's tiles: no roles or permissions, any device may read them. */
export const StaffTiles = z.object({
  staff: z.array(z.object({ id: Uuid, name: z.string(), roleId: RoleId })),
});
