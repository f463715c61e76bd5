import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, launchBrowser, signInOnTill, skipBrowser, tablet } from './support/browser.ts';
import { startCloud, type TestCloud } from './support/cloud.ts';
import { serveHq } from './support/hq-site.ts';
import { apiFor, newOrderId, type TestHub } from './support/hub.ts';
import { hubOnCloud, synced } from './support/sync.ts';

/**
 * (One file, long: one shift, told in order.) A shift from clock-in to Z on two tills with the
 * internet down the whole time (docs/staff.md): two servers sign in, clock in, ring and take
 * payments; a void after firing needs a manager's override, for that void only; the cashier runs
 * a drawer with a paid-out and a drop and counts it $2 short; a server checks out; the manager
 * closes the day. Then the internet returns and HQ gets the punches, the drawer and the Z once.
 */
let browser: Browser;
let cloud: TestCloud;
let t: TestHub;
let restaurantId: string;
let organisationId: string;
const pages: Page[] = [];
const pins = { Maria: '1234', Sam: '1111', Ana: '2222', Cleo: '4444' } as const;

beforeAll(async () => {
  if (skipBrowser) return;
  browser = await launchBrowser();
  cloud = await startCloud();
  const on = await hubOnCloud(cloud);
  t = on.t;
  restaurantId = on.cred.restaurantId;
  organisationId = on.cred.organisationId;
  const roles = { Maria: 'manager', Sam: 'server', Ana: 'server', Cleo: 'cashier' } as const;
  for (const [name, pin] of Object.entries(pins))
    await t.api(
      'POST',
      '/api/v1/staff',
      { name, roleId: roles[name as keyof typeof roles], pin },
      t.tokens.manager,
    );
  cloud.setFault('down'); // the internet is gone for the whole shift
});
afterAll(async () => {
  for (const p of pages.splice(0)) await p.close();
  await browser?.close();
  await t?.stop();
  await cloud?.stop();
});

async function till(token: string, who: keyof typeof pins): Promise<Page> {
  const page = await browser.newPage({ viewport: tablet });
  pages.push(page);
  page.on('pageerror', (err) => {
    throw err;
  });
  await page.goto(`${t.base}/pos/#token=${token}`);
  await page.getByText('Connected').waitFor();
  await signInOnTill(page, who, pins[who]);
  return page;
}

/** The API as the person signed in on that till (their session, on that till's device). */
async function as(page: Page, token: string) {
  const session = await page.evaluate(() => sessionStorage.getItem('grow.staffSession'));
  return apiFor(t.base, token, { 'x-grow-staff': session! });
}

async function shift(page: Page, action: string, done: string) {
  await page.getByTestId('staff-badge').click();
  await page.getByTestId(action).click();
  await page.getByTestId('shift-message').getByText(done).waitFor();
}

async function switchTo(page: Page, who: keyof typeof pins) {
  await page.getByTestId('switch-staff').click();
  await signInOnTill(page, who, pins[who]);
}

describe.skipIf(skipBrowser)('a shift with the internet down', () => {
  it('runs from clock-in to Z on two tills, then HQ receives the punches, drawers and Z once', async () => {
    const token2 = (await t.hub.devices.create('Till 2', 'pos')).token;
    const till1 = await till(t.tokens.pos, 'Sam');
    const till2 = await till(token2, 'Ana');
    expect(await till1.getByTestId('staff-badge').textContent()).toBe('Sam');

    // Both servers clock in on their till.
    await shift(till1, 'clock-in', 'Clocked in.');
    await till1.getByTestId('shift-close').click();
    await shift(till2, 'clock-in', 'Clocked in.');
    await till2.getByTestId('shift-close').click();

    // The cashier takes till 2 for the drawer: a float, a paid-out, a drop.
    await switchTo(till2, 'Cleo');
    await shift(till2, 'clock-in', 'Clocked in.');
    await till2.getByTestId('float').fill('150.00');
    await till2.getByTestId('open-drawer').click();
    await till2.getByTestId('shift-message').getByText('Drawer open.').waitFor();
    await till2.locator('[data-move="paid_out"]').click();
    await till2.getByTestId('move-amount').fill('12.50');
    await till2.getByTestId('move-reason').fill('lemons from the market');
    await till2.getByTestId('record-move').click();
    await till2.getByTestId('shift-message').getByText('Paid out recorded.').waitFor();
    await till2.locator('[data-move="drop"]').click();
    await till2.getByTestId('move-amount').fill('50');
    await till2.getByTestId('record-move').click();
    await till2.getByTestId('shift-message').getByText('Drop to safe recorded.').waitFor();
    await till2.screenshot({ path: join(artifacts, 'pos-shift-panel.png'), fullPage: true });
    await till2.getByTestId('shift-close').click();
    await switchTo(till2, 'Ana');

    // Each server rings checks; Ana's are paid in cash on till 2 (into the drawer), Sam's by card.
    const sam = await as(till1, t.tokens.pos);
    const ana = await as(till2, token2);
    const ring = async (api: typeof sam, table: string, lines: { itemId: string; qty: number }[]) =>
      (await api('POST', '/api/v1/orders', { id: newOrderId(), tableId: table, guests: 2, lines })).body;
    const pay = async (
      api: typeof sam,
      check: { id: string; total: number },
      method: 'cash' | 'card',
      tip: number,
    ) => {
      const body =
        method === 'cash'
          ? { id: newOrderId(), method: 'cash', amount: check.total, tip, tendered: check.total + tip }
          : {
              id: newOrderId(),
              method: 'card_standalone',
              amount: check.total,
              tip,
              standalone: { last4: '4242', brand: 'visa' },
            };
      const paid = await api('POST', `/api/v1/orders/${check.id}/payments`, body);
      expect(paid.status, JSON.stringify(paid.body)).toBe(201);
      if (method === 'card')
        await t.api(
          'POST',
          `/api/v1/payments/${paid.body.id}/verify`,
          { outcome: 'settled_elsewhere' },
          t.tokens.manager,
        );
      expect((await api('POST', `/api/v1/orders/${check.id}/complete`)).status).toBe(200);
    };
    const samChecks = [
      await ring(sam, 't1', [
        { itemId: 'ribeye', qty: 2 },
        { itemId: 'lager', qty: 1 },
        { itemId: 'lager', qty: 1 },
      ]),
      await ring(sam, 't2', [{ itemId: 'fish-chips', qty: 1 }]),
    ];
    const anaChecks = [
      await ring(ana, 't7', [{ itemId: 'wings', qty: 2 }]),
      await ring(ana, 't8', [{ itemId: 'ipa', qty: 3 }]),
    ];

    // Sam voids a fired lager on till 1: a manager's override, for that void only.
    await till1.screenshot({ path: join(artifacts, 'pos-shift-before-void.png') });
    await till1.locator(`[data-order="${samChecks[0].id}"]`).getByTestId('open-check').click();
    const check = till1.getByTestId('check');
    const lagers = check.locator('li[data-item="lager"]');
    await lagers.first().locator('input').check();
    till1.once('dialog', (d) => void d.accept('spilled by the server'));
    await check.getByTestId('void-lines').click();
    const approval = till1.getByTestId('approval');
    await approval.waitFor();
    await approval.getByRole('button', { name: 'Maria' }).click();
    await till1.getByTestId('approval-pin').fill(pins.Maria);
    await till1.getByTestId('approve').click();
    await till1.getByTestId('notice').getByText('Voided').waitFor();
    // The next void asks again: the override covered the one before only.
    await lagers.nth(1).locator('input').check();
    till1.once('dialog', (d) => void d.accept('changed mind'));
    await check.getByTestId('void-lines').click();
    await approval.waitFor();
    await approval.getByRole('button', { name: 'Cancel' }).click();
    await check.getByTestId('close-check').click();
    const voided = (await t.api('GET', `/api/v1/orders/${samChecks[0].id}`)).body;
    expect(voided.lines.filter((l: { void: unknown }) => l.void)).toHaveLength(1);
    expect(voided.lines.find((l: { void: unknown }) => l.void).void).toMatchObject({
      by: { name: 'Sam' },
      approvedBy: { name: 'Maria' },
    });
    samChecks[0] = voided;

    await pay(ana, anaChecks[0], 'cash', 300);
    await pay(ana, anaChecks[1], 'cash', 0);
    await pay(sam, samChecks[0], 'card', 1_000);

    // Sam checks out: refused while a check of his is open, then done.
    await shift(till1, 'check-out', 'still has 1 open check');
    await till1.getByTestId('shift-close').click();
    await pay(sam, samChecks[1], 'card', 400);
    await till1.getByTestId('staff-badge').click();
    await till1.getByTestId('declared-tips').fill('5');
    await till1.getByTestId('check-out').click();
    await till1.getByTestId('checked-out').waitFor();
    const checkout = (
      await t.api('GET', `/api/v1/staff/${(await sam('GET', '/api/v1/staff/me')).body.staff.id}/checkout`)
    ).body;
    expect(checkout).toMatchObject({
      checks: 2,
      cardTips: 1_400,
      cashTaken: 0,
      cashOwed: -1_400,
      declaredCashTips: 500,
    });
    await till1.getByTestId('clock-out').click();
    await till1.getByTestId('shift-message').getByText('Clocked out.').waitFor();
    await till1.getByTestId('shift-close').click();

    // Cleo counts the drawer blind: $2 short.
    await switchTo(till2, 'Cleo');
    await till2.getByTestId('staff-badge').click();
    await till2.getByTestId('count-drawer').click();
    const drawer = (await t.api('GET', '/api/v1/drawers', undefined, t.tokens.manager)).body.drawers[0];
    const expected = 15_000 + anaChecks[0].total + 300 + anaChecks[1].total - 1_250 - 5_000;
    expect(drawer.figures.expected).toBe(expected);
    let left = expected - 200;
    for (const d of [10_000, 5_000, 2_000, 1_000, 500, 100, 25, 10, 5, 1]) {
      const n = Math.floor(left / d);
      left -= n * d;
      if (n > 0) await till2.locator(`[data-denomination="${d}"]`).fill(String(n));
    }
    await till2.getByTestId('close-drawer').click();
    await till2.getByTestId('over-short').getByText('$2.00 short').waitFor();
    await till2.getByTestId('clock-out').click();
    await till2.getByTestId('shift-message').getByText('Clocked out.').waitFor();
    await till2.getByTestId('shift-close').click();
    await switchTo(till2, 'Ana');
    await shift(till2, 'clock-out', 'Clocked out.');
    await till2.getByTestId('shift-close').click();

    // The manager closes the day on till 1.
    await switchTo(till1, 'Maria');
    await till1.getByTestId('staff-badge').click();
    await till1.getByTestId('x-report').waitFor();
    await till1.getByTestId('close-day').click();
    await till1
      .getByTestId('z-done')
      .getByText(/^Z #1 closed/)
      .waitFor();
    await till1.screenshot({ path: join(artifacts, 'pos-day-closed.png'), fullPage: true });
    const z = (await t.api('GET', '/api/v1/reports/z/1', undefined, t.tokens.manager)).body;

    // The Z against an independent sum of the checks and payments.
    const all = [...samChecks, ...anaChecks];
    const now = await Promise.all(all.map(async (c) => (await t.api('GET', `/api/v1/orders/${c.id}`)).body));
    const sum = (f: (o: any) => number) => now.reduce((s, o) => s + f(o), 0);
    expect(z.figures).toMatchObject({
      checks: 4,
      covers: 8,
      gross: sum((o) => o.gross),
      net: sum((o) => o.subtotal),
      tax: sum((o) => o.tax),
      total: sum((o) => o.total),
      voids: { count: 1, amount: sum((o) => o.voids) },
      tips: { card: 1_400, cash: 300, declared: 500 },
      overShort: -200,
      openChecks: [],
    });
    expect(z.figures.tenders).toEqual([
      { method: 'cash', count: 2, amount: anaChecks[0].total + anaChecks[1].total, tips: 300, refunds: 0 },
      {
        method: 'card_standalone',
        count: 2,
        amount: samChecks[0].total + samChecks[1].total,
        tips: 1_400,
        refunds: 0,
      },
    ]);
    expect(z.figures.labour.map((l: { staff: { name: string } }) => l.staff.name).sort()).toEqual([
      'Ana',
      'Cleo',
      'Sam',
    ]);

    // The internet returns: HQ gets everything, once.
    expect(t.hub.sync!.status().pendingEvents).toBeGreaterThan(0);
    cloud.setFault('pass');
    await synced(t);
    const rows = async (sql: string) => cloud.db.query<Record<string, string>>(sql, [restaurantId]);
    const punches = await rows(
      'select staff_name, out_at from punches where restaurant_id = $1 order by staff_name',
    );
    expect(punches.map((p) => p.staff_name)).toEqual(['Ana', 'Cleo', 'Sam']);
    expect(punches.every((p) => p.out_at !== null)).toBe(true);
    const drawers = await rows(
      'select over_short, float, counted from drawer_sessions where restaurant_id = $1',
    );
    expect(drawers).toEqual([{ over_short: '-200', float: '15000', counted: String(expected - 200) }]);
    const zs = await rows('select number, net, forced from z_reports where restaurant_id = $1');
    expect(zs).toEqual([{ number: 1, net: String(z.figures.net), forced: false }]);
    const audit = await rows(
      'select count(*) as n, count(distinct seq) as d from audit_trail where restaurant_id = $1',
    );
    const onHub = t.hub.store.db.prepare('SELECT count(*) FROM audit').pluck().get() as number;
    expect(audit[0]).toEqual({ n: String(onHub), d: String(onHub) });
    const staff = await rows('select name from staff_members where restaurant_id = $1 order by name');
    expect(staff.map((s) => s.name)).toEqual(['Ana', 'Cleo', 'Maria', 'Sam']);
    const adjustments = await rows(
      'select action, staff_name, approver_name, count from hq_adjustments(current_date - 2, current_date + 2) where restaurant_id = $1',
    );
    expect(adjustments).toEqual([{ action: 'void', staff_name: 'Sam', approver_name: 'Maria', count: '1' }]);

    // HQ, in its own app: the shift's hours, the override, the drawer $2 short, Z #1.
    const site = await serveHq();
    try {
      const hq = await browser.newPage({ viewport: { width: 1280, height: 1000 }, locale: 'en-US' });
      pages.push(hq);
      await hq.goto(
        `${site.url}/hq/#url=${encodeURIComponent(cloud.url)}&key=${cloud.anonKey}&token=${await cloud.hqToken(organisationId)}`,
      );
      const card = hq.getByTestId('staff-report');
      const day = z.figures.businessDate;
      await card.getByTestId('staff-first').fill(day);
      await card.getByTestId('staff-last').fill(day);
      await card.getByTestId('staff-show').click();
      await card.getByTestId('drawers').getByText('$2.00 short').waitFor();
      await card.getByTestId('z-reports').getByText('#1').waitFor();
      expect(await card.getByTestId('adjustments').locator('tbody tr').count()).toBe(1);
      expect(await card.getByTestId('labour').locator('tbody tr').count()).toBe(3);
      await hq.screenshot({ path: join(artifacts, 'hq-staff-and-day-close.png'), fullPage: true });
    } finally {
      site.close();
    }

    // Row level security: HQ of another organisation sees none of it.
    const stranger = cloud.client(await cloud.hqToken(crypto.randomUUID()));
    for (const table of ['punches', 'drawer_sessions', 'z_reports', 'audit_trail', 'staff_members']) {
      const { data, error } = await stranger.from(table).select('*');
      expect(error).toBeNull();
      expect(data, table).toEqual([]);
    }
    const own = cloud.client(await cloud.hqToken(organisationId));
    expect((await own.from('punches').select('staff_name')).data).toHaveLength(3);
  });

  it('locks a till left untouched for the idle minutes, back to the PIN pad', async () => {
    const page = await browser.newPage({ viewport: tablet });
    pages.push(page);
    await page.clock.install();
    await page.goto(`${t.base}/pos/#token=${t.tokens.pos}`);
    await page.getByText('Connected').waitFor();
    await signInOnTill(page, 'Ana', pins.Ana);
    await page.clock.fastForward('04:30');
    expect(await page.getByTestId('staff-badge').textContent()).toBe('Ana');
    await page.clock.fastForward('01:00');
    await page.getByTestId('locked').getByText('Locked after 5 minutes without a touch.').waitFor();
    await page.screenshot({ path: join(artifacts, 'pos-pin-pad.png') });
    await signInOnTill(page, 'Sam', pins.Sam);
    expect(await page.getByTestId('staff-badge').textContent()).toBe('Sam');

    // A card payment offers the tip buttons: 18 % of the amount, to the cent.
    const session = await page.evaluate(() => sessionStorage.getItem('grow.staffSession'));
    const api = apiFor(t.base, t.tokens.pos, { 'x-grow-staff': session! });
    const check = (
      await api('POST', '/api/v1/orders', { id: newOrderId(), lines: [{ itemId: 'ribeye', qty: 1 }] })
    ).body;
    await page.locator(`[data-order="${check.id}"]`).getByTestId('pay-order').click();
    await page.locator('[data-method="card_standalone"]').click();
    await page.locator('[data-tip="18"]').click();
    expect(await page.getByTestId('tip').inputValue()).toBe(
      (Math.round((check.total * 18) / 100) / 100).toFixed(2),
    );
    await page.getByRole('button', { name: 'Close', exact: true }).click();

    // Sam leaves the restaurant: the manager disables him, and his till locks at its next request.
    const staff = (await t.api('GET', '/api/v1/staff', undefined, t.tokens.manager)).body.staff;
    const samId = staff.find((s: { name: string }) => s.name === 'Sam').id;
    await t.api('PATCH', `/api/v1/staff/${samId}`, { active: false }, t.tokens.manager);
    await page.getByTestId('view-floor').click();
    await page.getByTestId('locked').getByText('You were signed out on the hub').waitFor();

    // A tab reopened with a session the hub ended meanwhile opens on the PIN pad, not the till.
    await signInOnTill(page, 'Ana', pins.Ana);
    const ended = await page.evaluate(() => sessionStorage.getItem('grow.staffSession'));
    await t.api('POST', '/api/v1/staff/sign-out', undefined, t.tokens.pos, { 'x-grow-staff': ended! });
    await page.reload();
    await page.getByTestId('sign-in').waitFor();
    expect(await page.locator('[data-staff]').count()).toBe(3); // Sam is disabled: no tile
  });
});
