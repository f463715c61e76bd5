import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  CreateDeviceBody,
  Device,
  DeviceIdParams,
  DeviceList,
  DeviceName,
  IssuedDevice,
  PairingApproveBody,
  PairingApproved,
  PairingClaimBody,
  PairingIdParams,
  PairingRequest,
  PairingRequestBody,
  PendingPairingList,
} from '../../protocol/devices.ts';
import { HubError } from '../errors.ts';
import { anyRole } from '../http/admission.ts';
import { deviceOf } from '../http/auth.ts';
import type { Limiter } from '../limits/limiter.ts';
import { pairingClaimLockout } from '../limits/policy.ts';
import type { DeviceService } from './service.ts';

const manager = ['manager'] as const;

export const deviceRoutes =
  (devices: DeviceService, limiter: Limiter, tlsFingerprint: string | null): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/v1/me',
      { schema: { response: { 200: Device } }, config: { roles: anyRole } },
      async (request) => deviceOf(request),
    );

    app.get(
      '/api/v1/devices',
      { schema: { response: { 200: DeviceList } }, config: { roles: manager } },
      async () => ({
        devices: devices.list(),
      }),
    );

    app.post(
      '/api/v1/devices',
      { schema: { body: CreateDeviceBody, response: { 201: IssuedDevice } }, config: { roles: manager } },
      async (request, reply) =>
        reply
          .code(201)
          .send({ ...(await devices.create(request.body.name, request.body.role)), tlsFingerprint }),
    );

    app.patch(
      '/api/v1/devices/:id',
      {
        schema: {
          params: DeviceIdParams,
          body: z.strictObject({ name: DeviceName }),
          response: { 200: Device },
        },
        config: { roles: manager },
      },
      async (request) => devices.rename(request.params.id, request.body.name),
    );

    app.post(
      '/api/v1/devices/:id/revoke',
      { schema: { params: DeviceIdParams, response: { 200: Device } }, config: { roles: manager } },
      async (request) => devices.revoke(request.params.id),
    );

    // Pairing: the tablet has no token yet, so requesting and claiming are public; the secret in
    // the claim and the manager's approval are what make them safe.
    app.post(
      '/api/v1/pairings',
      {
        schema: { body: PairingRequestBody, response: { 201: PairingRequest } },
        config: { public: true, ipRateLimit: { limit: 10, windowMs: 60_000 } },
      },
      async (request, reply) =>
        reply.code(201).send(await devices.requestPairing(request.body.name, request.body.role)),
    );

    app.post(
      '/api/v1/pairings/approve',
      {
        schema: { body: PairingApproveBody, response: { 200: PairingApproved } },
        config: { roles: manager },
      },
      async (request) => devices.approvePairing(request.body.code, request.body.role, deviceOf(request).id),
    );

    app.get(
      '/api/v1/pairings',
      { schema: { response: { 200: PendingPairingList } }, config: { roles: manager } },
      async () => ({ pairings: devices.pendingPairings() }),
    );

    app.post(
      '/api/v1/pairings/:id/claim',
      {
        schema: { params: PairingIdParams, body: PairingClaimBody, response: { 201: IssuedDevice } },
        // A tablet polls every 2 s while it waits: 60 a minute is generous for that, useless for guessing.
        config: { public: true, ipRateLimit: { limit: 60, windowMs: 60_000 } },
      },
      async (request, reply) => {
        const key = `claim:${request.ip}`;
        const locked = limiter.lockedFor(key);
        if (locked > 0) {
          const s = Math.ceil(locked / 1000);
          throw new HubError(
            'LOCKED_OUT',
            `Too many failed pairing claims from ${request.ip}; retry in ${s} s.`,
            undefined,
            s,
          );
        }
        try {
          return reply.code(201).send({
            ...(await devices.claimPairing(request.params.id, request.body.secret)),
            tlsFingerprint,
          });
        } catch (err) {
          if (err instanceof HubError && err.code === 'PAIRING_NOT_FOUND')
            limiter.fail(key, pairingClaimLockout);
          throw err;
        }
      },
    );
  };
