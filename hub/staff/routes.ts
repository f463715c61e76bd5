import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuditPage, AuditQuery } from '../../protocol/audit.ts';
import { Uuid } from '../../protocol/ids.ts';
import {
  AddStaffBody,
  EditStaffBody,
  Permission,
  PinTyped,
  RoleList,
  SignInBody,
  StaffMember,
  StaffSession,
  StaffTiles,
} from '../../protocol/staff.ts';
import { anyRole } from '../http/admission.ts';
import { deviceOf } from '../http/auth.ts';
import type { StaffService } from './service.ts';

const cashier = ['pos', 'manager'] as const;
const StaffIdParams = z.strictObject({ id: Uuid });

export const staffRoutes =
  (staff: StaffService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/v1/staff',
      {
        schema: { response: { 200: z.object({ staff: z.array(StaffMember) }) } },
        config: { roles: ['manager'] },
      },
      async () => ({ staff: staff.list() }),
    );
    app.post(
      '/api/v1/staff',
      { schema: { body: AddStaffBody, response: { 201: StaffMember } }, config: { roles: ['manager'] } },
      async (request, reply) =>
        reply
          .code(201)
          .send(
            await staff.add(
              request.body.name,
              request.body.roleId,
              request.body.pin,
              request.body.wage ?? null,
            ),
          ),
    );
    app.patch(
      '/api/v1/staff/:id',
      {
        schema: { params: StaffIdParams, body: EditStaffBody, response: { 200: StaffMember } },
        config: { roles: ['manager'] },
      },
      async (request) => staff.edit(request.params.id, request.body, deviceOf(request)),
    );
    app.post(
      '/api/v1/staff/:id/unlock',
      { schema: { params: StaffIdParams, response: { 200: StaffMember } }, config: { roles: ['manager'] } },
      async (request) => staff.unlock(request.params.id, deviceOf(request).id),
    );

    app.get(
      '/api/v1/roles',
      { schema: { response: { 200: RoleList } }, config: { roles: anyRole } },
      async () => ({ roles: staff.roles() }),
    );
    app.put(
      '/api/v1/roles',
      { schema: { body: RoleList, response: { 200: RoleList } }, config: { roles: ['manager'] } },
      async (request) => ({ roles: await staff.setRoles(request.body.roles, deviceOf(request)) }),
    );

    // The PIN pad's tiles: active staff by name, for any till.
    app.get(
      '/api/v1/staff/tiles',
      { schema: { response: { 200: StaffTiles } }, config: { roles: anyRole } },
      async () => ({
        staff: staff
          .list()
          .filter((s) => !s.disabledAt)
          .map((s) => ({ id: s.id, name: s.name, roleId: s.roleId })),
      }),
    );
    // Who may approve one permission by override (the PIN dialog lists them).
    app.get(
      '/api/v1/staff/approvers',
      {
        schema: {
          querystring: z.strictObject({ permission: Permission.optional() }),
          response: { 200: z.object({ approvers: z.array(z.object({ id: Uuid, name: z.string() })) }) },
        },
        config: { roles: anyRole },
      },
      async (request) => ({
        approvers: staff.approvers(request.query.permission).map((s) => ({ id: s.staffId, name: s.name })),
      }),
    );
    app.post(
      '/api/v1/staff/verify',
      {
        schema: { body: z.strictObject({ staffId: Uuid, pin: PinTyped }), response: { 200: StaffMember } },
        config: { roles: anyRole },
      },
      async (request) => staff.verify(request.body.staffId, request.body.pin),
    );

    app.post(
      '/api/v1/staff/sign-in',
      { schema: { body: SignInBody, response: { 201: StaffSession } }, config: { roles: cashier } },
      async (request, reply) =>
        reply.code(201).send(await staff.signIn(request.body.staffId, request.body.pin, deviceOf(request))),
    );
    app.post(
      '/api/v1/staff/sign-out',
      { schema: { response: { 204: z.null() } }, config: { roles: cashier } },
      async (request, reply) => {
        const session = request.headers['x-grow-staff'];
        if (typeof session === 'string') await staff.signOut(session);
        return reply.code(204).send(null);
      },
    );
    // Who is signed in on this device by the session sent (after a page reload).
    app.get(
      '/api/v1/staff/me',
      {
        schema: {
          response: {
            200: z.object({
              staff: StaffMember.pick({ id: true, name: true, roleId: true }).nullable(),
              idleMinutes: z.int(),
            }),
          },
        },
        config: { roles: cashier },
      },
      async (request) => ({
        staff: request.staff
          ? { id: request.staff.ref.staffId, name: request.staff.ref.name, roleId: request.staff.role.id }
          : null,
        idleMinutes: staff.idleMinutes(),
      }),
    );

    app.get(
      '/api/v1/audit',
      { schema: { querystring: AuditQuery, response: { 200: AuditPage } }, config: { roles: ['manager'] } },
      async (request) => staff.audit(request.query),
    );
  };
