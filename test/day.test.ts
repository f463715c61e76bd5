import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restoreBackup } from '../hub/backup/backups.ts';
import { newOrderId, signIn, startHub, type TestHub, tempDir } from './support/hub.ts';

/**
 * (One file, long: one business day from the first clock-in to the Z, then the Z's numbering
 * across a restart and a restore.) Over the hub's API with real sessions (docs/staff.md).
 */
const { dir, remove } = tempDir();
let t: TestHub;
type Signed = Awaited<ReturnType<typeof signIn>>;
let sam: Signed;
let ana: Signed;
let cleo: Signed;
let maria: Signed;
const cmd = () => ({ commandId: newOrderId() });
const asManager = (method: string, path: string, body?: unknown) =>
  t.api(method, path, body, t.tokens.manager);

beforeAll(async () => {
  t = await startHub({}, dir);
  sam = await signIn(t, 'Sam', 'server', '1111');
  ana = await signIn(t, 'Ana', 'server', '2222');
  cleo = await signIn(t, 'Cleo', 'cashier', '4444');
  maria = await signIn(t, 'Maria', 'manager', '1234');
  await asManager('PATCH', `/api/v1/staff/${sam.staffId}`, { wage: 1_500 });
  const settings = (await t.api('GET', '/api/v1/service-settings')).body;
  await asManager('PUT', '/api/v1/service-settings', { ...settings, tipPool: { mode: 'hours', points: {} } });
});
afterAll(async () => {
  await t?.stop();
  remove();
});

/** A check rung by a server, paid (or not) in cash with a tip, taken by whoever is given. */
async function check(
  server: Signed,
  lines: { itemId: string; qty: number }[],
  pay?: { by: Signed; tip: number },
) {
  const made = await server.api('POST', '/api/v1/orders', {
    id: newOrderId(),
    tableId: 't2',
    guests: 2,
    lines,
  });
  expect(made.status).toBe(201);
  if (pay) {
    const paid = await pay.by.api('POST', `/api/v1/orders/${made.body.id}/payments`, {
      id: newOrderId(),
      method: 'cash',
      amount: made.body.total,
      tip: pay.tip,
      tendered: made.body.total + pay.tip,
    });
    expect(paid.status).toBe(201);
    expect((await server.api('POST', `/api/v1/orders/${made.body.id}/complete`)).status).toBe(200);
  }
  return made.body;
}

describe('a business day', () => {
  it('keeps the clock: in, a break, out, and a forgotten punch a manager closes with a reason', async () => {
    const nobody = await t.api('POST', '/api/v1/clock/in', cmd());
    expect(nobody.status).toBe(401);
    expect(nobody.body.detail).toBe('Sign in with your PIN on this till to clock in.');
    const clockIn = await sam.api('POST', '/api/v1/clock/in', cmd());
    expect(clockIn.body).toMatchObject({ staff: { name: 'Sam' }, job: 'server', outAt: null });
    expect((await sam.api('POST', '/api/v1/clock/in', cmd())).body.code).toBe('ALREADY_CLOCKED_IN');
    const again = cmd();
    await sam.api('POST', '/api/v1/clock/break', again);
    expect((await sam.api('POST', '/api/v1/clock/break', again)).status).toBe(200); // a replay
    expect((await sam.api('POST', '/api/v1/clock/break-end', cmd())).body.breaks[0].endAt).not.toBeNull();
    const anaIn = (await ana.api('POST', '/api/v1/clock/in', { ...cmd(), job: 'bartender' })).body;
    expect(anaIn.job).toBe('bartender');
    await cleo.api('POST', '/api/v1/clock/in', cmd());

    // Ana forgot to clock in at 17:00 for real: a manager corrects it; Sam may not.
    const earlier = new Date(Date.now() - 4 * 3_600_000).toISOString();
    const fix = { ...cmd(), inAt: earlier, reason: 'forgot to clock in at the start' };
    const bySam = await sam.api('POST', `/api/v1/punches/${anaIn.id}/edit`, fix);
    expect(bySam.status).toBe(403);
    expect(bySam.body.permission).toBe('punch.edit');
    const byMaria = await maria.api('POST', `/api/v1/punches/${anaIn.id}/edit`, fix);
    expect(byMaria.body).toMatchObject({
      inAt: earlier,
      edited: { reason: fix.reason, by: { name: 'Maria' } },
    });
    const labour = (await asManager('GET', '/api/v1/reports/labour')).body.labour;
    const anaHours = labour.find((l: { staff: { name: string } }) => l.staff.name === 'Ana');
    expect(anaHours).toMatchObject({ job: 'bartender', open: true });
    expect(anaHours.minutes).toBeGreaterThanOrEqual(239);
    expect(labour.find((l: { staff: { name: string } }) => l.staff.name === 'Sam').cost).toBe(0);
    const audit = (await asManager('GET', '/api/v1/audit?action=punch.edit')).body.entries;
    expect(audit[0]).toMatchObject({ staff: { name: 'Maria' }, reason: fix.reason });
    expect(audit[0].detail).toMatch(/^Ana's punch/);
  });

  let drawerId: string;
  const float = 20_000;

  it('runs a drawer: a float, cash sales into it, a paid-out, a drop, a no-sale, and a blind count $2 short', async () => {
    expect((await cleo.api('GET', '/api/v1/drawers/current')).body.drawer).toBeNull();
    const opened = await cleo.api('POST', '/api/v1/drawers', { ...cmd(), float });
    expect(opened.status).toBe(201);
    drawerId = opened.body.id;
    expect(opened.body.figures).toBeNull(); // a cashier counts blind
    expect((await cleo.api('POST', '/api/v1/drawers', { ...cmd(), float })).body.code).toBe(
      'DRAWER_ALREADY_OPEN',
    );

    await check(sam, [{ itemId: 'ribeye', qty: 2 }], { by: sam, tip: 500 });
    await check(ana, [{ itemId: 'lager', qty: 3 }], { by: cleo, tip: 200 });
    const paidOut = await cleo.api('POST', `/api/v1/drawers/${drawerId}/moves`, {
      ...cmd(),
      kind: 'paid_out',
      amount: 1_500,
      reason: 'ice from the shop next door',
    });
    expect(paidOut.status).toBe(200);
    await cleo.api('POST', `/api/v1/drawers/${drawerId}/moves`, { ...cmd(), kind: 'drop', amount: 10_000 });
    const noReason = await cleo.api('POST', `/api/v1/drawers/${drawerId}/moves`, {
      ...cmd(),
      kind: 'no_sale',
    });
    expect(noReason.body.errors[0].field).toBe('reason');
    const bySam = await sam.api('POST', `/api/v1/drawers/${drawerId}/moves`, {
      ...cmd(),
      kind: 'no_sale',
      reason: 'change for the jukebox',
    });
    expect(bySam.body).toMatchObject({ code: 'PERMISSION_REQUIRED', permission: 'drawer.open' });
    const overridden = await sam.api('POST', `/api/v1/drawers/${drawerId}/moves`, {
      ...cmd(),
      kind: 'no_sale',
      reason: 'change for the jukebox',
      approval: { staffId: maria.staffId, pin: maria.pin },
    });
    expect(overridden.body.moves.at(-1)).toMatchObject({
      kind: 'no_sale',
      by: { name: 'Sam' },
      approvedBy: { name: 'Maria' },
    });

    // What the drawer should hold, summed here from what went in and out.
    const orders = (await asManager('GET', '/api/v1/orders?limit=200')).body.orders;
    let cashIn = 0;
    for (const o of orders) {
      for (const p of (await asManager('GET', `/api/v1/orders/${o.id}/payments`)).body.payments)
        if (p.method === 'cash') cashIn += p.amount + p.tip;
    }
    const expected = float + cashIn - 1_500 - 10_000;
    const seen = (await asManager('GET', `/api/v1/drawers/${drawerId}`)).body.figures;
    expect(seen.expected).toBe(expected);

    // Counted $2 short: bills and coins that come to expected − 200.
    let left = expected - 200;
    const counted: Record<string, number> = {};
    for (const d of [10_000, 2_000, 500, 100, 25, 1]) {
      counted[String(d)] = Math.floor(left / d);
      left -= counted[String(d)]! * d;
    }
    const closed = await cleo.api('POST', `/api/v1/drawers/${drawerId}/close`, { ...cmd(), counted });
    expect(closed.body).toMatchObject({
      countedTotal: expected - 200,
      expected,
      overShort: -200,
      closedBy: { name: 'Cleo' },
    });
    const audit = (await asManager('GET', '/api/v1/audit?action=drawer.close')).body.entries[0];
    expect(audit.detail).toMatch(/\$2\.00 short$/);
  });

  it('checks a server out: their sales, tips and cash, blocked by a check still open', async () => {
    const open = await check(sam, [{ itemId: 'cola', qty: 2 }]);
    const blocked = await sam.api('POST', '/api/v1/checkout', cmd());
    expect(blocked.status).toBe(409);
    expect(blocked.body).toMatchObject({
      code: 'CHECKS_OPEN',
      openChecks: [{ id: open.id, number: open.number }],
    });
    // A card on a standalone terminal with a tip, verified: the house owes Sam that tip.
    const card = await sam.api('POST', `/api/v1/orders/${open.id}/payments`, {
      id: newOrderId(),
      method: 'card_standalone',
      amount: open.total,
      tip: 300,
      standalone: { last4: '4242', brand: 'visa' },
    });
    expect(card.status, JSON.stringify(card.body)).toBe(201);
    await asManager('POST', `/api/v1/payments/${card.body.id}/verify`, { outcome: 'settled_elsewhere' });
    await sam.api('POST', `/api/v1/orders/${open.id}/complete`);
    const out = await sam.api('POST', '/api/v1/checkout', { ...cmd(), declaredCashTips: 400 });
    expect(out.status).toBe(200);
    const mine = (await asManager('GET', `/api/v1/checks?state=all&server=${sam.staffId}`)).body.checks;
    expect(out.body).toMatchObject({
      staff: { name: 'Sam' },
      checks: mine.length,
      cardTips: 300,
      declaredCashTips: 400,
      openChecks: [],
    });
    expect(out.body.cashOwed).toBe(out.body.cashTaken - 300);
    expect(out.body.cashTaken).toBeGreaterThan(0);
  });

  let zNumber: number;

  it('closes the day: refuses with a check open and lists it, then forced, a numbered Z whose figures add up', async () => {
    const left = await check(ana, [{ itemId: 'ipa', qty: 1 }]);
    const x = (await asManager('GET', '/api/v1/reports/x')).body;
    expect(x.openChecks.map((c: { id: string }) => c.id)).toEqual([left.id]);
    const refused = await maria.api('POST', '/api/v1/day/close', cmd());
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'CHECKS_OPEN', openChecks: [{ id: left.id }] });
    expect((await sam.api('POST', '/api/v1/day/close', { ...cmd(), force: true })).body.permission).toBe(
      'day.close',
    );

    const z = await maria.api('POST', '/api/v1/day/close', { ...cmd(), force: true });
    expect(z.status).toBe(200);
    zNumber = z.body.number;
    expect(z.body).toMatchObject({ number: 1, forced: true, closedBy: { name: 'Maria' } });
    const f = z.body.figures;

    // An independent sum from the checks and payments, as the API gives them.
    const orders = (await asManager('GET', '/api/v1/orders?limit=200')).body.orders.filter(
      (o: { id: string; status: string }) => o.id !== left.id && o.status !== 'voided',
    );
    const sum = (f2: (o: any) => number) => orders.reduce((s: number, o: any) => s + f2(o), 0);
    expect(f.checks).toBe(orders.length);
    expect(f.net).toBe(sum((o) => o.subtotal));
    expect(f.tax).toBe(sum((o) => o.tax));
    expect(f.total).toBe(sum((o) => o.total));
    expect(f.gross).toBe(sum((o) => o.gross));
    expect(f.covers).toBe(sum((o) => o.guests ?? 0));
    expect(f.averageCheck).toBe(Math.round(f.net / orders.length));
    let cash = 0;
    let cashTips = 0;
    for (const o of orders)
      for (const p of (await asManager('GET', `/api/v1/orders/${o.id}/payments`)).body.payments)
        if (p.method === 'cash') {
          cash += p.amount;
          cashTips += p.tip;
        }
    expect(f.tenders.find((t: { method: string }) => t.method === 'cash')).toMatchObject({
      amount: cash,
      tips: cashTips,
    });
    expect(f.tips).toEqual({ card: 300, cash: cashTips, declared: 400 });
    expect(f.overShort).toBe(-200);
    expect(f.drawers).toEqual([expect.objectContaining({ id: drawerId, overShort: -200 })]);
    // The pool (all tips) shared by hours worked, to the cent.
    expect(f.tipPool.reduce((s: number, p: { amount: number }) => s + p.amount, 0)).toBe(
      300 + cashTips + 400,
    );
    expect(f.tipPool.find((p: { staff: { name: string } }) => p.staff.name === 'Ana').amount).toBeGreaterThan(
      0,
    );

    // The open check went on to the next business day, and a Z never changes.
    const next = (await asManager('GET', '/api/v1/reports/x')).body;
    expect(next.businessDate > f.businessDate).toBe(true);
    expect(next.openChecks.map((c: { id: string }) => c.id)).toEqual([left.id]);
    expect(() => t.hub.store.db.prepare('UPDATE z_reports SET data = ?').run('{}')).toThrow(/never changed/);
    expect((await asManager('GET', '/api/v1/reports/z/1')).body).toEqual(z.body);
    // Ana was still on the clock at the Z: her shift stays on the day it began when she leaves.
    const out = await ana.api('POST', '/api/v1/clock/out', cmd());
    expect(out.body.outAt).not.toBeNull();
    const onDay = (await asManager('GET', `/api/v1/punches?date=${f.businessDate}`)).body.punches;
    expect(onDay.find((p: { staff: { name: string } }) => p.staff.name === 'Ana').outAt).toBe(out.body.outAt);

    // A check of a day the Z closed stays as it was: no reopen.
    const closedOne = orders.find((o: { status: string }) => o.status === 'completed');
    const reopen = await maria.api('POST', `/api/v1/orders/${closedOne.id}/reopen`, {
      ...cmd(),
      reason: 'tip typed wrong',
    });
    expect(reopen.status).toBe(409);
    expect(reopen.body.detail).toMatch(/closed by Z #1: it cannot change now/);
    expect((await asManager('GET', '/api/v1/audit?action=day.close')).body.entries[0].detail).toMatch(
      /^Z #1 closed/,
    );
  });

  it('numbers on after a restart and after a restore from a backup older than the last Z', async () => {
    const token = t.tokens.manager;
    await t.hub.stop();
    t = await startHub({}, dir);
    const closeAs = async () => {
      const m = await signIn(t, `Boss${Date.now()}`, 'manager', '7777');
      await check(m, [{ itemId: 'lager', qty: 1 }], { by: m, tip: 0 });
      return m.api('POST', '/api/v1/day/close', { ...cmd(), force: true });
    };
    const second = await closeAs();
    expect(second.body.number).toBe(zNumber + 1);
    const backup = await t.api('POST', '/api/v1/backups', undefined, t.tokens.manager);
    expect(backup.status).toBe(201);
    expect((await closeAs()).body.number).toBe(zNumber + 2);
    await t.hub.stop();
    restoreBackup(dir, backup.body.file);
    t = await startHub({}, dir);
    expect(
      (await t.api('GET', '/api/v1/reports/z', undefined, t.tokens.manager)).body.reports[0].number,
    ).toBe(zNumber + 1);
    // The backup knows Z #2 only; Z #3 was made since, so the next is #4, never #3 again.
    expect((await closeAs()).body.number).toBe(zNumber + 3);
    expect(token).toBeTruthy();
  });
});

describe('server banking', () => {
  it('gives each server a bank of their own on a shared till; their cash goes into it', async () => {
    const bank = await startHub();
    try {
      const [sam, ana] = [
        await signIn(bank, 'Sam', 'server', '1111'),
        await signIn(bank, 'Ana', 'server', '2222'),
      ];
      const settings = (await bank.api('GET', '/api/v1/service-settings')).body;
      await bank.api(
        'PUT',
        '/api/v1/service-settings',
        { ...settings, drawerMode: 'server' },
        bank.tokens.manager,
      );
      const samBank = (await sam.api('POST', '/api/v1/drawers', { ...cmd(), float: 5_000 })).body;
      const anaBank = (await ana.api('POST', '/api/v1/drawers', { ...cmd(), float: 7_500 })).body;
      expect(samBank.owner).toMatchObject({ name: 'Sam' });
      expect(anaBank.id).not.toBe(samBank.id); // the same till, two banks
      const check = (
        await sam.api('POST', '/api/v1/orders', { id: newOrderId(), lines: [{ itemId: 'lager', qty: 2 }] })
      ).body;
      await sam.api('POST', `/api/v1/orders/${check.id}/payments`, {
        id: newOrderId(),
        method: 'cash',
        amount: check.total,
        tendered: check.total,
      });
      const figures = async (id: string) =>
        (await bank.api('GET', `/api/v1/drawers/${id}`, undefined, bank.tokens.manager)).body.figures;
      expect((await figures(samBank.id)).cashSales).toBe(check.total);
      expect((await figures(anaBank.id)).cashSales).toBe(0);
      expect((await ana.api('GET', '/api/v1/drawers/current')).body.drawer.id).toBe(anaBank.id);
    } finally {
      await bank.stop();
    }
  });
});
