import type { z } from 'zod';
import type { Role } from '../../protocol/devices.ts';
import type { Caller } from '../../rules/permissions.ts';

/**
 * A command a device may send, over HTTP or over its socket: who may send it, the body it takes,
 * and what it does. Declared once, so both transports admit, validate and answer it alike.
 */
export interface DeviceCommand<B extends z.ZodType = z.ZodType, V = unknown> {
  roles: readonly Role[];
  body: B;
  /** 201 when the command made something, 200 when it replayed an earlier answer. */
  run(body: z.output<B>, caller: Caller): Promise<{ status: 200 | 201; value: V }>;
}
