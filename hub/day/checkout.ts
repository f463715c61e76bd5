import type { Checkout } from '../../protocol/day.ts';
import type { Caller } from '../../rules/permissions.ts';
import { HubError } from '../errors.ts';
import type { BusinessDay } from '../orders/business-day.ts';
import { type StaffService, signedIn } from '../staff/service.ts';
import type { Store } from '../store/index.ts';
import type { DayCommands } from './commands.ts';

const settled = new Set(['captured', 'partially_refunded', 'refunded']);

/**
 * A server's checkout at the end of a shift (docs/staff.md): their checks and sales, the card
 * tips the house owes them, the cash they took, and so the cash they hand over. Open checks of
 * theirs block it until they are closed or moved to another server.
 */
export class ServerCheckout {
  constructor(
    private readonly store: Store,
    private readonly commands: DayCommands,
    private readonly staff: StaffService,
    private readonly day: BusinessDay,
  ) {}

  /** Where a server stands now (checked out or not). */
  of(staffId: string, at: string): Checkout {
    const staff = this.staff.ref(staffId);
    const businessDate = this.day.dateOf(at);
    const done = this.store.day.checkouts(businessDate).find((c) => c.staff.staffId === staffId);
    if (done) return done;
    const checks = this.store.orders
      .ofBusinessDate(businessDate)
      .filter((c) => c.server?.staffId === staffId && c.status !== 'voided');
    const ids = new Set(checks.map((c) => c.id));
    const payments = this.store.payments.ofBusinessDate(businessDate).filter((p) => settled.has(p.status));
    const mine = payments.filter((p) => ids.has(p.orderId));
    const cardTips = mine.filter((p) => p.method !== 'cash').reduce((s, p) => s + p.tip, 0);
    const cashTaken = payments
      .filter((p) => p.method === 'cash' && p.takenBy?.staffId === staffId)
      .reduce((s, p) => s + p.amount + p.tip - p.refunded, 0);
    const paid = (orderId: string) =>
      mine.filter((p) => p.orderId === orderId).reduce((s, p) => s + p.amount - p.refunded, 0);
    return {
      staff,
      businessDate,
      checks: checks.length,
      sales: checks.reduce((s, c) => s + c.subtotal, 0),
      cardTips,
      cashTaken,
      declaredCashTips: 0,
      cashOwed: cashTaken - cardTips,
      openChecks: checks
        .filter((c) => c.status !== 'completed')
        .map((c) => ({
          id: c.id,
          number: c.number,
          tableLabel: c.tableLabel,
          due: Math.max(0, c.total - paid(c.id)),
        })),
      checkedOutAt: null,
    };
  }

  /** The signed-in server checks out (a manager's device may check out anyone). */
  record(
    caller: Caller,
    staffId: string | null,
    body: { commandId: string; declaredCashTips: number },
  ): Promise<Checkout> {
    const who = staffId ?? signedIn(caller, 'check out').ref.staffId;
    if (staffId && caller.device.role !== 'manager' && caller.staff?.ref.staffId !== staffId) {
      throw new HubError(
        'FORBIDDEN',
        'Only the server, or the manager on the admin page, may check a server out.',
      );
    }
    return this.commands.run('checkout', { ...body, staffId: who }, (ctx) => {
      const now = this.of(who, ctx.at);
      if (now.checkedOutAt) return now;
      if (now.openChecks.length > 0) {
        throw new HubError(
          'CHECKS_OPEN',
          `${now.staff.name} still has ${now.openChecks.length} open check${now.openChecks.length > 1 ? 's' : ''} (${now.openChecks.map((c) => `#${c.number}`).join(', ')}): close them or move them to another server, then check out.`,
          undefined,
          undefined,
          undefined,
          { openChecks: now.openChecks },
        );
      }
      const checkout: Checkout = { ...now, declaredCashTips: body.declaredCashTips, checkedOutAt: ctx.at };
      this.store.day.saveCheckout(checkout);
      ctx.emit({
        type: 'checkout.recorded',
        topic: 'staff',
        entityId: `${who}:${checkout.businessDate}`,
        data: { checkout },
      });
      return checkout;
    });
  }
}
