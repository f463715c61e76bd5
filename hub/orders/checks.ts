// Long on purpose: every command on a check goes through one frame (replay, approval, version,
// save and announce) kept private here, so no command can skip a step of it. The money rules are
// in rules/check.ts, the kitchen's tickets in kitchen.ts, the manager's set-up in setup.ts.
import type {
  AddRoundBody,
  ApplyDiscountBody,
  ChangeServerBody,
  CheckList,
  CheckListQuery,
  FireCourseBody,
  FloorView,
  MergeBody,
  MoveTableBody,
  ReopenBody,
  SplitBody,
  TableState,
  TransferBody,
  TwoChecks,
  VoidLinesBody,
} from '../../protocol/checks.ts';
import type { IdSource } from '../../protocol/ids.ts';
import type { TaxClass } from '../../protocol/menu.ts';
import type { Order, OrderLine } from '../../protocol/orders.ts';
import type { ApprovalInput, Permission, StaffRef } from '../../protocol/staff.ts';
import {
  adjustable,
  allocate,
  checkFigures,
  discountAmount,
  lineNet,
  splitEvenly,
  splitTaxes,
} from '../../rules/check.ts';
import { money } from '../../rules/money.ts';
import type { Caller } from '../../rules/permissions.ts';
import { priceOrder, sizeRefusal } from '../../rules/pricing.ts';
import { HubError } from '../errors.ts';
import { fingerprint } from '../idempotency.ts';
import type { MenuService } from '../menu/service.ts';
import { balance, holdsMoney } from '../payments/rules.ts';
import { recordAudit } from '../staff/audit.ts';
import type { Actor, StaffService } from '../staff/service.ts';
import type { CommandContext, GroupCommitter } from '../store/committer.ts';
import type { Store } from '../store/index.ts';
import type { CheckRow } from '../store/orders.ts';
import type { Kitchen } from './kitchen.ts';
import { statusFromTickets } from './lifecycle.ts';
import type { ServiceSetup } from './setup.ts';

const closed = new Set(['completed', 'voided']);

/** How a command answers: one check, the checks of a split, or the two a move touched. */
type Shape = 'check' | 'checks' | 'pair';

/** One command's work on the checks it touches: they are saved and announced, and answered in `shape`. */
interface Applied {
  changed: CheckRow[];
  shape: Shape;
}

function shaped(shape: Shape, orders: Order[]): unknown {
  if (shape === 'checks') return { checks: orders };
  if (shape === 'pair') return { from: orders[0], to: orders[1] };
  return orders[0];
}

/**
 * Commands on checks that live through the meal (docs/checks.md): rounds, firing courses,
 * voids, comps, discounts, splits, table moves, merges and transfers. Each is idempotent by its
 * `commandId`, refused whole or applied whole in one transaction with its events, and checked
 * against the version the till saw when it says which one that was.
 */
export class CheckService {
  constructor(
    private readonly store: Store,
    private readonly committer: GroupCommitter,
    private readonly menu: MenuService,
    private readonly staff: StaffService,
    private readonly setup: ServiceSetup,
    private readonly kitchen: Kitchen,
    private readonly newId: IdSource,
  ) {}

  list(query: CheckListQuery): CheckList {
    return this.store.orders.list(query);
  }

  /** Each table of the floor plan with the state of its open checks. */
  floor(): FloorView {
    const open = this.store.orders.onTables();
    const held = (lines: OrderLine[]) =>
      lines.some((l) => !l.void && (l.kitchen === 'held' || l.kitchen === 'unsent'));
    const fired = (lines: OrderLine[]) => lines.some((l) => !l.void && l.kitchen === 'fired');
    return {
      areas: this.setup.floorPlan().areas.map((area) => ({
        ...area,
        tables: area.tables.map((table) => {
          const checks = open.filter((c) => c.tableId === table.id);
          const lines = checks.flatMap((c) => c.lines);
          let state: TableState = 'free';
          if (checks.length > 0) state = 'seated';
          if (fired(lines)) state = held(lines) ? 'ordered' : 'mains_fired';
          // The bill printed, or part of it paid: the guests are settling up.
          if (checks.some((c) => c.presented || c.paid > 0)) state = 'presented';
          if (checks.length > 0 && checks.every((c) => c.total > 0 && c.due === 0)) state = 'paid';
          return {
            ...table,
            state,
            checkIds: checks.map((c) => c.id),
            guests: checks.reduce<number | null>(
              (n, c) => (c.guests === null ? n : (n ?? 0) + c.guests),
              null,
            ),
            seatedAt: checks[0]?.createdAt ?? null,
          };
        }),
      })),
    };
  }

  /** A round: lines added to the check, sent to the kitchen (unless `send` is false). */
  addRound(orderId: string, body: AddRoundBody, caller: Caller): Promise<Order> {
    return this.command('round', orderId, body, caller, null, (ctx, check) => {
      const catalog = this.menu.requireCatalog();
      const round = Math.max(0, ...check.lines.map((l) => l.round)) + 1;
      const firstLineNo = Math.max(0, ...check.lines.map((l) => l.lineNo)) + 1;
      const priced = priceOrder(body.lines, catalog, { round, firstLineNo, lineId: () => this.newId() });
      if (!priced.ok)
        throw new HubError(
          priced.code,
          priced.errors.map((e) => `${e.field}: ${e.message}`).join('; '),
          priced.errors,
        );
      check.lines.push(...priced.order.lines);
      check.fixedTaxes = null;
      const tooLarge = sizeRefusal(check.lines.reduce((s, l) => s + (l.void ? 0 : l.lineTotal), 0));
      if (tooLarge && !tooLarge.ok)
        throw new HubError(
          tooLarge.code,
          `Check #${check.number} would hold more than one check may: close it and open another.`,
          tooLarge.errors,
        );
      if (body.send !== false) this.sendToKitchen(ctx, check, new Set(body.hold));
      return this.one(check);
    });
  }

  /** Fire a held course now (the server's call, or auto-fire from a bump). */
  fire(orderId: string, body: FireCourseBody, caller: Caller): Promise<Order> {
    return this.command('fire', orderId, body, caller, null, (ctx, check) => {
      if (this.kitchen.fire(ctx, check.id, check.lines, body.course) === 0) {
        throw new HubError(
          'NOTHING_TO_FIRE',
          `Nothing of course "${body.course}" is held on check #${check.number}; it may have fired already.`,
          [{ field: 'course', message: 'nothing held' }],
        );
      }
      return this.one(check);
    });
  }

  async voidLines(orderId: string, body: VoidLinesBody, caller: Caller): Promise<Order> {
    return this.command('void', orderId, body, caller, body.approval, (ctx, check, actor) => {
      const lines = this.linesOf(check, body.lineIds);
      for (const line of lines) {
        if (line.void)
          throw new HubError('ILLEGAL_TRANSITION', `"${line.name}" (line ${line.lineNo}) is already voided.`);
      }
      const names = (some: OrderLine[]) => some.map((l) => `"${l.name}"`).join(', ');
      const afterFire = lines.filter((l) => l.kitchen === 'fired');
      const beforeFire = lines.filter((l) => l.kitchen !== 'fired');
      const approvedBy =
        (afterFire.length > 0
          ? this.staff.permit(actor, 'void.fired', `voiding ${names(afterFire)} after it went to the kitchen`)
          : null) ??
        (beforeFire.length > 0
          ? this.staff.permit(actor, 'void.unsent', `voiding ${names(beforeFire)}`)
          : null);
      check.fixedTaxes = null;
      for (const line of lines) {
        line.void = {
          reason: body.reason,
          at: ctx.at,
          deviceId: actor.device.id,
          by: actor.staff?.ref ?? null,
          approvedBy,
          afterFire: line.kitchen === 'fired',
          amount: line.lineTotal,
        };
      }
      const voided = lines.reduce((s, l) => s + l.lineTotal, 0);
      this.audit(
        ctx,
        check,
        actor,
        approvedBy,
        'void',
        body.reason,
        `voided ${names(lines)} (${money(voided, check.currency)})`,
        voided,
      );
      this.refuseBelowPaid(check);
      this.kitchen.strike(
        ctx,
        check.id,
        lines.filter((l) => l.kitchen !== 'unsent'),
      );
      return this.one(check);
    });
  }

  async compLines(orderId: string, body: VoidLinesBody, caller: Caller): Promise<Order> {
    return this.command('comp', orderId, body, caller, body.approval, (ctx, check, actor) => {
      const lines = this.linesOf(check, body.lineIds);
      const approvedBy = this.staff.permit(actor, 'comp', 'a comp');
      check.fixedTaxes = null;
      for (const line of lines) {
        if (!adjustable(line))
          throw new HubError(
            'ILLEGAL_TRANSITION',
            `"${line.name}" (line ${line.lineNo}) is ${line.void ? 'voided' : line.comp ? 'already comped' : 'already free'}.`,
          );
        line.comp = {
          reason: body.reason,
          at: ctx.at,
          deviceId: actor.device.id,
          by: actor.staff?.ref ?? null,
          approvedBy,
          amount: lineNet(line),
        };
      }
      const comped = lines.reduce((s, l) => s + (l.comp?.amount ?? 0), 0);
      this.audit(
        ctx,
        check,
        actor,
        approvedBy,
        'comp',
        body.reason,
        `comped ${lines.map((l) => `"${l.name}"`).join(', ')} (${money(comped, check.currency)})`,
        comped,
      );
      this.refuseBelowPaid(check);
      return this.one(check);
    });
  }

  async applyDiscount(orderId: string, body: ApplyDiscountBody, caller: Caller): Promise<Order> {
    return this.command('discount', orderId, body, caller, body.approval, (ctx, check, actor) => {
      const discount = this.setup.discount(body.discountId);
      const scope = body.lineIds ? 'line' : 'check';
      if (discount.scope !== 'either' && discount.scope !== scope) {
        throw new HubError(
          'VALIDATION_FAILED',
          `"${discount.name}" applies to ${discount.scope === 'line' ? 'chosen lines' : 'the whole check'} only.`,
          [
            {
              field: 'lineIds',
              message: discount.scope === 'line' ? 'choose the lines' : 'leave out for the whole check',
            },
          ],
        );
      }
      const approvedBy = this.staff.permit(
        actor,
        `discount:${discount.id}` as Permission,
        `the discount "${discount.name}"`,
      );
      const lines = (body.lineIds ? this.linesOf(check, body.lineIds) : check.lines).filter(adjustable);
      const nets = lines.map(lineNet);
      const amounts =
        scope === 'line' && discount.kind === 'percent'
          ? nets.map((n) => discountAmount('percent', discount.value, n))
          : allocate(
              discountAmount(
                discount.kind,
                discount.value,
                nets.reduce((s, n) => s + n, 0),
              ),
              nets,
            );
      const amount = amounts.reduce((s, a) => s + a, 0);
      if (amount === 0) {
        throw new HubError(
          'ILLEGAL_TRANSITION',
          `Nothing on check #${check.number} is left to discount (lines voided, comped or already free).`,
        );
      }
      check.fixedTaxes = null;
      lines.forEach((line, i) => {
        line.discount += amounts[i]!;
      });
      check.discountsApplied.push({
        id: this.newId(),
        discountId: discount.id,
        name: discount.name,
        lineIds: lines.filter((_, i) => amounts[i]! > 0).map((l) => l.id),
        scope,
        amount,
        at: ctx.at,
        deviceId: actor.device.id,
        by: actor.staff?.ref ?? null,
        approvedBy,
      });
      this.audit(
        ctx,
        check,
        actor,
        approvedBy,
        'discount',
        null,
        `"${discount.name}" took ${money(amount, check.currency)} off`,
        amount,
      );
      this.refuseBelowPaid(check);
      return this.one(check);
    });
  }

  /**
   * Splits the check: by groups of lines, by seat, or evenly. The check keeps the first part and
   * new checks take the rest; together they hold exactly what it held, tax included.
   */
  split(orderId: string, body: SplitBody, caller: Caller): Promise<{ checks: Order[] }> {
    return this.command('split', orderId, body, caller, null, (ctx, check) => {
      this.refuseWithPayments(check, 'split');
      this.store.orders.freezeTickets(check.id);
      const live = check.lines;
      const { taxes } = checkFigures(live, this.classesOf(check), check.fixedTaxes);
      let parts: { lines: OrderLine[]; taxes: Order['taxes'] }[];
      if (body.by === 'even') {
        if (live.every((l) => l.void))
          throw new HubError('SPLIT_INVALID', `Check #${check.number} has nothing to split.`);
        parts = splitEvenly(live, taxes, body.ways);
      } else {
        const groups = body.by === 'seat' ? this.seatGroups(check) : this.itemGroups(check, body.groups);
        const groupTaxes = splitTaxes(taxes, groups);
        parts = groups.map((lines, k) => ({ lines, taxes: groupTaxes[k]! }));
      }
      const [first, ...rest] = parts;
      const checks: CheckRow[] = [this.withLines(check, first!.lines, first!.taxes)];
      for (const part of rest) {
        const created = this.newCheck(ctx, check, part.lines, part.taxes);
        checks.push(created);
      }
      return { changed: checks, shape: 'checks' };
    });
  }

  moveTable(orderId: string, body: MoveTableBody, caller: Caller): Promise<Order> {
    return this.command('move', orderId, body, caller, null, (_ctx, check) => {
      const table = this.setup.table(body.tableId);
      check.tableId = table.id;
      check.tableLabel = `Table ${table.name}`;
      check.orderType = 'dine_in';
      return this.one(check);
    });
  }

  /** Brings another check's lines onto this one; the other is closed as merged. */
  merge(orderId: string, body: MergeBody, caller: Caller): Promise<TwoChecks> {
    return this.command('merge', orderId, body, caller, null, (ctx, check) => {
      const from = this.openCheck(body.fromOrderId, 'fromOrderId');
      if (from.id === check.id)
        throw new HubError('VALIDATION_FAILED', 'Invalid body: fromOrderId is this same check.', [
          { field: 'fromOrderId', message: 'is this check' },
        ]);
      this.refuseWithPayments(from, 'merge');
      this.store.orders.freezeTickets(from.id);
      this.moveLines(
        from,
        check,
        from.lines.map((l) => l.id),
      );
      from.voidReason = `Merged into check #${check.number}`;
      this.moveStatus(ctx, from, 'voided');
      return { changed: [from, check], shape: 'pair' };
    });
  }

  /** Moves chosen lines to another open check (a guest moves to the bar). */
  transfer(orderId: string, body: TransferBody, caller: Caller): Promise<TwoChecks> {
    return this.command('transfer', orderId, body, caller, null, (_ctx, check) => {
      const to = this.openCheck(body.toOrderId, 'toOrderId');
      if (to.id === check.id)
        throw new HubError('VALIDATION_FAILED', 'Invalid body: toOrderId is this same check.', [
          { field: 'toOrderId', message: 'is this check' },
        ]);
      this.refuseWithPayments(check, 'transfer items from');
      this.store.orders.freezeTickets(check.id);
      this.linesOf(check, body.lineIds);
      this.moveLines(check, to, body.lineIds);
      return { changed: [check, to], shape: 'pair' };
    });
  }

  /**
   * A closed check opened again (a guest comes back for dessert, a tip to correct): it returns to
   * where its tickets put it. Never a voided check, and never one whose day a Z has frozen.
   */
  reopen(orderId: string, body: ReopenBody, caller: Caller): Promise<Order> {
    return this.command('reopen', orderId, body, caller, body.approval, (ctx, check, actor) => {
      const approvedBy = this.staff.permit(actor, 'check.reopen', `reopening check #${check.number}`);
      const frozen = this.store.day.lastZ();
      if (frozen && this.store.orders.businessDateOf(check.id) <= frozen.businessDate) {
        throw new HubError(
          'CHECK_CLOSED',
          `Check #${check.number} belongs to ${frozen.businessDate}, closed by Z #${frozen.number}: it cannot change now. Refund it, or ring a new check.`,
        );
      }
      this.moveStatus(ctx, check, statusFromTickets('sent', this.store.orders.ticketStatuses(check.id)));
      this.audit(ctx, check, actor, approvedBy, 'check.reopen', body.reason, 'reopened', null);
      return this.one(check);
    });
  }

  /** Another server takes the check over (a shift change, a section swap). */
  changeServer(orderId: string, body: ChangeServerBody, caller: Caller): Promise<Order> {
    return this.command('server', orderId, body, caller, body.approval, (ctx, check, actor) => {
      const to = this.staff.ref(body.staffId);
      const approvedBy = this.staff.permit(
        actor,
        'check.transfer',
        `moving check #${check.number} to ${to.name}`,
      );
      const from = check.server?.name ?? 'nobody';
      check.server = to;
      this.audit(
        ctx,
        check,
        actor,
        approvedBy,
        'check.transfer',
        null,
        `moved from ${from} to ${to.name}`,
        null,
      );
      return this.one(check);
    });
  }

  /**
   * Called from a KDS bump, in its transaction: when every fired ticket of the check is bumped and
   * a course is still held, the next course fires by itself (if the restaurant wants that).
   */
  autoFire(ctx: CommandContext, orderId: string): void {
    // Runs on every bump: most checks hold nothing, and their statuses say so without their lines.
    if (!this.store.orders.ticketStatuses(orderId).includes('held')) return;
    if (!this.setup.service().autoFireNextCourse) return;
    const check = this.store.orders.get(orderId);
    if (!check || closed.has(check.status)) return;
    const live = check.tickets.filter((t) => t.status !== 'voided');
    if (!live.some((t) => t.status === 'held')) return;
    if (!live.filter((t) => t.status !== 'held').every((t) => t.status === 'bumped')) return;
    const order = this.menu.catalog()?.courseOrder;
    const next = live
      .filter((t) => t.status === 'held' && t.course !== null)
      .map((t) => t.course!)
      .sort((a, b) => (order?.get(a) ?? 99) - (order?.get(b) ?? 99))[0];
    if (!next) return;
    const row = this.store.orders.getRow(orderId)!;
    this.kitchen.fire(ctx, row.id, row.lines, next);
    this.save(ctx, row, `auto-fire:${next}`);
  }

  // ---- the command frame ----

  /**
   * Replay, approval, version and state checks around one command, then save and announce what
   * it changed and store its answer under the command id.
   */
  private async command<T>(
    kind: string,
    orderId: string,
    body: { commandId: string; expectedVersion?: number | undefined; approval?: ApprovalInput | undefined },
    caller: Caller,
    approval: ApprovalInput | undefined | null,
    apply: (ctx: CommandContext, check: CheckRow, actor: Actor) => Applied,
  ): Promise<T> {
    // The PIN is checked, never stored: the digest holds who approved, not their PIN.
    const { approval: _pin, ...rest } = body;
    const asked = fingerprint({ kind, orderId, ...rest, approver: body.approval?.staffId ?? null });
    const earlier = this.replay<T>(body.commandId, asked);
    if (earlier !== undefined) return earlier;
    const override = await this.staff.overrider(approval);
    return this.committer.run((ctx) => {
      const again = this.replay<T>(body.commandId, asked);
      if (again !== undefined) return again;
      const check = kind === 'reopen' ? this.closedCheck(orderId) : this.openCheck(orderId, 'id');
      if (body.expectedVersion !== undefined && body.expectedVersion !== check.version) {
        throw new HubError(
          'CHECK_VERSION_STALE',
          `Check #${check.number} changed on another till (you saw version ${body.expectedVersion}, it is now ${check.version}). Look at it again, then redo your change.`,
          [
            {
              field: 'expectedVersion',
              message: `is ${body.expectedVersion}; the check is at ${check.version}`,
            },
          ],
          undefined,
          this.store.orders.get(orderId),
        );
      }
      const applied = apply(ctx, check, { ...caller, override });
      const saved = applied.changed.map((c) => this.save(ctx, c, kind, caller.staff?.ref ?? null));
      // The answer is what the checks' events carry; the command keeps only where they are, so a
      // replay reads the same answer back (storing the checks again doubled a round's writes).
      const result = { shape: applied.shape, seqs: saved.map((e) => e.seq) };
      this.store.orders.recordCommand({
        id: body.commandId,
        orderId,
        kind,
        fingerprint: asked,
        result,
        at: ctx.at,
      });
      return shaped(
        applied.shape,
        saved.map((e) => e.order),
      ) as T;
    });
  }

  private replay<T>(commandId: string, asked: string): T | undefined {
    const stored = this.store.orders.command(commandId);
    if (!stored) return undefined;
    if (stored.fingerprint !== asked) {
      throw new HubError(
        'COMMAND_ID_REUSED',
        `Command ${commandId} was already used for a different change. Make a new id (UUIDv7) for a new command; resend the identical body to retry.`,
        [{ field: 'commandId', message: 'already used for a different command' }],
      );
    }
    const { shape, seqs } = JSON.parse(stored.result) as { shape: Shape; seqs: number[] };
    const orders = seqs.map((seq) => (JSON.parse(this.store.events.dataOf(seq)) as { order: Order }).order);
    return shaped(shape, orders) as T;
  }

  /** One sensitive action on this check, for the audit trail. */
  private audit(
    ctx: CommandContext,
    check: CheckRow,
    actor: Actor,
    approvedBy: StaffRef | null,
    action: 'void' | 'comp' | 'discount' | 'check.transfer' | 'check.reopen',
    reason: string | null,
    detail: string,
    amount: number | null,
  ): void {
    recordAudit(ctx, this.store, actor, {
      action,
      approver: approvedBy,
      orderId: check.id,
      reason,
      detail: `Check #${check.number}: ${detail}`,
      amount,
    });
  }

  /**
   * Recomputes the check's figures and its kitchen status, bumps its version, saves it and
   * announces it with the check as it now is.
   */
  private save(
    ctx: CommandContext,
    check: CheckRow,
    change: string,
    by: StaffRef | null = null,
  ): { seq: number; order: Order } {
    Object.assign(check, checkFigures(check.lines, this.classesOf(check), check.fixedTaxes));
    this.moveStatus(ctx, check, statusFromTickets(check.status, this.store.orders.ticketStatuses(check.id)));
    check.version += 1;
    check.updatedAt = ctx.at;
    this.store.orders.save(check);
    // The check without its tickets: they travel in their own events, to the stations' topics,
    // and carrying them here too doubled every update's size (npm run bench -- --only checks).
    const { fixedTaxes: _, ...fields } = check;
    const order: Order = { ...fields, tickets: [] };
    const { seq } = ctx.emit({
      type: 'order.updated',
      topic: 'orders',
      entityId: check.id,
      data: { change, order, by },
    });
    return { seq, order };
  }

  /** Sets the status in memory (saved with the check) and announces the move. */
  private moveStatus(ctx: CommandContext, check: CheckRow, to: Order['status']): void {
    if (to === check.status) return;
    const data = {
      orderId: check.id,
      from: check.status,
      to,
      reason: to === 'voided' ? check.voidReason : null,
    };
    check.status = to;
    ctx.emit({ type: 'order.status_changed', topic: 'orders', entityId: check.id, data });
  }

  // ---- helpers on one check ----

  private openCheck(id: string, field: string): CheckRow {
    const check = this.store.orders.getRow(id);
    if (!check)
      throw new HubError('ORDER_NOT_FOUND', `No check ${id} on this hub.`, [
        { field, message: 'no such check' },
      ]);
    if (closed.has(check.status)) {
      throw new HubError(
        'CHECK_CLOSED',
        `Check #${check.number} is ${check.status === 'voided' ? 'voided' : 'closed'}${check.voidReason ? ` (${check.voidReason})` : ''}; open a new check for the table.`,
        [{ field, message: `check is ${check.status}` }],
      );
    }
    return check;
  }

  /** A completed check, for a reopen. */
  private closedCheck(id: string): CheckRow {
    const check = this.store.orders.getRow(id);
    if (!check)
      throw new HubError('ORDER_NOT_FOUND', `No check ${id} on this hub.`, [
        { field: 'id', message: 'no such check' },
      ]);
    if (check.status !== 'completed') {
      throw new HubError(
        'ILLEGAL_TRANSITION',
        check.status === 'voided'
          ? `Check #${check.number} is voided; ring a new check instead.`
          : `Check #${check.number} is still open; there is nothing to reopen.`,
      );
    }
    return check;
  }

  private one(check: CheckRow): Applied {
    return { changed: [check], shape: 'check' };
  }

  private linesOf(check: CheckRow, ids: readonly string[]): OrderLine[] {
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice)
      throw new HubError('VALIDATION_FAILED', `Invalid body: line ${twice} is named twice.`, [
        { field: 'lineIds', message: 'a line is named twice' },
      ]);
    return ids.map((id, i) => {
      const line = check.lines.find((l) => l.id === id);
      if (!line) {
        throw new HubError(
          'LINE_NOT_FOUND',
          `Check #${check.number} has no line ${id}; it may have moved to another check. Reload the check.`,
          [{ field: `lineIds[${i}]`, message: 'not on this check' }],
        );
      }
      return line;
    });
  }

  /** The tax classes a check is priced with: its own rates first (they held when it opened), then the menu's. */
  private classesOf(check: CheckRow): Map<string, TaxClass> {
    const classes = new Map(this.menu.catalog()?.taxClasses ?? []);
    for (const t of check.taxes) {
      classes.set(t.taxClassId, {
        id: t.taxClassId,
        name: t.name,
        rateBasisPoints: t.rateBasisPoints,
        inclusive: t.inclusive,
      });
    }
    return classes;
  }

  private sendToKitchen(ctx: CommandContext, check: CheckRow, hold: ReadonlySet<string>): void {
    if (check.status === 'open') this.moveStatus(ctx, check, 'sent');
    this.kitchen.send(ctx, check, hold);
  }

  /** A change that takes the total below what was paid would owe the guest money: refund first. */
  private refuseBelowPaid(check: CheckRow): void {
    const paid = balance(0, this.store.payments.forOrder(check.id)).paid;
    if (paid === 0) return;
    const { total } = checkFigures(check.lines, this.classesOf(check), null);
    if (total < paid) {
      throw new HubError(
        'ORDER_HAS_PAYMENTS',
        `Check #${check.number} would come to ${money(total, check.currency)}, but ${money(paid, check.currency)} is already paid: refund the difference first.`,
      );
    }
  }

  private refuseWithPayments(check: CheckRow, what: string): void {
    const held = this.store.payments.forOrder(check.id).filter(holdsMoney);
    if (held.length > 0) {
      throw new HubError(
        'ORDER_HAS_PAYMENTS',
        `Check #${check.number} already has a payment; ${what} checks before taking payment, or refund it first.`,
      );
    }
  }

  private seatGroups(check: CheckRow): OrderLine[][] {
    const seats = [...new Set(check.lines.map((l) => l.seat).filter((s): s is number => s !== null))].sort(
      (a, b) => a - b,
    );
    if (seats.length < 2)
      throw new HubError(
        'SPLIT_INVALID',
        `Check #${check.number} has ${seats.length === 0 ? 'no lines on seats' : 'lines on one seat only'}; give lines a seat, or split by item or evenly.`,
      );
    // Lines with no seat (a shared starter) stay with the first seat's check.
    return seats.map((seat, k) => check.lines.filter((l) => l.seat === seat || (k === 0 && l.seat === null)));
  }

  private itemGroups(check: CheckRow, groups: readonly string[][]): OrderLine[][] {
    const taken = new Set<string>();
    const chosen = groups.map((ids, g) =>
      ids.map((id, i) => {
        if (taken.has(id))
          throw new HubError('SPLIT_INVALID', `Line ${id} is in two groups; put each line in one.`, [
            { field: `groups[${g}][${i}]`, message: 'is in two groups' },
          ]);
        taken.add(id);
        const line = check.lines.find((l) => l.id === id);
        if (!line)
          throw new HubError(
            'LINE_NOT_FOUND',
            `Check #${check.number} has no line ${id}; reload the check.`,
            [{ field: `groups[${g}][${i}]`, message: 'not on this check' }],
          );
        return line;
      }),
    );
    const stay = check.lines.filter((l) => !taken.has(l.id));
    const all = stay.length > 0 ? [stay, ...chosen] : chosen;
    if (all.length < 2)
      throw new HubError('SPLIT_INVALID', 'Every line is in the one group: there is nothing to split off.');
    return all;
  }

  private withLines(check: CheckRow, lines: OrderLine[], taxes: Order['taxes']): CheckRow {
    check.lines = lines.map((l, i) => ({ ...l, lineNo: i + 1 }));
    check.fixedTaxes = taxes;
    return check;
  }

  /** A new check made from a split: same table and service, a new number, the given lines and tax. */
  private newCheck(ctx: CommandContext, from: CheckRow, lines: OrderLine[], taxes: Order['taxes']): CheckRow {
    const created: CheckRow = {
      ...from,
      id: this.newId(),
      number: this.store.orders.nextNumber(`order-number:${this.store.orders.businessDateOf(from.id)}`),
      version: 0,
      guests: null,
      discountsApplied: [],
      voidReason: null,
      createdAt: ctx.at,
      updatedAt: ctx.at,
      lines: [],
      fixedTaxes: null,
    };
    this.withLines(created, lines, taxes);
    Object.assign(created, checkFigures(created.lines, this.classesOf(from), created.fixedTaxes));
    this.store.orders.insert({
      order: created,
      fingerprint: `split:${from.id}`,
      businessDate: this.store.orders.businessDateOf(from.id),
    });
    ctx.emit({
      type: 'order.created',
      topic: 'orders',
      entityId: created.id,
      data: { order: { ...created, tickets: [] } },
    });
    return created;
  }

  /** Lines from one check to the end of another, keeping their ids, rounds and tickets; both re-priced. */
  private moveLines(from: CheckRow, to: CheckRow, ids: readonly string[]): void {
    const moving = new Set(ids);
    let next = Math.max(0, ...to.lines.map((l) => l.lineNo)) + 1;
    for (const line of from.lines) if (moving.has(line.id)) to.lines.push({ ...line, lineNo: next++ });
    from.lines = from.lines.filter((l) => !moving.has(l.id));
    from.fixedTaxes = null;
    to.fixedTaxes = null;
  }
}
