import type { Device } from '../protocol/devices.ts';
import type { Permission, StaffRef, StaffRole } from '../protocol/staff.ts';

/** A person acting, with their role as it is now. */
export interface Acting {
  ref: StaffRef;
  role: StaffRole;
}

/** Who sent a request: the device, and the staff member signed in on it (null when nobody is). */
export interface Caller {
  device: Device;
  staff: Acting | null;
}

/** Whether a role holds a permission; `discount:*` holds every discount. */
export function may(role: StaffRole, permission: Permission): boolean {
  if (role.permissions.includes(permission)) return true;
  return permission.startsWith('discount:') && role.permissions.includes('discount:*');
}

export type Decision =
  | { ok: true; approvedBy: StaffRef | null }
  | { ok: false; why: 'override-lacks' | 'needs-override'; who: Acting | null };

/**
 * Who may do a sensitive action: the signed-in staff member if their role holds the permission;
 * otherwise a manager override typed on the same device, if the overrider's role holds it; the
 * hub's own back-office device (the admin page) always may. An override approves the one
 * command it came with, nothing else.
 */
export function decide(input: {
  permission: Permission;
  staff: Acting | null;
  override: Acting | null;
  backOffice: boolean;
}): Decision {
  const { permission, staff, override } = input;
  if (override) {
    if (!may(override.role, permission)) return { ok: false, why: 'override-lacks', who: override };
    // The signed-in person could do it alone: nobody approved anything.
    if (staff && may(staff.role, permission)) return { ok: true, approvedBy: null };
    return { ok: true, approvedBy: override.ref };
  }
  if (staff && may(staff.role, permission)) return { ok: true, approvedBy: null };
  if (input.backOffice) return { ok: true, approvedBy: null };
  return { ok: false, why: 'needs-override', who: staff };
}
