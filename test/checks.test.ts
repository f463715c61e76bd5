// One file, long: one service's worth of scenarios sharing a hub, a manager and a signed-in server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrderId, signIn, startHub, type TestHub } from './support/hub.ts';

/**
 * A dinner service over the hub's API, end to end (docs/checks.md): a table through drinks,
 * starters, held mains fired by the kitchen's bump, a dessert round, a void after firing with a
 * manager's PIN, a comp, a discount, two tills at once, a split by seat, each check paid, the
 * table free again. Figures are checked against an independent sum from the menu's prices.
 */
let t: TestHub;
let managerId: string;
const pin = '4321';
const cmd = () => ({ commandId: newOrderId() });
const kds = (path: string) => t.api('POST', path, undefined, t.tokens.kds);

beforeAll(async () => {
  t = await startHub();
  managerId = (await signIn(t, 'Maria', 'manager', pin)).staffId;
  // Every till call below is made by a server signed in on the till (docs/staff.md).
  t.api = (await signIn(t, 'Sam', 'server', '1111')).api;
});
afterAll(() => t?.stop());

interface Line {
  id: string;
  itemId: string;
  seat: number | null;
  course: string | null;
  kitchen: string;
  lineTotal: number;
  taxClassId: string;
  discount: number;
  void: unknown;
  comp: unknown;
}

/** The check's figures from first principles: prices from the menu, rules from docs/checks.md. */
function expectedFigures(lines: Line[], rates: Record<string, number>) {
  const live = lines.filter((l) => !l.void);
  const gross = live.reduce((s, l) => s + l.lineTotal, 0);
  const discounts = live.reduce((s, l) => s + l.discount, 0);
  const comps = live.filter((l) => l.comp).reduce((s, l) => s + l.lineTotal - l.discount, 0);
  const byClass = new Map<string, number>();
  for (const l of live.filter((x) => !x.comp))
    byClass.set(l.taxClassId, (byClass.get(l.taxClassId) ?? 0) + l.lineTotal - l.discount);
  let tax = 0;
  for (const [cls, amount] of byClass) tax += Math.floor((amount * rates[cls]! * 2 + 10_000) / 20_000);
  const subtotal = gross - discounts - comps;
  return { gross, discounts, comps, subtotal, tax, total: subtotal + tax };
}

describe('a dinner service', () => {
  it('runs table 12 from seating to paid and free', async () => {
    const menu = (await t.api('GET', '/api/v1/menu')).body;
    const rates = Object.fromEntries(menu.taxClasses.map((c: any) => [c.id, c.rateBasisPoints]));
    const seats = (ids: string[]) => ids.map((itemId, i) => ({ itemId, qty: 1, seat: i + 1 }));

    // Seated, four guests: drinks and starters go, mains are held.
    const opened = await t.api('POST', '/api/v1/orders', {
      id: newOrderId(),
      tableId: 't12',
      guests: 4,
      lines: [
        ...seats(['lager', 'red-wine', 'orange-juice', 'sparkling-water']),
        ...seats(['wings', 'calamari', 'tomato-soup', 'bruschetta']),
        ...seats(['fish-chips', 'veg-curry', 'veg-curry', 'carbonara']),
      ],
      hold: ['mains'],
    });
    expect(opened.status).toBe(201);
    let check = opened.body;
    expect(check).toMatchObject({ tableLabel: 'Table 12', orderType: 'dine_in', guests: 4, version: 1 });
    const ticket = (station: string, course: string) =>
      check.tickets.find((x: any) => x.stationId === station && x.course === course);
    expect(ticket('bar', 'drinks').status).toBe('open');
    expect(ticket('grill', 'mains')).toMatchObject({ status: 'held', firedAt: null });
    expect(
      check.lines.filter((l: Line) => l.course === 'mains').every((l: Line) => l.kitchen === 'held'),
    ).toBe(true);

    let table = (await t.api('GET', '/api/v1/floor')).body.areas[0].tables.find((x: any) => x.id === 't12');
    expect(table).toMatchObject({ state: 'ordered', guests: 4, checkIds: [check.id] });

    // The held mains are on the grill's screen as "next", and cannot be cooked yet.
    const grillQueue = (await t.api('GET', '/api/v1/tickets?station=grill', undefined, t.tokens.kds)).body
      .tickets;
    expect(grillQueue.find((x: any) => x.id === ticket('grill', 'mains').id).status).toBe('held');
    expect((await kds(`/api/v1/tickets/${ticket('grill', 'mains').id}/start`)).status).toBe(409);

    // Drinks and starters bumped: the mains fire by themselves.
    for (const [station, course] of [
      ['bar', 'drinks'],
      ['fry', 'starters'],
      ['cold', 'starters'],
    ] as const)
      expect((await kds(`/api/v1/tickets/${ticket(station, course).id}/bump`)).status).toBe(200);
    check = (await t.api('GET', `/api/v1/orders/${check.id}`)).body;
    expect(ticket('grill', 'mains')).toMatchObject({ status: 'open' });
    expect(ticket('grill', 'mains').firedAt).not.toBeNull();
    expect(
      check.lines.filter((l: Line) => l.course === 'mains').every((l: Line) => l.kitchen === 'fired'),
    ).toBe(true);
    table = (await t.api('GET', '/api/v1/floor')).body.areas[0].tables.find((x: any) => x.id === 't12');
    expect(table.state).toBe('mains_fired');

    // A dessert round: its own tickets, round 2, an add-on to the same table.
    const desserts = await t.api('POST', `/api/v1/orders/${check.id}/rounds`, {
      ...cmd(),
      expectedVersion: check.version,
      lines: seats(['cheesecake', 'tiramisu', 'sorbet', 'ice-cream']),
    });
    expect(desserts.status).toBe(200);
    expect(desserts.body.tickets).toEqual([]); // the answer is the check as its event has it
    check = (await t.api('GET', `/api/v1/orders/${check.id}`)).body;
    const pastry = check.tickets.find((x: any) => x.stationId === 'pastry');
    expect(pastry).toMatchObject({ round: 2, course: 'desserts', tableLabel: 'Table 12', status: 'open' });
    expect(pastry.lines).toHaveLength(4);

    // Seat 3's curry voided after it fired: a manager's PIN, for this void only.
    const curry3 = check.lines.find((l: Line) => l.itemId === 'veg-curry' && l.seat === 3);
    const voidBody = { lineIds: [curry3.id], reason: 'sent to the wrong seat' };
    const refused = await t.api('POST', `/api/v1/orders/${check.id}/void-lines`, { ...cmd(), ...voidBody });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({
      code: 'PERMISSION_REQUIRED',
      permission: 'void.fired',
      override: true,
    });
    expect(refused.body.detail).toMatch(
      /needs the "void.fired" permission, which Sam \(Server\) does not have/,
    );
    const wrongPin = await t.api('POST', `/api/v1/orders/${check.id}/void-lines`, {
      ...cmd(),
      ...voidBody,
      approval: { staffId: managerId, pin: '0000' },
    });
    expect(wrongPin.body.code).toBe('PIN_INVALID');
    const voided = await t.api('POST', `/api/v1/orders/${check.id}/void-lines`, {
      ...cmd(),
      ...voidBody,
      approval: { staffId: managerId, pin },
    });
    expect(voided.status).toBe(200);
    check = voided.body;
    const struck = check.lines.find((l: Line) => l.id === curry3.id);
    expect(struck.void).toMatchObject({
      afterFire: true,
      approvedBy: { name: 'Maria' },
      by: { name: 'Sam' },
      amount: 1600,
    });
    const grill = (
      await t.api('GET', '/api/v1/tickets?station=grill', undefined, t.tokens.kds)
    ).body.tickets.find((x: any) => x.orderId === check.id);
    expect(grill.status).toBe('open');
    expect(grill.lines.map((l: Line) => Boolean(l.void))).toEqual([false, true]);
    const events = t.hub.store.db
      .prepare("SELECT type FROM events WHERE entity_id = ? AND type = 'ticket.lines_voided'")
      .all(grill.id);
    expect(events).toHaveLength(1);

    // Seat 4's sorbet comped for a long wait (a manager device approves by itself).
    const sorbet = check.lines.find((l: Line) => l.itemId === 'sorbet');
    const comp = await t.api(
      'POST',
      `/api/v1/orders/${check.id}/comp`,
      { ...cmd(), lineIds: [sorbet.id], reason: 'long wait' },
      t.tokens.manager,
    );
    expect(comp.status).toBe(200);
    check = comp.body;
    expect(check.comps).toBe(600);

    // 10 % off the check; then a second till, still on the old version, is refused with the check as it is.
    const seen = check.version;
    const discount = await t.api('POST', `/api/v1/orders/${check.id}/discounts`, {
      ...cmd(),
      expectedVersion: seen,
      discountId: 'ten-percent',
    });
    expect(discount.status).toBe(200);
    check = discount.body;
    const stale = await t.api('POST', `/api/v1/orders/${check.id}/rounds`, {
      ...cmd(),
      expectedVersion: seen,
      lines: [{ itemId: 'espresso', qty: 1 }],
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({
      code: 'CHECK_VERSION_STALE',
      current: { id: check.id, version: check.version },
    });
    expect(stale.body.detail).toMatch(/changed on another till/);

    const expected = expectedFigures(check.lines, rates);
    expect(check).toMatchObject(expected);
    // 10 % of what was left to discount (everything but the comped sorbet), rounded half up.
    const base = expected.gross - 600;
    expect(check.discounts).toBe(Math.floor((base * 1000 * 2 + 10_000) / 20_000));
    expect(check.voids).toBe(1600);

    // Split by seat: four checks that add up to this one to the cent.
    const split = await t.api('POST', `/api/v1/orders/${check.id}/split`, { ...cmd(), by: 'seat' });
    expect(split.status).toBe(200);
    const parts = split.body.checks;
    expect(parts).toHaveLength(4);
    expect(parts[0].id).toBe(check.id);
    for (const key of ['gross', 'voids', 'comps', 'discounts', 'subtotal', 'tax', 'total'] as const)
      expect(
        parts.reduce((s: number, p: any) => s + p[key], 0),
        key,
      ).toBe(check[key]);
    expect(parts.map((p: any) => new Set(p.lines.map((l: Line) => l.seat)).size)).toEqual([1, 1, 1, 1]);

    // Each pays its own way; each closes; the table is free.
    const card = { last4: '4242', brand: 'visa' };
    const tenders = [
      { method: 'cash', tendered: 10_000 },
      { method: 'card_standalone', standalone: card },
      { method: 'cash' },
      { method: 'card_standalone', standalone: card, tip: 300 },
    ];
    for (const [i, part] of parts.entries()) {
      const early = await t.api('POST', `/api/v1/orders/${part.id}/complete`);
      expect(early.body.code).toBe('ORDER_UNPAID');
      const paid = await t.api('POST', `/api/v1/orders/${part.id}/payments`, {
        id: newOrderId(),
        amount: part.total,
        ...tenders[i],
      });
      expect(paid.status, JSON.stringify(paid.body)).toBe(201);
      expect((await t.api('POST', `/api/v1/orders/${part.id}/complete`)).body.status).toBe('completed');
    }
    table = (await t.api('GET', '/api/v1/floor')).body.areas[0].tables.find((x: any) => x.id === 't12');
    expect(table).toMatchObject({ state: 'free', checkIds: [] });
    const closedList = (await t.api('GET', '/api/v1/checks?state=closed&table=t12')).body.checks;
    expect(closedList.map((c: any) => c.pay)).toEqual(['paid', 'paid', 'paid', 'paid']);
  });
});

describe('check commands', () => {
  const open = async (lines: unknown[], extra: Record<string, unknown> = {}) =>
    (await t.api('POST', '/api/v1/orders', { id: newOrderId(), lines, ...extra })).body;

  it('answers a replayed command the same, once, and refuses a different body under its id', async () => {
    const check = await open([{ itemId: 'lager', qty: 1 }], { tableId: 't3' });
    const body = { ...cmd(), lines: [{ itemId: 'ipa', qty: 2 }] };
    const first = await t.api('POST', `/api/v1/orders/${check.id}/rounds`, body);
    const again = await t.api('POST', `/api/v1/orders/${check.id}/rounds`, body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(again.body.lines).toHaveLength(2);
    const reused = await t.api('POST', `/api/v1/orders/${check.id}/rounds`, {
      ...body,
      lines: [{ itemId: 'stout', qty: 1 }],
    });
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe('COMMAND_ID_REUSED');
  });

  it('refuses bad input whole, naming the field, and changes nothing', async () => {
    const check = await open([{ itemId: 'lager', qty: 1 }]);
    const bad = await t.api('POST', `/api/v1/orders/${check.id}/rounds`, {
      ...cmd(),
      lines: [
        { itemId: 'ipa', qty: 1 },
        { itemId: 'ipa', qty: 1, course: 'elevenses' },
      ],
    });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ code: 'COURSE_NOT_FOUND', errors: [{ field: 'lines[1].course' }] });
    const missing = await t.api('POST', `/api/v1/orders/${check.id}/void-lines`, {
      ...cmd(),
      lineIds: [newOrderId()],
      reason: 'oops',
    });
    expect(missing.body).toMatchObject({ code: 'LINE_NOT_FOUND', errors: [{ field: 'lineIds[0]' }] });
    const now = (await t.api('GET', `/api/v1/orders/${check.id}`)).body;
    expect(now.version).toBe(check.version);
    expect(now.lines).toHaveLength(1);
  });

  it('fires a held course on command, and says when nothing is held', async () => {
    const check = await open(
      [
        { itemId: 'wings', qty: 1 },
        { itemId: 'fish-chips', qty: 1 },
      ],
      { hold: ['mains'] },
    );
    const fired = await t.api('POST', `/api/v1/orders/${check.id}/fire`, { ...cmd(), course: 'mains' });
    expect(fired.body.lines.map((l: Line) => l.kitchen)).toEqual(['fired', 'fired']);
    const tickets = (await t.api('GET', `/api/v1/orders/${check.id}`)).body.tickets;
    expect(tickets.map((x: any) => [x.course, x.status])).toEqual([
      ['starters', 'open'],
      ['mains', 'open'],
    ]);
    const twice = await t.api('POST', `/api/v1/orders/${check.id}/fire`, { ...cmd(), course: 'mains' });
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('NOTHING_TO_FIRE');
  });

  it('sends a side another station cooks to that station, held, fired and voided with its main', async () => {
    const check = await open([{ itemId: 'ribeye', qty: 1, modifiers: ['side-rings'] }], { hold: ['mains'] });
    const tickets = async () => (await t.api('GET', `/api/v1/orders/${check.id}`)).body.tickets;
    const side = (await tickets()).find((x: any) => x.stationId === 'fry');
    expect(side).toMatchObject({ status: 'held', course: 'mains' });
    expect(side.lines.map((l: Line & { name: string; note: string }) => [l.name, l.note])).toEqual([
      ['Onion rings', 'with Ribeye Steak'],
    ]);
    await t.api('POST', `/api/v1/orders/${check.id}/fire`, { ...cmd(), course: 'mains' });
    expect((await tickets()).map((x: any) => [x.stationId, x.status])).toEqual([
      ['fry', 'open'],
      ['grill', 'open'],
    ]);
    const voided = await t.api(
      'POST',
      `/api/v1/orders/${check.id}/void-lines`,
      { ...cmd(), lineIds: [check.lines[0].id], reason: 'guest left' },
      t.tokens.manager,
    );
    expect(voided.status).toBe(200);
    expect((await tickets()).map((x: any) => x.status)).toEqual(['voided', 'voided']);
  });

  it('voids a line before it fires without a manager, and never reaches the kitchen', async () => {
    const check = await open(
      [
        { itemId: 'ribs', qty: 1 },
        { itemId: 'lager', qty: 1 },
      ],
      { send: false },
    );
    const ribs = check.lines[0];
    const v = await t.api('POST', `/api/v1/orders/${check.id}/void-lines`, {
      ...cmd(),
      lineIds: [ribs.id],
      reason: 'changed mind',
    });
    expect(v.status).toBe(200);
    expect(v.body.lines[0].void.afterFire).toBe(false);
    const sent = await t.api('POST', `/api/v1/orders/${check.id}/send`);
    expect(sent.body.tickets.map((x: any) => x.stationId)).toEqual(['bar']);
  });

  it('moves a check to another table, merges two, transfers a line', async () => {
    const a = await open([{ itemId: 'lager', qty: 1 }], { tableId: 't5' });
    const b = await open([{ itemId: 'wings', qty: 1 }], { tableId: 't6' });
    const moved = await t.api('POST', `/api/v1/orders/${a.id}/move`, { ...cmd(), tableId: 't7' });
    expect(moved.body).toMatchObject({ tableId: 't7', tableLabel: 'Table 7' });
    const nowhere = await t.api('POST', `/api/v1/orders/${a.id}/move`, { ...cmd(), tableId: 'patio-99' });
    expect(nowhere.body).toMatchObject({ code: 'TABLE_NOT_FOUND', errors: [{ field: 'tableId' }] });

    const merged = await t.api('POST', `/api/v1/orders/${a.id}/merge`, { ...cmd(), fromOrderId: b.id });
    expect(merged.status).toBe(200);
    expect(merged.body.to.lines.map((l: Line) => l.itemId)).toEqual(['lager', 'wings']);
    expect(merged.body.from).toMatchObject({
      status: 'voided',
      total: 0,
      voidReason: `Merged into check #${a.number}`,
    });
    expect(merged.body.to.total).toBe(a.total + b.total);

    const bar = await open([{ itemId: 'cola', qty: 1 }], { orderType: 'bar_tab', tableLabel: 'Sam' });
    expect(bar).toMatchObject({ orderType: 'bar_tab', tableLabel: 'Sam' });
    const lager = merged.body.to.lines[0];
    const moved2 = await t.api('POST', `/api/v1/orders/${a.id}/transfer`, {
      ...cmd(),
      lineIds: [lager.id],
      toOrderId: bar.id,
    });
    expect(moved2.body.from.lines.map((l: Line) => l.itemId)).toEqual(['wings']);
    expect(moved2.body.to.lines.map((l: Line) => l.itemId)).toEqual(['cola', 'lager']);
    expect(moved2.body.to.lines[1].id).toBe(lager.id);
    const closed = await t.api('POST', `/api/v1/orders/${b.id}/rounds`, {
      ...cmd(),
      lines: [{ itemId: 'ipa', qty: 1 }],
    });
    expect(closed.status).toBe(409);
    expect(closed.body.code).toBe('CHECK_CLOSED');
  });

  it('splits evenly three ways with the extra cents on the first checks, tax included', async () => {
    const check = await open([
      { itemId: 'lager', qty: 1 },
      { itemId: 'wings', qty: 1 },
      { itemId: 'cola', qty: 1 },
    ]);
    const split = await t.api('POST', `/api/v1/orders/${check.id}/split`, { ...cmd(), by: 'even', ways: 3 });
    const totals = split.body.checks.map((c: any) => c.total);
    expect(totals.reduce((s: number, n: number) => s + n, 0)).toBe(check.total);
    expect(Math.max(...totals) - Math.min(...totals)).toBeLessThanOrEqual(3);
    expect(totals).toEqual([...totals].sort((x, y) => y - x));
    expect(split.body.checks[2].lines[0].share).toEqual({ part: 3, parts: 3 });
  });

  it('shows a table as presented once its bill is printed', async () => {
    const check = await open([{ itemId: 'lager', qty: 1 }], { tableId: 't10' });
    const state = async () =>
      (await t.api('GET', '/api/v1/floor')).body.areas[0].tables.find((x: any) => x.id === 't10').state;
    expect(await state()).toBe('mains_fired');
    // A printer nobody listens on: the bill is queued, which is enough to say it was presented.
    const printer = await t.api(
      'POST',
      '/api/v1/printers',
      { name: 'Front', host: '127.0.0.1', port: 9 },
      t.tokens.manager,
    );
    const bill = await t.api('POST', `/api/v1/orders/${check.id}/bill`, { printerId: printer.body.id });
    expect(bill.status).toBe(202);
    expect(await state()).toBe('presented');
  });

  it('pages through every open check, filters by table, pay state and number', async () => {
    const made = [];
    for (let i = 0; i < 7; i++) made.push(await open([{ itemId: 'espresso', qty: 1 }], { tableId: 't9' }));
    await t.api('POST', `/api/v1/orders/${made[0].id}/payments`, {
      id: newOrderId(),
      method: 'cash',
      amount: 100,
    });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = (
        await t.api('GET', `/api/v1/checks?table=t9&limit=3${cursor ? `&cursor=${cursor}` : ''}`)
      ).body;
      expect(page.checks.length).toBeLessThanOrEqual(3);
      seen.push(...page.checks.map((c: any) => c.id));
      cursor = page.next;
    } while (cursor);
    expect(seen.sort()).toEqual(made.map((c) => c.id).sort());
    const partly = (await t.api('GET', '/api/v1/checks?table=t9&pay=partly_paid')).body.checks;
    expect(partly.map((c: any) => [c.id, c.paid, c.due])).toEqual([[made[0].id, 100, made[0].total - 100]]);
    const byNumber = (await t.api('GET', `/api/v1/checks?state=all&q=${made[3].number}`)).body.checks;
    expect(byNumber.map((c: any) => c.id)).toContain(made[3].id);
    const bad = await t.api('GET', '/api/v1/checks?cursor=not-ours');
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: 'cursor' }] });
  });
});
