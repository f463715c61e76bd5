import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  BreakBody,
  BusinessDate,
  Checkout,
  CheckoutBody,
  ClockInBody,
  ClockOutBody,
  CloseDayBody,
  CloseDrawerBody,
  DayFigures,
  DrawerIdParams,
  DrawerMoveBody,
  DrawerView,
  EditPunchBody,
  LabourLine,
  OpenDrawerBody,
  Punch,
  ZList,
  ZNumberParams,
  ZReport,
} from '../../protocol/day.ts';
import { Uuid } from '../../protocol/ids.ts';
import { callerOf } from '../http/auth.ts';
import type { ServerCheckout } from './checkout.ts';
import type { TimeClock } from './clock.ts';
import type { DayClose } from './close.ts';
import type { Drawers } from './drawers.ts';

export interface DayServices {
  clock: TimeClock;
  drawers: Drawers;
  checkout: ServerCheckout;
  close: DayClose;
  /** ISO now, from the hub's clock. */
  now: () => string;
}

const cashier = ['pos', 'manager'] as const;
const DateQuery = z.strictObject({ date: BusinessDate.optional() });

/** The time clock, cash drawers, server checkout and the X and Z reports (docs/staff.md). */
export const dayRoutes =
  ({ clock, drawers, checkout, close, now }: DayServices): FastifyPluginAsyncZod =>
  async (app) => {
    const today = (date: string | undefined) => date ?? close.openDate(now());

    // ---- the time clock ----
    const punch = { response: { 200: Punch } };
    app.post(
      '/api/v1/clock/in',
      { schema: { body: ClockInBody, ...punch }, config: { roles: cashier } },
      async (r) => clock.clockIn(callerOf(r), r.body),
    );
    app.post(
      '/api/v1/clock/break',
      { schema: { body: BreakBody, ...punch }, config: { roles: cashier } },
      async (r) => clock.startBreak(callerOf(r), r.body),
    );
    app.post(
      '/api/v1/clock/break-end',
      { schema: { body: ClockOutBody, ...punch }, config: { roles: cashier } },
      async (r) => clock.endBreak(callerOf(r), r.body),
    );
    app.post(
      '/api/v1/clock/out',
      { schema: { body: ClockOutBody, ...punch }, config: { roles: cashier } },
      async (r) => clock.clockOut(callerOf(r), r.body),
    );
    app.get(
      '/api/v1/punches',
      {
        schema: {
          querystring: DateQuery,
          response: { 200: z.object({ date: BusinessDate, punches: z.array(Punch) }) },
        },
        config: { roles: cashier },
      },
      async (r) => ({ date: today(r.query.date), punches: clock.punches(today(r.query.date)) }),
    );
    app.post(
      '/api/v1/punches/:id/edit',
      {
        schema: { params: z.strictObject({ id: Uuid }), body: EditPunchBody, ...punch },
        config: { roles: cashier },
      },
      async (r) => clock.edit(r.params.id, r.body, callerOf(r)),
    );
    app.get(
      '/api/v1/reports/labour',
      {
        schema: {
          querystring: DateQuery,
          response: { 200: z.object({ date: BusinessDate, labour: z.array(LabourLine) }) },
        },
        config: { roles: ['manager'] },
      },
      async (r) => ({ date: today(r.query.date), labour: clock.labour(today(r.query.date), now()) }),
    );

    // ---- cash drawers ----
    const drawer = { response: { 200: DrawerView } };
    app.get(
      '/api/v1/drawers/current',
      {
        schema: { response: { 200: z.object({ drawer: DrawerView.nullable() }) } },
        config: { roles: cashier },
      },
      async (r) => ({ drawer: drawers.current(callerOf(r)) }),
    );
    app.get(
      '/api/v1/drawers',
      {
        schema: {
          querystring: DateQuery,
          response: { 200: z.object({ date: BusinessDate, drawers: z.array(DrawerView) }) },
        },
        config: { roles: cashier },
      },
      async (r) => ({ date: today(r.query.date), drawers: drawers.list(today(r.query.date), callerOf(r)) }),
    );
    app.post(
      '/api/v1/drawers',
      { schema: { body: OpenDrawerBody, response: { 201: DrawerView } }, config: { roles: cashier } },
      async (r, reply) => reply.code(201).send(await drawers.open(callerOf(r), r.body)),
    );
    app.get(
      '/api/v1/drawers/:id',
      { schema: { params: DrawerIdParams, ...drawer }, config: { roles: cashier } },
      async (r) => drawers.view(r.params.id, callerOf(r)),
    );
    app.post(
      '/api/v1/drawers/:id/moves',
      { schema: { params: DrawerIdParams, body: DrawerMoveBody, ...drawer }, config: { roles: cashier } },
      async (r) => drawers.move(r.params.id, r.body, callerOf(r)),
    );
    app.post(
      '/api/v1/drawers/:id/close',
      { schema: { params: DrawerIdParams, body: CloseDrawerBody, ...drawer }, config: { roles: cashier } },
      async (r) => drawers.close(r.params.id, r.body, callerOf(r)),
    );

    // ---- a server's checkout ----
    app.get(
      '/api/v1/staff/:id/checkout',
      {
        schema: { params: z.strictObject({ id: Uuid }), response: { 200: Checkout } },
        config: { roles: cashier },
      },
      async (r) => checkout.of(r.params.id, now()),
    );
    app.post(
      '/api/v1/checkout',
      { schema: { body: CheckoutBody, response: { 200: Checkout } }, config: { roles: cashier } },
      async (r) => checkout.record(callerOf(r), null, r.body),
    );
    app.post(
      '/api/v1/staff/:id/checkout',
      {
        schema: { params: z.strictObject({ id: Uuid }), body: CheckoutBody, response: { 200: Checkout } },
        config: { roles: cashier },
      },
      async (r) => checkout.record(callerOf(r), r.params.id, r.body),
    );

    // ---- X and Z ----
    app.get(
      '/api/v1/reports/x',
      { schema: { response: { 200: DayFigures } }, config: { roles: cashier } },
      async () => close.x(now()),
    );
    app.post(
      '/api/v1/day/close',
      { schema: { body: CloseDayBody, response: { 200: ZReport } }, config: { roles: cashier } },
      async (r) => close.close(callerOf(r), r.body),
    );
    app.get(
      '/api/v1/reports/z',
      { schema: { response: { 200: ZList } }, config: { roles: cashier } },
      async () => ({
        reports: close.list(400).map((z) => ({
          number: z.number,
          closedAt: z.closedAt,
          forced: z.forced,
          businessDate: z.figures.businessDate,
          net: z.figures.net,
        })),
      }),
    );
    app.get(
      '/api/v1/reports/z/:number',
      { schema: { params: ZNumberParams, response: { 200: ZReport } }, config: { roles: cashier } },
      async (r) => close.get(r.params.number),
    );
  };
