import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Uuid } from '../../protocol/ids.ts';
import { OrderIdParams } from '../../protocol/orders.ts';
import {
  CreatePaymentBody,
  OrderPayments,
  Payment,
  RefundBody,
  RetryCardBody,
  UnverifiedPayments,
  VerifyStandaloneBody,
} from '../../protocol/payments.ts';
import { anyRole } from '../http/admission.ts';
import { callerOf } from '../http/auth.ts';
import type { PaymentService } from './service.ts';

const PaymentIdParams = z.strictObject({ id: Uuid });

export const paymentRoutes =
  (payments: PaymentService): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/api/v1/orders/:id/payments',
      {
        schema: {
          params: OrderIdParams,
          body: CreatePaymentBody,
          response: { 200: Payment, 201: Payment, 202: Payment },
        },
        config: { roles: ['pos', 'manager'] },
      },
      async (request, reply) => {
        const { payment, created } = await payments.create(
          request.params.id,
          request.body,
          callerOf(request),
        );
        // A card on the reader is under way, not done: 202, then payment.updated events.
        const code = !created ? 200 : payment.status === 'pending' ? 202 : 201;
        return reply.code(code).send(payment);
      },
    );
    app.get(
      '/api/v1/orders/:id/payments',
      { schema: { params: OrderIdParams, response: { 200: OrderPayments } }, config: { roles: anyRole } },
      async (request) => payments.forOrder(request.params.id),
    );
    app.get(
      '/api/v1/payments/:id',
      { schema: { params: PaymentIdParams, response: { 200: Payment } }, config: { roles: anyRole } },
      async (request) => payments.get(request.params.id),
    );
    app.post(
      '/api/v1/payments/:id/refunds',
      {
        schema: { params: PaymentIdParams, body: RefundBody, response: { 200: Payment } },
        config: { roles: ['pos', 'manager'] },
      },
      async (request) => payments.refund(request.params.id, request.body, callerOf(request)),
    );
    app.post(
      '/api/v1/payments/:id/cancel',
      {
        schema: { params: PaymentIdParams, response: { 200: Payment } },
        config: { roles: ['pos', 'manager'] },
      },
      async (request) => payments.cancel(request.params.id),
    );
    app.post(
      '/api/v1/payments/:id/retry',
      {
        schema: { params: PaymentIdParams, body: RetryCardBody, response: { 200: Payment } },
        config: { roles: ['pos', 'manager'] },
      },
      async (request) => payments.retry(request.params.id, request.body),
    );
    app.get(
      '/api/v1/payments/unverified',
      { schema: { response: { 200: UnverifiedPayments } }, config: { roles: ['manager'] } },
      async () => payments.unverified(),
    );
    app.post(
      '/api/v1/payments/:id/verify',
      {
        schema: { params: PaymentIdParams, body: VerifyStandaloneBody, response: { 200: Payment } },
        config: { roles: ['manager'] },
      },
      async (request) => payments.verify(request.params.id, request.body),
    );
    app.post(
      '/api/v1/payments/reconcile',
      {
        schema: { response: { 200: z.object({ checked: z.int(), settled: z.int(), mismatches: z.int() }) } },
        config: { roles: ['manager'] },
      },
      async () => payments.reconcile(),
    );
  };
