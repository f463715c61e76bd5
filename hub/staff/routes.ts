import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Uuid } from '../../protocol/ids.ts';
import { Name } from '../../protocol/text.ts';
import { anyRole } from '../http/admission.ts';
import { deviceOf } from '../http/auth.ts';
import type { StaffService } from './service.ts';

const Pin = z.string().regex(/^\d{4,8}$/, 'must be 4 to 8 digits');
const StaffMember = z.object({
  id: Uuid,
  name: z.string(),
  role: z.enum(['cashier', 'manager']),
  createdAt: z.string(),
  disabledAt: z.string().nullable(),
});

export const staffRoutes =
  (staff: StaffService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/v1/staff',
      {
        schema: { response: { 200: z.object({ staff: z.array(StaffMember) }) } },
        config: { roles: ['manager'] },
      },
      async () => ({
        staff: staff.list(),
      }),
    );
    app.post(
      '/api/v1/staff',
      {
        schema: {
          body: z.strictObject({
            name: Name(60),
            role: z.enum(['cashier', 'manager']),
            pin: Pin,
          }),
          response: { 201: StaffMember },
        },
        config: { roles: ['manager'] },
      },
      async (request, reply) =>
        reply.code(201).send(await staff.add(request.body.name, request.body.role, request.body.pin)),
    );
    app.post(
      '/api/v1/staff/:id/unlock',
      {
        schema: { params: z.strictObject({ id: Uuid }), response: { 200: StaffMember } },
        config: { roles: ['manager'] },
      },
      async (request) => staff.unlock(request.params.id, deviceOf(request).id),
    );
    // Who may approve on a till (a void after firing, a comp): names only, for the PIN dialog.
    app.get(
      '/api/v1/staff/approvers',
      {
        schema: {
          response: { 200: z.object({ approvers: z.array(z.object({ id: Uuid, name: z.string() })) }) },
        },
        config: { roles: anyRole },
      },
      async () => ({
        approvers: staff
          .list()
          .filter((s) => s.role === 'manager' && !s.disabledAt)
          .map((s) => ({ id: s.id, name: s.name })),
      }),
    );
    app.post(
      '/api/v1/staff/verify',
      {
        schema: { body: z.strictObject({ staffId: Uuid, pin: Pin }), response: { 200: StaffMember } },
        config: { roles: anyRole },
      },
      async (request) => staff.verify(request.body.staffId, request.body.pin),
    );
  };
