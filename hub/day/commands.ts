import { HubError } from '../errors.ts';
import { fingerprint } from '../idempotency.ts';
import type { CommandContext, GroupCommitter } from '../store/committer.ts';
import type { Store } from '../store/index.ts';

/**
 * The command frame for the day's commands (punches, drawers, checkouts, the Z): applied in one
 * transaction with its events, the answer kept under the client's command id, so a replay
 * answers the same and a different body under a used id is refused (invariant 2).
 */
export class DayCommands {
  constructor(
    private readonly store: Store,
    private readonly committer: GroupCommitter,
  ) {}

  run<T>(
    kind: string,
    body: { commandId: string; approval?: { staffId: string } | undefined; [field: string]: unknown },
    apply: (ctx: CommandContext) => T,
  ): Promise<T> {
    // A PIN is checked, never stored: the digest holds who approved, not their PIN.
    const { commandId, approval, ...asked } = body;
    const digest = fingerprint({ kind, ...asked, approver: approval?.staffId ?? null });
    return this.committer.run((ctx) => {
      const stored = this.store.day.command(commandId);
      if (stored) {
        if (stored.fingerprint !== digest) {
          throw new HubError(
            'COMMAND_ID_REUSED',
            `Command ${commandId} was already used for a different change. Make a new id (UUIDv7) for a new command; resend the identical body to retry.`,
            [{ field: 'commandId', message: 'already used for a different command' }],
          );
        }
        return JSON.parse(stored.result) as T;
      }
      const result = apply(ctx);
      this.store.day.recordCommand(commandId, digest, result, ctx.at);
      return result;
    });
  }
}
