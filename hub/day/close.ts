import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CloseDayBody, DayFigures, ZReport } from '../../protocol/day.ts';
import type { Logger } from '../../protocol/logger.ts';
import type { Order } from '../../protocol/orders.ts';
import { dayFigures, openChecks } from '../../rules/day.ts';
import type { Caller } from '../../rules/permissions.ts';
import { HubError } from '../errors.ts';
import type { MenuService } from '../menu/service.ts';
import type { BusinessDay } from '../orders/business-day.ts';
import type { ServiceSetup } from '../orders/setup.ts';
import { recordAudit } from '../staff/audit.ts';
import type { StaffService } from '../staff/service.ts';
import type { Store } from '../store/index.ts';
import type { TimeClock } from './clock.ts';
import type { DayCommands } from './commands.ts';

/**
 * Closing the day (docs/staff.md). The X report is the open day's figures, any time. The Z closes
 * it: refused while checks are open (or forced, carrying them to the next day), its figures frozen
 * in a numbered record SQLite refuses to change, and the next business day begun.
 *
 * Z numbers never repeat or skip. The newest number is also kept in a file beside the database
 * (`z-number`), written after each Z commits: a database restored from an older backup still
 * numbers on from the highest Z ever made, not from the backup's.
 */
export class DayClose {
  private readonly numberFile: string;

  constructor(
    private readonly store: Store,
    private readonly commands: DayCommands,
    private readonly staff: StaffService,
    private readonly setup: ServiceSetup,
    private readonly menu: MenuService,
    private readonly day: BusinessDay,
    private readonly clock: TimeClock,
    private readonly log: Logger,
  ) {
    this.numberFile = join(dirname(store.file), 'z-number');
  }

  /** The business day a Z would close now: the oldest one with checks not closed yet. */
  openDate(now: string): string {
    const after = this.store.day.lastZ()?.businessDate ?? null;
    return this.store.orders.firstDateAfter(after) ?? this.day.dateOf(now);
  }

  /** The X report: the open day so far. */
  x(now: string): DayFigures {
    const date = this.openDate(now);
    return this.figures(date, now, this.store.orders.ofBusinessDate(date));
  }

  async close(caller: Caller, body: CloseDayBody): Promise<ZReport> {
    const override = await this.staff.overrider(body.approval);
    const z = await this.frame(() =>
      this.commands.run('day-close', body, (ctx) => {
        const approvedBy = this.staff.permit({ ...caller, override }, 'day.close', 'closing the day');
        const date = this.openDate(ctx.at);
        // The day's checks are read once: the open ones carry over, the rest make the Z.
        const checks = this.store.orders.ofBusinessDate(date);
        const open = openChecks(checks);
        if (open.length > 0 && !body.force) {
          throw new HubError(
            'CHECKS_OPEN',
            `${open.length} check${open.length > 1 ? 's are' : ' is'} still open (${open.map((c) => `#${c.number}`).join(', ')}): close ${open.length > 1 ? 'them' : 'it'}, or close the day anyway to carry ${open.length > 1 ? 'them' : 'it'} to the next business day.`,
            [{ field: 'force', message: 'set true to carry the open checks over' }],
            undefined,
            undefined,
            { openChecks: open },
          );
        }
        const carried = new Set(open.map((c) => c.id));
        const figures = this.figures(
          date,
          ctx.at,
          checks.filter((c) => !carried.has(c.id)),
        );
        const last = Math.max(this.store.day.lastZ()?.number ?? 0, this.highWater());
        const report: ZReport = {
          number: last + 1,
          closedAt: ctx.at,
          closedBy: caller.staff?.ref ?? null,
          approvedBy,
          forced: open.length > 0,
          figures: { ...figures, openChecks: open },
        };
        this.store.day.addZ(report);
        this.day.forget();
        if (open.length > 0) this.store.day.carryOverOpenChecks(date, this.day.dateOf(ctx.at));
        recordAudit(ctx, this.store, caller, {
          action: 'day.close',
          approver: approvedBy,
          detail: `Z #${report.number} closed ${date}${open.length > 0 ? `, ${open.length} open check(s) carried over` : ''}`,
          amount: figures.net,
        });
        ctx.emit({
          type: 'day.closed',
          topic: 'staff',
          entityId: String(report.number),
          data: { z: report },
        });
        return report;
      }),
    );
    this.keepHighWater(z.number);
    return z;
  }

  /** Forgets the cached last Z whatever the outcome: a failed Z's transaction rolled back. */
  private async frame<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } finally {
      this.day.forget();
    }
  }

  list(limit: number): ZReport[] {
    return this.store.day.zReports(limit);
  }

  get(number: number): ZReport {
    const z = this.store.day.z(number);
    if (!z)
      throw new HubError(
        'NOT_FOUND',
        `No Z report #${number}; the newest is #${this.store.day.lastZ()?.number ?? 0}.`,
      );
    return z;
  }

  /** The day's figures from the checks given (for a Z, those not carried over). */
  private figures(date: string, now: string, checks: readonly Order[]): DayFigures {
    const service = this.setup.service();
    const devices = new Map(this.store.devices.all().map((d) => [d.id, d.name]));
    return dayFigures({
      businessDate: date,
      currency: this.menu.catalog()?.snapshot.currency ?? checks[0]?.currency ?? 'USD',
      checks,
      payments: this.store.payments.ofBusinessDate(date),
      drawers: this.store.day.drawers(date).map((d) => ({
        id: d.id,
        label: d.owner ? `${d.owner.name}'s bank` : (devices.get(d.deviceId ?? '') ?? 'Till'),
        expected: d.expected,
        counted: d.countedTotal,
        overShort: d.overShort,
      })),
      labour: this.clock.labour(date, now),
      declaredTips: this.store.day.checkouts(date).reduce((s, c) => s + c.declaredCashTips, 0),
      tipPool: service.tipPool,
    });
  }

  private highWater(): number {
    try {
      return Number(readFileSync(this.numberFile, 'utf8').trim()) || 0;
    } catch {
      return 0;
    }
  }

  /** Written whole (temp file, fsync, rename), so a crash leaves the old number or the new one. */
  private keepHighWater(number: number): void {
    if (number <= this.highWater()) return;
    try {
      const tmp = `${this.numberFile}.tmp`;
      const fd = openSync(tmp, 'w', 0o600);
      writeSync(fd, `${number}\n`);
      fsyncSync(fd);
      closeSync(fd);
      renameSync(tmp, this.numberFile);
    } catch (err) {
      this.log.error({ err, file: this.numberFile }, 'the Z number was not kept beside the database');
    }
  }
}
