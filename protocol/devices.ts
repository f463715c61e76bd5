import { z } from 'zod';
import { Uuid } from './ids.ts';
import { Name } from './text.ts';

export const Role = z.enum(['pos', 'kds', 'manager']);
export type Role = z.infer<typeof Role>;

export const DeviceName = Name(60);

export const Device = z.object({
  id: Uuid,
  name: z.string(),
  role: Role,
  createdAt: z.string(),
  lastSeenAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type Device = z.infer<typeof Device>;

/** Returned once, when a device is made: the token is never stored or shown again. */
export const IssuedDevice = Device.extend({
  token: z.string(),
  /** SHA-256 of the hub's TLS certificate when TLS is on: devices pin it ("AB:CD:…"). */
  tlsFingerprint: z.string().nullable().optional(),
});
export type IssuedDevice = z.infer<typeof IssuedDevice>;

export const CreateDeviceBody = z.strictObject({ name: DeviceName, role: Role });
export const DeviceIdParams = z.strictObject({ id: Uuid });
export const DeviceList = z.object({ devices: z.array(Device) });

/** A tablet asks to pair; it shows `code` to the manager and polls `claim` with its `secret`. */
export const PairingRequestBody = z.strictObject({ name: DeviceName, role: Role });
export const PairingRequest = z.object({
  pairingId: Uuid,
  code: z.string(),
  secret: z.string(),
  expiresAt: z.string(),
});
export const PairingApproveBody = z.strictObject({
  code: z.string().regex(/^\d{6}$/, 'must be the 6-digit code shown on the device'),
  /** The role the approver gives the device, whatever it asked for: confirmed, never assumed. */
  role: Role,
});
/** A tablet waiting for approval, as the manager sees it before choosing its role. */
export const PendingPairing = z.object({
  pairingId: Uuid,
  code: z.string(),
  name: z.string(),
  requestedRole: Role,
  expiresAt: z.string(),
});
export const PendingPairingList = z.object({ pairings: z.array(PendingPairing) });
export const PairingClaimBody = z.strictObject({ secret: z.string().min(20).max(200) });
export const PairingIdParams = z.strictObject({ id: Uuid });
export const PairingApproved = z.object({
  pairingId: Uuid,
  name: z.string(),
  requestedRole: Role,
  role: Role,
});
