import type { EditPunchBody, LabourLine, Punch } from '../../protocol/day.ts';
import type { IdSource } from '../../protocol/ids.ts';
import { labourLines } from '../../rules/day.ts';
import type { Caller } from '../../rules/permissions.ts';
import { HubError } from '../errors.ts';
import type { BusinessDay } from '../orders/business-day.ts';
import { recordAudit } from '../staff/audit.ts';
import { type StaffService, signedIn } from '../staff/service.ts';
import type { CommandContext } from '../store/committer.ts';
import type { Store } from '../store/index.ts';
import type { DayCommands } from './commands.ts';

/**
 * The time clock (docs/staff.md): clock in with a job, breaks, clock out, on any till, by the
 * person signed in on it; a manager closes a forgotten punch or corrects one with a reason, and
 * the edit is audited. Hours per person per day come from the punches (rules/day.ts).
 */
export class TimeClock {
  constructor(
    private readonly store: Store,
    private readonly commands: DayCommands,
    private readonly staff: StaffService,
    private readonly day: BusinessDay,
    private readonly newId: IdSource,
  ) {}

  clockIn(caller: Caller, body: { commandId: string; job?: string | undefined }): Promise<Punch> {
    const who = signedIn(caller, 'clock in');
    return this.commands.run('clock-in', { ...body, staffId: who.ref.staffId }, (ctx) => {
      const open = this.store.day.openPunch(who.ref.staffId);
      if (open) {
        throw new HubError(
          'ALREADY_CLOCKED_IN',
          `${who.ref.name} has been on the clock since ${clock(open.inAt)}; clock out first.`,
        );
      }
      const job = body.job ?? who.role.id;
      if (!this.staff.roles().some((r) => r.id === job)) {
        throw new HubError('VALIDATION_FAILED', `No job "${job}"; the jobs are the roles.`, [
          { field: 'job', message: `no role "${job}"` },
        ]);
      }
      const punch: Punch = {
        id: this.newId(),
        staff: who.ref,
        job,
        inAt: ctx.at,
        outAt: null,
        breaks: [],
        edited: null,
      };
      return this.save(ctx, punch);
    });
  }

  startBreak(caller: Caller, body: { commandId: string; paid: boolean }): Promise<Punch> {
    return this.change(caller, 'break-start', body, 'start a break', (punch, at) => {
      if (punch.breaks.some((b) => b.endAt === null))
        throw new HubError('ILLEGAL_TRANSITION', 'Already on a break.');
      punch.breaks.push({ startAt: at, endAt: null, paid: body.paid });
    });
  }

  endBreak(caller: Caller, body: { commandId: string }): Promise<Punch> {
    return this.change(caller, 'break-end', body, 'end a break', (punch, at) => {
      const on = punch.breaks.find((b) => b.endAt === null);
      if (!on) throw new HubError('ILLEGAL_TRANSITION', 'Not on a break.');
      on.endAt = at;
    });
  }

  clockOut(caller: Caller, body: { commandId: string }): Promise<Punch> {
    return this.change(caller, 'clock-out', body, 'clock out', (punch, at) => {
      for (const b of punch.breaks) b.endAt ??= at;
      punch.outAt = at;
    });
  }

  /** A manager closes a forgotten punch, or corrects its times; needs "punch.edit". */
  async edit(punchId: string, body: EditPunchBody, caller: Caller): Promise<Punch> {
    const override = await this.staff.overrider(body.approval);
    return this.commands.run('punch-edit', { ...body, punchId }, (ctx) => {
      const punch = this.store.day.punch(punchId);
      if (!punch) throw new HubError('PUNCH_NOT_FOUND', `No time punch ${punchId}.`);
      const approvedBy = this.staff.permit(
        { ...caller, override },
        'punch.edit',
        `editing ${punch.staff.name}'s punch`,
      );
      const before = `${clock(punch.inAt)}–${punch.outAt ? clock(punch.outAt) : 'open'}`;
      const inAt = body.inAt ? new Date(body.inAt).toISOString() : punch.inAt;
      const outAt = body.outAt ? new Date(body.outAt).toISOString() : punch.outAt;
      if (outAt !== null && outAt < inAt) {
        throw new HubError('VALIDATION_FAILED', 'Invalid body: outAt is before inAt.', [
          { field: 'outAt', message: 'is before the clock-in' },
        ]);
      }
      punch.inAt = inAt;
      punch.outAt = outAt;
      for (const b of punch.breaks) if (outAt) b.endAt ??= outAt;
      const by = caller.staff?.ref ?? approvedBy;
      punch.edited = { reason: body.reason, by, at: ctx.at };
      recordAudit(ctx, this.store, caller, {
        action: 'punch.edit',
        approver: approvedBy,
        reason: body.reason,
        detail: `${punch.staff.name}'s punch ${before} → ${clock(inAt)}–${outAt ? clock(outAt) : 'open'}`,
      });
      return this.save(ctx, punch);
    });
  }

  punches(date: string): Punch[] {
    return this.store.day.punches(date);
  }

  /** Hours (and cost, where a wage is set) per person and job on one business day. */
  labour(date: string, now: string): LabourLine[] {
    const wages = new Map(this.store.staff.list().map((s) => [s.id, s.wage]));
    return labourLines(this.store.day.punches(date), wages, now);
  }

  private change(
    caller: Caller,
    kind: string,
    body: { commandId: string },
    what: string,
    apply: (punch: Punch, at: string) => void,
  ): Promise<Punch> {
    const who = signedIn(caller, what);
    return this.commands.run(kind, { ...body, staffId: who.ref.staffId }, (ctx) => {
      const punch = this.store.day.openPunch(who.ref.staffId);
      if (!punch)
        throw new HubError('NOT_CLOCKED_IN', `${who.ref.name} is not on the clock; clock in first.`);
      apply(punch, ctx.at);
      return this.save(ctx, punch);
    });
  }

  private save(ctx: CommandContext, punch: Punch): Punch {
    // A shift belongs to the day it began, even when it ends after that day's Z.
    const businessDate = this.store.day.punchDate(punch.id) ?? this.day.dateOf(punch.inAt);
    this.store.day.savePunch(punch, businessDate);
    ctx.emit({ type: 'punch.recorded', topic: 'staff', entityId: punch.id, data: { punch, businessDate } });
    return punch;
  }
}

const time = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' });
const clock = (iso: string) => time.format(new Date(iso));
