import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  CreateOrderBody,
  Order,
  OrderIdParams,
  OrderList,
  OrderListQuery,
  VoidOrderBody,
} from '../../protocol/orders.ts';
import { anyRole } from '../http/admission.ts';
import { callerOf } from '../http/auth.ts';
import type { DeviceCommand } from '../http/command.ts';
import { asTheEventCarriesIt } from '../http/validation.ts';
import type { OrderService } from './service.ts';

const cashier = ['pos', 'manager'] as const;

/** A long list costs more of a device's read budget than a short one: one unit per 20 rows. */
export const listCost = (query: Record<string, unknown>) =>
  Math.max(1, Math.ceil((Number(query.limit) || 50) / 20));

/** Taking an order: the same command over HTTP and over a till's socket (`order.create`). */
export const createOrder = (orders: OrderService): DeviceCommand<typeof CreateOrderBody, Order> => ({
  roles: cashier,
  body: CreateOrderBody,
  run: async (body, caller) => {
    const { order, created } = await orders.create(body, caller);
    return { status: created ? 201 : 200, value: order };
  },
});

export const orderRoutes =
  (orders: OrderService): FastifyPluginAsyncZod =>
  async (app) => {
    const create = createOrder(orders);
    app.post(
      '/api/v1/orders',
      {
        schema: { body: create.body, response: { 200: Order, 201: Order } },
        serializerCompiler: asTheEventCarriesIt,
        config: { roles: create.roles },
      },
      async (request, reply) => {
        const { status, value } = await create.run(request.body, callerOf(request));
        return reply.code(status).header('location', `/api/v1/orders/${value.id}`).send(value);
      },
    );

    app.get(
      '/api/v1/orders',
      {
        schema: { querystring: OrderListQuery, response: { 200: OrderList } },
        config: { roles: anyRole, readCost: listCost },
      },
      async (request) => ({ orders: orders.recent(request.query.limit, request.query.status) }),
    );

    app.get(
      '/api/v1/orders/:id',
      { schema: { params: OrderIdParams, response: { 200: Order } }, config: { roles: anyRole } },
      async (request) => orders.get(request.params.id),
    );

    app.post(
      '/api/v1/orders/:id/send',
      { schema: { params: OrderIdParams, response: { 200: Order } }, config: { roles: cashier } },
      async (request) => orders.send(request.params.id),
    );

    app.post(
      '/api/v1/orders/:id/complete',
      { schema: { params: OrderIdParams, response: { 200: Order } }, config: { roles: cashier } },
      async (request) => orders.complete(request.params.id),
    );

    app.post(
      '/api/v1/orders/:id/void',
      {
        schema: { params: OrderIdParams, body: VoidOrderBody, response: { 200: Order } },
        config: { roles: ['manager'] },
      },
      async (request) => orders.void(request.params.id, request.body.reason, callerOf(request)),
    );
  };
