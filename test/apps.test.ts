import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, launchBrowser, skipBrowser, tablet, tv } from './support/browser.ts';
import { burgerOrder, newOrderId, startHub, type TestHub } from './support/hub.ts';

let browser: Browser;
beforeAll(async () => {
  if (skipBrowser) return;
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

const pages: Page[] = [];
async function open(t: TestHub, path: string, token: string, viewport = tablet): Promise<Page> {
  const page = await browser.newPage({ viewport });
  pages.push(page);
  page.on('pageerror', (err) => {
    throw err;
  });
  await page.goto(`${t.base}${path}#token=${token}`);
  return page;
}
const shot = (page: Page, name: string) => page.screenshot({ path: join(artifacts, `${name}.png`) });
const ordersIn = (t: TestHub) =>
  t.hub.store.db.prepare('SELECT COUNT(*) FROM orders').pluck().get() as number;

describe.skipIf(skipBrowser)('POS and KDS in a real browser', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startHub();
  });
  afterAll(async () => {
    for (const p of pages.splice(0)) await p.close();
    await t.stop();
  });

  it('builds an order with modifiers on the POS; the grill KDS shows it; bump clears it and moves the order on', async () => {
    const pos = await open(t, '/pos/', t.tokens.pos);
    const grill = await open(t, '/kds/?station=grill', t.tokens.kds);
    await pos.getByText('Connected').waitFor();
    await grill.getByText('Connected').waitFor();

    await pos.getByRole('button', { name: 'Burgers' }).click();
    await pos.locator('[data-item="classic-burger"]').click();
    await pos.locator('[data-option="burger-rare"]').click();
    await pos.locator('[data-option="add-cheddar"]').click();
    await pos.getByTestId('note').fill('sesame allergy');
    await pos.getByRole('button', { name: 'more' }).click();
    await pos.getByTestId('add').click();
    await pos.getByRole('button', { name: 'Soft drinks' }).click();
    await pos.locator('[data-item="cola"]').click();
    await pos.locator('[data-option="size-large"]').click();
    await pos.getByTestId('add').click();
    await pos.getByPlaceholder('T4').fill('T9');
    // 2 × (14.50 + 1.50) + 4.50 = 36.50, tax 8.25 % = 3.01
    await expect.poll(() => pos.getByTestId('total').textContent()).toBe('$39.51');
    await shot(pos, 'pos-tablet-order');
    await pos.getByTestId('send').click();
    await pos
      .getByTestId('notice')
      .getByText(/T9 sent as #\d+/)
      .waitFor();

    const order = t.hub.orders.recent(1)[0]!;
    expect(order).toMatchObject({ tableLabel: 'T9', total: 3951, status: 'sent' });
    expect(order.lines[0]).toMatchObject({ qty: 2, note: 'sesame allergy' });
    expect(order.lines[0]!.modifiers.map((m) => m.optionId)).toEqual([
      'burger-rare',
      'add-cheddar',
      'side-fries',
    ]);

    const card = grill.locator(`[data-order="${order.id}"]`);
    await card.getByText('Rare · Cheddar · Fries').waitFor();
    await card.getByText('sesame allergy').waitFor();
    await shot(grill, 'kds-tablet-grill');
    await card.getByTestId('bump').click();
    await card.waitFor({ state: 'detached' });
    expect(t.hub.orders.get(order.id).status).toBe('in_progress'); // the bar ticket is still open
    await grill.getByTestId('recall').first().waitFor();
  });

  it('shows every station per order on the expo screen at TV size, and bump-all readies the order', async () => {
    const { body: order } = await t.api('POST', '/api/v1/orders', burgerOrder());
    const expo = await open(t, '/kds/', t.tokens.kds, tv);
    const card = expo.locator(`.expo[data-order="${order.id}"]`);
    await card.getByText('Grill').waitFor();
    await card.getByText('Bar').waitFor();
    await shot(expo, 'kds-tv-expo');
    const grill = await open(t, '/kds/?station=grill', t.tokens.kds, tv);
    await grill.locator(`[data-order="${order.id}"]`).waitFor();
    await shot(grill, 'kds-tv-grill');
    await card.getByRole('button', { name: 'Bump all' }).click();
    await card.waitFor({ state: 'detached' });
    await expect.poll(() => t.hub.orders.get(order.id).status).toBe('ready');
  });

  it('shows a held course greyed as next, fires it visibly, strikes through a line voided after firing, marks an add-on round', async () => {
    const grill = await open(t, '/kds/?station=grill', t.tokens.kds, tv);
    await grill.getByText('Connected').waitFor();
    const { body: check } = await t.api('POST', '/api/v1/orders', {
      id: newOrderId(),
      tableId: 't8',
      lines: [
        { itemId: 'wings', qty: 1, seat: 1 },
        { itemId: 'veg-curry', qty: 1, seat: 1 },
        { itemId: 'veg-curry', qty: 1, seat: 2 },
      ],
      hold: ['mains'],
    });
    const card = grill.locator(`[data-order="${check.id}"]`);
    await card.getByTestId('next').waitFor();
    expect(await card.getByTestId('bump').count()).toBe(0);
    await shot(grill, 'kds-course-held');
    const fired = await t.api('POST', `/api/v1/orders/${check.id}/fire`, {
      commandId: newOrderId(),
      course: 'mains',
    });
    expect(fired.status).toBe(200);
    await card.getByTestId('bump').waitFor();
    expect(await card.getByTestId('next').count()).toBe(0);
    const curry = fired.body.lines.find((l: any) => l.seat === 2);
    const voided = await t.api(
      'POST',
      `/api/v1/orders/${check.id}/void-lines`,
      { commandId: newOrderId(), lineIds: [curry.id], reason: 'guest changed mind' },
      t.tokens.manager,
    );
    expect(voided.status).toBe(200);
    await card.getByTestId('voided-line').waitFor();
    expect(await card.locator('li:not(.voided)').count()).toBe(1);
    await t.api('POST', `/api/v1/orders/${check.id}/rounds`, {
      commandId: newOrderId(),
      lines: [{ itemId: 'salmon', qty: 1, seat: 1 }],
    });
    await grill.getByTestId('add-on').waitFor();
    await shot(grill, 'kds-course-fired-void-addon');
  });

  it('takes a cash payment on the POS and shows the change due', async () => {
    const { body: order } = await t.api('POST', '/api/v1/orders', burgerOrder());
    const pos = await open(t, '/pos/', t.tokens.pos);
    await pos.getByText('Connected').waitFor();
    await pos.locator(`[data-order="${order.id}"]`).getByTestId('pay-order').click();
    await pos.getByTestId('due').getByText('$39.51').waitFor();
    await pos.getByTestId('tendered').fill('50');
    await pos.getByTestId('change').getByText('$10.49').waitFor();
    await shot(pos, 'pos-tablet-pay-cash');
    await pos.getByTestId('take-payment').click();
    await pos.getByTestId('notice').getByText('Paid. Change due: $10.49').waitFor();
    expect(t.hub.payments.forOrder(order.id)).toMatchObject({ paid: 3951, due: 0 });
    await pos.locator(`[data-order="${order.id}"]`).getByTestId('receipt-order').click();
    await pos.getByTestId('receipt-total').getByText('$39.51').waitFor();
    await pos.getByTestId('receipt-due').getByText('$0.00').waitFor();
    await shot(pos, 'pos-tablet-receipt');
  });

  it('searches the menu on the POS by intent, down to what is relevant, with the named item first', async () => {
    const pos = await open(t, '/pos/', t.tokens.pos);
    await pos.getByText('Connected').waitFor();
    const tiles = () => pos.getByTestId('menu-grid').locator('[data-item]');
    const chicken = ['wings', 'chicken-burger', 'chicken-parm', 'bbq-chicken-pizza', 'cobb'];
    const search = async (q: string, first: string[]) => {
      await pos.getByTestId('search').fill(q);
      await expect
        .poll(async () => first.includes((await tiles().first().getAttribute('data-item')) ?? ''), {
          timeout: 10_000,
        })
        .toBe(true);
    };
    await search('poultry', chicken);
    const poultry = await tiles().evaluateAll((els) => els.map((e) => e.getAttribute('data-item')));
    // Chicken dishes, and not 24 tiles padded with whatever scored next.
    expect(poultry.length).toBeLessThan(24);
    expect(poultry).toEqual(expect.arrayContaining(chicken));
    await shot(pos, 'pos-tablet-search-intent');
    await search('coke', ['cola']);
    expect(await tiles().nth(1).getAttribute('data-item')).toBe('diet-cola');
    await pos.getByTestId('search').fill('qwzx');
    await pos.getByTestId('no-matches').waitFor();
  });

  it("greys out 86'd items on the POS as soon as they are marked", async () => {
    const pos = await open(t, '/pos/', t.tokens.pos);
    await pos.getByText('Connected').waitFor();
    await pos.getByRole('button', { name: 'Desserts' }).click();
    await t.api('POST', '/api/v1/menu/items/tiramisu/availability', { available: false }, t.tokens.manager);
    await pos.locator('[data-item="tiramisu"]').getByText("86'd").waitFor();
    expect(await pos.locator('[data-item="tiramisu"]').isDisabled()).toBe(true);
    await shot(pos, 'pos-tablet-86');
    await t.api('POST', '/api/v1/menu/items/tiramisu/availability', { available: true }, t.tokens.manager);
  });
});

describe.skipIf(skipBrowser)('through a hub restart', () => {
  it('queues orders on the POS while the hub is down and delivers each once; the KDS shows them after it returns', async () => {
    let t = await startHub();
    const port = Number(new URL(t.base).port);
    const pos = await open(t, '/pos/', t.tokens.pos);
    const grill = await open(t, '/kds/?station=grill', t.tokens.kds);
    await pos.getByText('Connected').waitFor();
    await grill.getByText('Connected').waitFor();
    const before = ordersIn(t);

    await t.hub.stop(); // the hub goes away (the data dir stays)
    await pos
      .getByTestId('connection')
      .getByText(/reconnecting/)
      .waitFor();
    await pos.getByRole('button', { name: 'Burgers' }).click();
    for (let i = 0; i < 3; i++) {
      await pos.locator('[data-item="cheeseburger"]').click();
      await pos.getByTestId('add').click();
      await pos.getByTestId('send').click();
      await pos
        .getByTestId('queued')
        .getByText(`Queued ${i + 1} order`)
        .waitFor();
    }
    await shot(pos, 'pos-tablet-offline-queue');

    // Search still works with the hub away: the till's own index of the menu, typos and aliases included.
    await pos.getByTestId('search').fill('buger');
    await pos.locator('[data-testid="menu-grid"] [data-item="classic-burger"]').waitFor();
    expect(await pos.getByTestId('menu-grid').locator('[data-item]').count()).toBe(6);
    await pos.getByTestId('search').fill('coke');
    await expect
      .poll(() => pos.getByTestId('menu-grid').locator('[data-item]').first().getAttribute('data-item'))
      .toBe('cola');
    await shot(pos, 'pos-tablet-offline-search');
    await pos.getByTestId('search').fill('');

    t = await startHub({ port }, t.dir);
    try {
      // An order from another till lands while the KDS is still reconnecting.
      const { body: meanwhile } = await t.api('POST', '/api/v1/orders', burgerOrder());
      await pos.getByTestId('queue').waitFor({ state: 'detached', timeout: 20_000 });
      await expect.poll(() => ordersIn(t), { timeout: 10_000 }).toBe(before + 4);
      const cheeseburgers = t.hub.orders.recent(10).filter((o) => o.lines[0]!.itemId === 'cheeseburger');
      expect(cheeseburgers).toHaveLength(3);
      for (const o of [...cheeseburgers, meanwhile])
        await grill.locator(`[data-order="${o.id}"]`).waitFor({ timeout: 20_000 });
      expect(await grill.locator('.ticket').count()).toBe(4);
      await shot(grill, 'kds-tablet-after-restart');
    } finally {
      for (const p of pages.splice(0)) await p.close();
      await t.stop();
    }
  });
});
