import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DeviceIdParams } from '../../protocol/devices.ts';
import { Slug, Uuid } from '../../protocol/ids.ts';
import { OrderIdParams } from '../../protocol/orders.ts';
import {
  CreatePrinterBody,
  MoveJobBody,
  PrintCheckBody,
  Printer,
  PrintJob,
  PrintJobList,
  PrintJobQuery,
  StationPrinting,
  StationRoute,
  TillPrinterBody,
  UpdatePrinterBody,
} from '../../protocol/printers.ts';
import { deviceOf } from '../http/auth.ts';
import type { PrintingService } from './service.ts';

const manager = ['manager'] as const;
const IdParams = z.strictObject({ id: Uuid });

export const printingRoutes =
  (printing: PrintingService): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/v1/printers',
      { schema: { response: { 200: z.object({ printers: z.array(Printer) }) } }, config: { roles: manager } },
      async () => ({ printers: printing.printers() }),
    );
    app.post(
      '/api/v1/printers',
      { schema: { body: CreatePrinterBody, response: { 201: Printer } }, config: { roles: manager } },
      async (request, reply) => reply.code(201).send(await printing.addPrinter(request.body)),
    );
    app.patch(
      '/api/v1/printers/:id',
      {
        schema: { params: IdParams, body: UpdatePrinterBody, response: { 200: Printer } },
        config: { roles: manager },
      },
      async (request) => printing.updatePrinter(request.params.id, request.body),
    );
    app.delete(
      '/api/v1/printers/:id',
      { schema: { params: IdParams }, config: { roles: manager } },
      async (request, reply) => {
        await printing.removePrinter(request.params.id);
        return reply.code(204).send();
      },
    );
    app.post(
      '/api/v1/printers/:id/test',
      { schema: { params: IdParams, response: { 202: PrintJob } }, config: { roles: manager } },
      async (request, reply) => reply.code(202).send(await printing.testPrint(request.params.id)),
    );
    app.get(
      '/api/v1/printing/stations',
      {
        schema: {
          response: {
            200: z.object({
              stations: z.array(StationRoute),
              tills: z.array(z.object({ deviceId: z.string(), printerId: Uuid })),
            }),
          },
        },
        config: { roles: manager },
      },
      async () => ({ stations: printing.routes(), tills: printing.tills() }),
    );
    app.put(
      '/api/v1/printing/stations/:stationId',
      {
        schema: {
          params: z.strictObject({ stationId: Slug }),
          body: StationPrinting,
          response: { 200: StationRoute },
        },
        config: { roles: manager },
      },
      async (request) => printing.setRoute(request.params.stationId, request.body),
    );
    app.put(
      '/api/v1/devices/:id/receipt-printer',
      { schema: { params: DeviceIdParams, body: TillPrinterBody }, config: { roles: manager } },
      async (request, reply) => {
        await printing.setTillPrinter(request.params.id, request.body.printerId);
        return reply.code(204).send();
      },
    );
    app.get(
      '/api/v1/print-jobs',
      { schema: { querystring: PrintJobQuery, response: { 200: PrintJobList } }, config: { roles: manager } },
      async (request) => ({ jobs: printing.jobs(request.query) }),
    );
    app.post(
      '/api/v1/print-jobs/:id/reprint',
      {
        schema: { params: IdParams, body: PrintCheckBody.nullish(), response: { 202: PrintJob } },
        config: { roles: manager },
      },
      async (request, reply) =>
        reply.code(202).send(await printing.reprint(request.params.id, request.body?.printerId)),
    );
    app.post(
      '/api/v1/print-jobs/:id/cancel',
      { schema: { params: IdParams, response: { 200: PrintJob } }, config: { roles: manager } },
      async (request) => printing.cancel(request.params.id),
    );
    app.post(
      '/api/v1/print-jobs/:id/move',
      {
        schema: { params: IdParams, body: MoveJobBody, response: { 200: PrintJob } },
        config: { roles: manager },
      },
      async (request) => printing.move(request.params.id, request.body.printerId),
    );
    for (const kind of ['bill', 'receipt'] as const) {
      app.post(
        `/api/v1/orders/:id/${kind}`,
        {
          schema: { params: OrderIdParams, body: PrintCheckBody.nullish(), response: { 202: PrintJob } },
          config: { roles: ['pos', 'manager'] },
        },
        async (request, reply) =>
          reply
            .code(202)
            .send(
              await printing.printCheck(
                request.params.id,
                kind,
                deviceOf(request).id,
                request.body?.printerId,
              ),
            ),
      );
    }
  };
