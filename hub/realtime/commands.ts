import type { z } from 'zod';
import type { Device } from '../../protocol/devices.ts';
import { CreateOrderBody } from '../../protocol/orders.ts';
import type { OrderCreateCommand } from '../../protocol/realtime.ts';
import { fieldPath, HubError, toProblem } from '../errors.ts';
import type { Limiter } from '../limits/limiter.ts';
import type { OrderService } from '../orders/service.ts';

export interface CommandDeps {
  orders: OrderService;
  limiter: Limiter;
  commandsPerMinute: number;
}

/**
 * Runs a command that arrived over /ws exactly as its HTTP route would: zod validation naming the
 * field, role check, the per-device rate limit, the idempotent order create. Answers with the
 * status HTTP would have used, so devices handle both transports alike.
 */
export async function runCommand(
  deps: CommandDeps,
  device: Device,
  command: z.infer<typeof OrderCreateCommand>,
): Promise<string> {
  const answer = (status: number, extra: Record<string, unknown>) =>
    JSON.stringify({ type: 'command.result', requestId: command.requestId, status, ...extra });
  const fail = (error: HubError) => answer(error.status, { problem: toProblem(error, '/ws order.create') });
  if (device.role !== 'pos' && device.role !== 'manager') {
    return fail(new HubError('FORBIDDEN', `A ${device.role} device may not create orders.`));
  }
  const verdict = deps.limiter.take(`device:${device.id}`, deps.commandsPerMinute, 60_000);
  if (!verdict.ok) {
    const s = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
    return fail(
      new HubError(
        'RATE_LIMITED',
        `More than ${deps.commandsPerMinute} commands in a minute; retry in ${s} s.`,
        undefined,
        s,
      ),
    );
  }
  const body = CreateOrderBody.safeParse(command.body);
  if (!body.success) {
    const errors = body.error.issues.map((i) => ({ field: fieldPath(i.path) || 'body', message: i.message }));
    return fail(
      new HubError('VALIDATION_FAILED', `Invalid body: ${errors[0]!.field} ${errors[0]!.message}`, errors),
    );
  }
  try {
    const { order, created } = await deps.orders.create(body.data, device.id);
    return answer(created ? 201 : 200, { order });
  } catch (err) {
    return fail(
      err instanceof HubError
        ? err
        : new HubError('INTERNAL', 'The order was not applied; it is safe to retry.'),
    );
  }
}
