import type { Device, IssuedDevice, Role } from '../../protocol/devices.ts';
import type { IdSource } from '../../protocol/ids.ts';
import { HubError } from '../errors.ts';
import type { GroupCommitter } from '../store/committer.ts';
import type { Store } from '../store/index.ts';
import { hashSecret, newDeviceToken, newPairingCode, newPairingSecret, sameSecret } from './tokens.ts';

export type RevocationListener = (deviceId: string) => void;

export class DeviceService {
  private readonly revocationListeners = new Set<RevocationListener>();

  constructor(
    private readonly store: Store,
    private readonly committer: GroupCommitter,
    private readonly newId: IdSource,
    private readonly pairingTtlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The device a token belongs to, if it exists and is not revoked. Reads SQLite each time, so a
   * revocation applies to the very next request with no cache to invalidate. */
  authenticate(token: string): Device | null {
    const device = this.store.devices.findByTokenHash(hashSecret(token));
    return device && device.revokedAt === null ? device : null;
  }

  /** Devices revoked at or after `at`, by this hub or by the CLI beside it. */
  revokedSince(at: string): string[] {
    return this.store.devices.revokedSince(at);
  }

  isActive(deviceId: string): boolean {
    const device = this.store.devices.get(deviceId);
    return device !== null && device.revokedAt === null;
  }

  list(): Device[] {
    return this.store.devices.all();
  }

  create(name: string, role: Role): Promise<IssuedDevice> {
    return this.committer.run((ctx) => this.insert(name, role, ctx.at));
  }

  rename(id: string, name: string): Promise<Device> {
    return this.committer.run(() => {
      this.require(id);
      this.store.devices.setName(id, name);
      return this.store.devices.get(id)!;
    });
  }

  async revoke(id: string): Promise<Device> {
    const device = await this.committer.run((ctx) => {
      this.require(id);
      this.store.devices.markRevoked(id, ctx.at);
      return this.store.devices.get(id)!;
    });
    for (const l of this.revocationListeners) l(id);
    return device;
  }

  touch(id: string): Promise<void> {
    return this.committer.run((ctx) => this.store.devices.touch(id, ctx.at));
  }

  onRevoked(listener: RevocationListener): () => void {
    this.revocationListeners.add(listener);
    return () => this.revocationListeners.delete(listener);
  }

  /** Step 1, from the new tablet (no token yet): it shows `code` and keeps `secret` to claim with. */
  requestPairing(name: string, role: Role) {
    const secret = newPairingSecret();
    return this.committer.run((ctx) => {
      this.store.devices.pruneExpiredPairings(ctx.at);
      let code = newPairingCode();
      while (this.store.devices.pendingPairing(code, ctx.at)) code = newPairingCode();
      const expiresAt = new Date(Date.parse(ctx.at) + this.pairingTtlMs).toISOString();
      const pairingId = this.newId();
      this.store.devices.addPairing({
        id: pairingId,
        name,
        role,
        code,
        secretHash: hashSecret(secret),
        createdAt: ctx.at,
        expiresAt,
      });
      return { pairingId, code, secret, expiresAt };
    });
  }

  /** Tablets waiting for a manager, with the name and role each asked for. */
  pendingPairings() {
    return this.store.devices.pending(new Date(this.now()).toISOString()).map((p) => ({
      pairingId: p.id,
      code: p.code,
      name: p.name,
      requestedRole: p.role,
      expiresAt: p.expires_at,
    }));
  }

  /** Step 2, from a manager: approve the code the tablet shows, with the role the manager chose. */
  approvePairing(code: string, role: Role, managerId: string) {
    return this.committer.run((ctx) => {
      const pairing = this.store.devices.pendingPairing(code, ctx.at);
      if (!pairing) {
        throw new HubError(
          'PAIRING_NOT_FOUND',
          `No pending pairing has code ${code}; it may have expired. Ask the device for a new code.`,
        );
      }
      this.store.devices.approve(pairing.id, ctx.at, managerId, role);
      return { pairingId: pairing.id, name: pairing.name, requestedRole: pairing.role, role };
    });
  }

  /** Step 3, from the tablet: once approved, exchange the secret for a device token, exactly once. */
  claimPairing(pairingId: string, secret: string): Promise<IssuedDevice> {
    return this.committer.run((ctx) => {
      const pairing = this.store.devices.pairing(pairingId);
      if (!pairing || !sameSecret(secret, pairing.secret_hash) || pairing.claimed_at !== null) {
        throw new HubError(
          'PAIRING_NOT_FOUND',
          'No such pairing, or it was already claimed. Start pairing again.',
        );
      }
      if (pairing.approved_at === null) {
        if (pairing.expires_at <= ctx.at)
          throw new HubError(
            'PAIRING_EXPIRED',
            'The code expired before a manager approved it. Start pairing again.',
          );
        throw new HubError(
          'PAIRING_NOT_APPROVED',
          'Waiting for a manager to approve this code on the admin page.',
          undefined,
          2,
        );
      }
      const issued = this.insert(pairing.name, pairing.approved_role ?? pairing.role, ctx.at);
      this.store.devices.claim(pairingId, ctx.at, issued.id);
      return issued;
    });
  }

  private insert(name: string, role: Role, at: string): IssuedDevice {
    const token = newDeviceToken();
    const id = this.newId();
    this.store.devices.insert({ id, name, role, tokenHash: hashSecret(token), createdAt: at });
    return { ...this.store.devices.get(id)!, token };
  }

  private require(id: string): Device {
    const device = this.store.devices.get(id);
    if (!device)
      throw new HubError('DEVICE_NOT_FOUND', `No device ${id}. List devices with GET /api/v1/devices.`);
    return device;
  }
}
