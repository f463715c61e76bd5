import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { Ticket, TicketIdParams, TicketList, TicketListQuery } from '../../protocol/orders.ts';
import { listCost } from '../orders/routes.ts';
import type { OrderService } from '../orders/service.ts';

const kitchen = ['kds', 'manager'] as const;

export const kdsRoutes =
  (orders: OrderService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/v1/tickets',
      {
        schema: { querystring: TicketListQuery, response: { 200: TicketList } },
        config: { roles: kitchen, readCost: listCost },
      },
      async (request) => ({ tickets: orders.tickets(request.query) }),
    );

    for (const action of ['start', 'bump', 'recall'] as const) {
      app.post(
        `/api/v1/tickets/:id/${action}`,
        { schema: { params: TicketIdParams, response: { 200: Ticket } }, config: { roles: kitchen } },
        async (request) => orders.ticketAction(request.params.id, action),
      );
    }
  };
