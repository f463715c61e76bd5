import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  CreateOrderBody,
  Order,
  OrderIdParams,
  OrderList,
  OrderListQuery,
  VoidOrderBody,
} from '../../protocol/orders.ts';
import { anyRole, deviceOf } from '../http/auth.ts';
import type { OrderService } from './service.ts';

const cashier = ['pos', 'manager'] as const;

export const orderRoutes =
  (orders: OrderService): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/api/v1/orders',
      { schema: { body: CreateOrderBody, response: { 200: Order, 201: Order } }, config: { roles: cashier } },
      async (request, reply) => {
        const { order, created } = await orders.create(request.body, deviceOf(request).id);
        return reply
          .code(created ? 201 : 200)
          .header('location', `/api/v1/orders/${order.id}`)
          .send(order);
      },
    );

    app.get(
      '/api/v1/orders',
      { schema: { querystring: OrderListQuery, response: { 200: OrderList } }, config: { roles: anyRole } },
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
      async (request) => orders.void(request.params.id, request.body.reason),
    );
  };
