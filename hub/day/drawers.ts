import type { AuditAction } from '../../protocol/audit.ts';
import type { DenominationCount, Drawer, DrawerMoveBody, DrawerView } from '../../protocol/day.ts';
import type { IdSource } from '../../protocol/ids.ts';
import { countTotal, drawerExpected, overShortWords } from '../../rules/day.ts';
import { money } from '../../rules/money.ts';
import { type Caller, may } from '../../rules/permissions.ts';
import { HubError } from '../errors.ts';
import type { BusinessDay } from '../orders/business-day.ts';
import type { ServiceSetup } from '../orders/setup.ts';
import { recordAudit } from '../staff/audit.ts';
import { type StaffService, signedIn } from '../staff/service.ts';
import type { CommandContext } from '../store/committer.ts';
import type { Store } from '../store/index.ts';
import type { DayCommands } from './commands.ts';

const moveAudit: Record<DrawerMoveBody['kind'], AuditAction> = {
  no_sale: 'drawer.open',
  paid_in: 'drawer.paid_in',
  paid_out: 'drawer.paid_out',
  drop: 'drawer.drop',
};
const moveWords: Record<DrawerMoveBody['kind'], string> = {
  no_sale: 'Opened the drawer without a sale',
  paid_in: 'Paid in',
  paid_out: 'Paid out',
  drop: 'Dropped to the safe',
};

/**
 * Cash drawers (docs/staff.md): a session per till, or per server (a restaurant setting), from
 * the opening float to a blind count at close. Cash payments and refunds land in the drawer open
 * where they are taken; paid-ins, paid-outs, drops and no-sales need "drawer.open" and are
 * audited. At close the count is compared with what the hub expected: over or short is kept.
 */
export class Drawers {
  constructor(
    private readonly store: Store,
    private readonly commands: DayCommands,
    private readonly staff: StaffService,
    private readonly setup: ServiceSetup,
    private readonly day: BusinessDay,
    private readonly newId: IdSource,
  ) {}

  /** The drawer cash taken by this caller goes into, if one is open. */
  openFor(caller: Caller): Drawer | null {
    if (this.setup.service().drawerMode === 'server') {
      return caller.staff ? this.store.day.openDrawer({ ownerId: caller.staff.ref.staffId }) : null;
    }
    return this.store.day.openDrawer({ deviceId: caller.device.id });
  }

  open(caller: Caller, body: { commandId: string; float: number }): Promise<DrawerView> {
    const who = signedIn(caller, 'open a cash drawer');
    return this.commands.run(
      'drawer-open',
      { ...body, deviceId: caller.device.id, staffId: who.ref.staffId },
      (ctx) => {
        const already = this.openFor(caller);
        if (already) {
          throw new HubError(
            'DRAWER_ALREADY_OPEN',
            `A drawer is already open here (since ${already.openedAt.slice(11, 16)} UTC, float ${money(already.float)}): close it before opening another.`,
          );
        }
        const perServer = this.setup.service().drawerMode === 'server';
        const drawer: Drawer = {
          id: this.newId(),
          deviceId: caller.device.id,
          owner: perServer ? who.ref : null,
          businessDate: this.day.dateOf(ctx.at),
          openedAt: ctx.at,
          openedBy: who.ref,
          float: body.float,
          moves: [],
          closedAt: null,
          closedBy: null,
          counted: null,
          countedTotal: null,
          expected: null,
          overShort: null,
        };
        return this.save(ctx, drawer, caller);
      },
    );
  }

  async move(drawerId: string, body: DrawerMoveBody, caller: Caller): Promise<DrawerView> {
    const override = await this.staff.overrider(body.approval);
    if (body.kind !== 'no_sale' && body.amount <= 0) {
      throw new HubError('VALIDATION_FAILED', 'Invalid body: amount must be more than 0.', [
        { field: 'amount', message: 'must be more than 0' },
      ]);
    }
    if (body.kind !== 'drop' && !body.reason) {
      throw new HubError('VALIDATION_FAILED', 'Invalid body: reason is required (what the cash was for).', [
        { field: 'reason', message: 'is required' },
      ]);
    }
    return this.commands.run('drawer-move', { ...body, drawerId }, (ctx) => {
      const drawer = this.openDrawer(drawerId);
      const words = moveWords[body.kind];
      const approvedBy = this.staff.permit({ ...caller, override }, 'drawer.open', words.toLowerCase());
      const amount = body.kind === 'no_sale' ? 0 : body.amount;
      drawer.moves.push({
        id: this.newId(),
        kind: body.kind,
        amount,
        reason: body.reason ?? null,
        by: caller.staff?.ref ?? null,
        approvedBy,
        at: ctx.at,
      });
      recordAudit(ctx, this.store, caller, {
        action: moveAudit[body.kind],
        approver: approvedBy,
        reason: body.reason ?? null,
        detail: `${words}${amount ? ` ${money(amount)}` : ''}`,
        amount: amount || null,
      });
      return this.save(ctx, drawer, caller);
    });
  }

  /** A blind close: the count goes in first; only then does the hub say what it expected. */
  close(
    drawerId: string,
    body: { commandId: string; counted: DenominationCount },
    caller: Caller,
  ): Promise<DrawerView> {
    const who = signedIn(caller, 'close a cash drawer');
    return this.commands.run('drawer-close', { ...body, drawerId }, (ctx) => {
      const drawer = this.openDrawer(drawerId);
      const figures = drawerExpected(drawer, this.store.payments.drawerCash(drawer.id));
      const countedTotal = countTotal(body.counted);
      const overShort = countedTotal - figures.expected;
      Object.assign(drawer, {
        closedAt: ctx.at,
        closedBy: who.ref,
        counted: body.counted,
        countedTotal,
        expected: figures.expected,
        overShort,
      });
      recordAudit(ctx, this.store, caller, {
        action: 'drawer.close',
        detail: `Counted ${money(countedTotal)} against ${money(figures.expected)} expected: ${overShortWords(overShort, money)}`,
        amount: overShort,
      });
      // Closed, it shows what it should have held: the count is in.
      return this.save(ctx, drawer, caller);
    });
  }

  view(drawerId: string, caller: Caller): DrawerView {
    const drawer = this.store.day.drawer(drawerId);
    if (!drawer) throw new HubError('DRAWER_NOT_FOUND', `No cash drawer session ${drawerId}.`);
    return this.withFigures(drawer, caller);
  }

  current(caller: Caller): DrawerView | null {
    const drawer = this.openFor(caller);
    return drawer ? this.withFigures(drawer, caller) : null;
  }

  list(date: string, caller: Caller): DrawerView[] {
    return this.store.day.drawers(date).map((d) => this.withFigures(d, caller));
  }

  private openDrawer(id: string): Drawer {
    const drawer = this.store.day.drawer(id);
    if (!drawer) throw new HubError('DRAWER_NOT_FOUND', `No cash drawer session ${id}.`);
    if (drawer.closedAt)
      throw new HubError(
        'DRAWER_NOT_OPEN',
        `That drawer was closed at ${drawer.closedAt.slice(11, 16)} UTC; open a new one.`,
      );
    return drawer;
  }

  private save(ctx: CommandContext, drawer: Drawer, caller: Caller): DrawerView {
    this.store.day.saveDrawer(drawer);
    ctx.emit({ type: 'drawer.updated', topic: 'staff', entityId: drawer.id, data: { drawer } });
    return this.withFigures(drawer, caller);
  }

  /**
   * What the drawer should hold is shown once it is closed, or to whoever may close the day:
   * a cashier counting at close does not see it first (a blind count).
   */
  private withFigures(drawer: Drawer, caller: Caller): DrawerView {
    const sees =
      drawer.closedAt !== null ||
      caller.device.role === 'manager' ||
      (caller.staff !== null && may(caller.staff.role, 'day.close'));
    return {
      ...drawer,
      figures: sees ? drawerExpected(drawer, this.store.payments.drawerCash(drawer.id)) : null,
    };
  }
}
