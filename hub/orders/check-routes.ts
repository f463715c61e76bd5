import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import {
  AddRoundBody,
  ApplyDiscountBody,
  ChangeServerBody,
  CheckList,
  CheckListQuery,
  CompLinesBody,
  DiscountList,
  FireCourseBody,
  FloorPlan,
  FloorView,
  MergeBody,
  MoveTableBody,
  ReopenBody,
  ServiceSettings,
  SplitBody,
  SplitResult,
  TransferBody,
  TwoChecks,
  VoidLinesBody,
} from '../../protocol/checks.ts';
import { Order, OrderIdParams } from '../../protocol/orders.ts';
import type { Caller } from '../../rules/permissions.ts';
import { anyRole } from '../http/admission.ts';
import { callerOf } from '../http/auth.ts';
import { asTheEventCarriesIt } from '../http/validation.ts';
import type { CheckService } from './checks.ts';
import { listCost } from './routes.ts';
import type { ServiceSetup } from './setup.ts';

const cashier = ['pos', 'manager'] as const;

type CheckCommand = {
  path: string;
  body: z.ZodType;
  response: z.ZodType;
  run: (id: string, body: never, caller: Caller) => Promise<unknown>;
};

export const checkRoutes =
  (checks: CheckService, setup: ServiceSetup): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/api/v1/checks',
      {
        schema: { querystring: CheckListQuery, response: { 200: CheckList } },
        config: { roles: anyRole, readCost: listCost },
      },
      async (request) => checks.list(request.query),
    );

    app.get(
      '/api/v1/floor',
      { schema: { response: { 200: FloorView } }, config: { roles: anyRole } },
      async () => checks.floor(),
    );

    // Each command on a check: POST /api/v1/orders/:id/<verb>, the same frame for all.
    const commands: CheckCommand[] = [
      { path: 'rounds', body: AddRoundBody, response: Order, run: (id, b, d) => checks.addRound(id, b, d) },
      { path: 'fire', body: FireCourseBody, response: Order, run: (id, b, d) => checks.fire(id, b, d) },
      {
        path: 'void-lines',
        body: VoidLinesBody,
        response: Order,
        run: (id, b, d) => checks.voidLines(id, b, d),
      },
      { path: 'comp', body: CompLinesBody, response: Order, run: (id, b, d) => checks.compLines(id, b, d) },
      {
        path: 'discounts',
        body: ApplyDiscountBody,
        response: Order,
        run: (id, b, d) => checks.applyDiscount(id, b, d),
      },
      { path: 'split', body: SplitBody, response: SplitResult, run: (id, b, d) => checks.split(id, b, d) },
      { path: 'move', body: MoveTableBody, response: Order, run: (id, b, d) => checks.moveTable(id, b, d) },
      { path: 'merge', body: MergeBody, response: TwoChecks, run: (id, b, d) => checks.merge(id, b, d) },
      {
        path: 'transfer',
        body: TransferBody,
        response: TwoChecks,
        run: (id, b, d) => checks.transfer(id, b, d),
      },
      { path: 'reopen', body: ReopenBody, response: Order, run: (id, b, d) => checks.reopen(id, b, d) },
      {
        path: 'server',
        body: ChangeServerBody,
        response: Order,
        run: (id, b, d) => checks.changeServer(id, b, d),
      },
    ];
    for (const c of commands) {
      app.post(
        `/api/v1/orders/:id/${c.path}`,
        {
          schema: { params: OrderIdParams, body: c.body, response: { 200: c.response } },
          // A check is large (40 lines, its tickets): written as it is, not re-validated on the way out.
          serializerCompiler: asTheEventCarriesIt,
          config: { roles: cashier },
        },
        async (request) => c.run(request.params.id, request.body as never, callerOf(request)),
      );
    }

    // A manager's settings: read by any device, written by a manager, each a whole document.
    const setting = <S extends z.ZodType>(
      path: string,
      schema: S,
      get: () => unknown,
      put: (v: z.output<S>) => Promise<unknown>,
    ) => {
      const document: z.ZodType = schema;
      app.get(path, { schema: { response: { 200: document } }, config: { roles: anyRole } }, async () =>
        get(),
      );
      app.put(
        path,
        { schema: { body: document, response: { 200: document } }, config: { roles: ['manager'] } },
        async (request) => put(request.body as z.output<S>),
      );
    };
    setting(
      '/api/v1/floor-plan',
      FloorPlan,
      () => setup.floorPlan(),
      (v) => setup.setFloorPlan(v),
    );
    setting(
      '/api/v1/discounts',
      DiscountList,
      () => ({ discounts: setup.discounts() }),
      (v) => setup.setDiscounts(v),
    );
    setting(
      '/api/v1/service-settings',
      ServiceSettings,
      () => setup.service(),
      (v) => setup.setService(v),
    );
  };
