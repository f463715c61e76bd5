/**
 * (One file, long: the browser scenarios of a service share Chromium, a hub and their helpers.)
 * A dinner service in the browser (docs/checks.md): the POS and the kitchen screens in Chromium
 * against a real hub. Table 12 seats four from the floor plan; drinks and starters go, mains are
 * held and fire when the starters are bumped; a dessert round; a void after firing and a comp, each
 * approved with a manager's PIN on the till; a discount while a second till edits the same check
 * (it is told, and redoes in one tap); a split by seat into four checks, each paid its own way;
 * the table free again. Then a till that rings three rounds with the hub away, replayed once.
 */
import { join } from 'node:path';
import type { Browser, Dialog, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, launchBrowser, signInOnTill, skipBrowser, tablet, tv } from './support/browser.ts';
import { newOrderId, startHub, type TestHub } from './support/hub.ts';

let browser: Browser;
const pages: Page[] = [];
beforeAll(async () => {
  if (skipBrowser) return;
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const p of pages.splice(0)) await p.close();
  await browser?.close();
});

async function open(t: TestHub, path: string, token: string, viewport = tablet): Promise<Page> {
  const page = await browser.newPage({ viewport });
  pages.push(page);
  page.on('pageerror', (err) => {
    throw err;
  });
  await page.goto(`${t.base}${path}#token=${token}`);
  await page.getByText('Connected').waitFor();
  // Where staff are set up, a till opens on the PIN pad, and a server signs in.
  if (path.startsWith('/pos/') && t.hub.staff.list().length > 0) await signInOnTill(page, 'Sam', '1111');
  return page;
}
const shot = (page: Page, name: string) => page.screenshot({ path: join(artifacts, `${name}.png`) });

/** Ring one item in on the POS from its menu tab. */
async function ring(pos: Page, tab: string, item: string) {
  await pos.locator('nav.tabs').getByRole('button', { name: tab, exact: true }).click();
  await pos.locator(`[data-testid="menu-grid"] [data-item="${item}"]`).click();
}

/** The next window.prompt on `page` answered with `text`. */
const answerPrompt = (page: Page, text: string) => page.once('dialog', (d) => void d.accept(text));

async function approve(pos: Page, pin: string) {
  const dialog = pos.getByTestId('approval');
  await dialog.waitFor();
  await dialog.getByRole('button', { name: 'Maria' }).click();
  await pos.getByTestId('approval-pin').fill(pin);
  await pos.getByTestId('approve').click();
  await dialog.waitFor({ state: 'detached' });
}

describe.skipIf(skipBrowser)('a dinner service in the browser', () => {
  let t: TestHub;
  const pin = '2468';
  beforeAll(async () => {
    t = await startHub();
    await t.api('POST', '/api/v1/staff', { name: 'Maria', roleId: 'manager', pin }, t.tokens.manager);
    await t.api('POST', '/api/v1/staff', { name: 'Sam', roleId: 'server', pin: '1111' }, t.tokens.manager);
  });
  afterAll(() => t?.stop());

  it('runs table 12 from seating to four paid checks and a free table', async () => {
    const pos = await open(t, '/pos/', t.tokens.pos);
    const grill = await open(t, '/kds/?station=grill', t.tokens.kds, tv);
    const fry = await open(t, '/kds/?station=fry', t.tokens.kds);

    // Seat table 12 with four guests from the floor plan.
    await pos.getByTestId('view-floor').click();
    await pos.locator('[data-table="t12"]').click();
    await pos.locator('[data-testid="guests"] [data-guests="4"]').click();
    const seats: [string, string][][] = [
      [
        ['Beer and wine', 'lager'],
        ['Starters', 'wings'],
        ['Mains', 'fish-chips'],
      ],
      [
        ['Beer and wine', 'red-wine'],
        ['Starters', 'calamari'],
        ['Mains', 'veg-curry'],
      ],
      [
        ['Soft drinks', 'orange-juice'],
        ['Starters', 'tomato-soup'],
        ['Mains', 'veg-curry'],
      ],
      [
        ['Soft drinks', 'sparkling-water'],
        ['Starters', 'bruschetta'],
        ['Mains', 'carbonara'],
      ],
    ];
    for (const [i, items] of seats.entries()) {
      await pos.locator(`[data-seat="${i + 1}"]`).click();
      for (const [tab, item] of items) await ring(pos, tab, item);
    }
    await pos.locator('[data-hold="mains"]').click();
    await pos.getByTestId('send').click();
    await pos
      .getByTestId('notice')
      .getByText(/Table 12 sent as #\d+/)
      .waitFor();
    const check = pos.getByTestId('check');
    await check.waitFor();
    const checkId = (await check.getAttribute('data-check'))!;
    await expect.poll(async () => check.locator('.k-held').count()).toBe(4);

    // The grill sees the held mains as "next"; nothing to press yet.
    const grillCard = grill.locator(`[data-order="${checkId}"]`);
    await grillCard.getByTestId('next').waitFor();
    expect(await grillCard.getByTestId('bump').count()).toBe(0);
    await pos.getByTestId('view-floor').click();
    await pos.locator('[data-table="t12"][data-state="ordered"]').waitFor();
    await shot(pos, 'pos-floor-plan');

    // Drinks and starters are served and bumped: the mains fire by themselves.
    await fry.locator(`[data-order="${checkId}"]`).getByTestId('bump').first().click();
    for (const ticket of (await t.api('GET', `/api/v1/orders/${checkId}`)).body.tickets) {
      if (ticket.status === 'open' && ticket.stationId !== 'fry')
        expect(
          (await t.api('POST', `/api/v1/tickets/${ticket.id}/bump`, undefined, t.tokens.kds)).status,
        ).toBe(200);
    }
    await grillCard.getByTestId('bump').waitFor();
    await pos.locator('[data-table="t12"][data-state="mains_fired"]').waitFor();

    // A dessert round, its own ticket on the pastry station, marked as an add-on.
    await pos.locator('[data-table="t12"]').click();
    await check.waitFor();
    for (const [i, item] of ['cheesecake', 'tiramisu', 'sorbet', 'ice-cream'].entries()) {
      await pos.locator(`[data-seat="${i + 1}"]`).click();
      await ring(pos, 'Desserts', item);
    }
    await pos.getByTestId('send').click();
    await pos.getByTestId('notice').getByText('Table 12 · round sent').waitFor();
    await expect
      .poll(async () =>
        (await t.api('GET', `/api/v1/orders/${checkId}`)).body.tickets.some(
          (x: any) => x.stationId === 'pastry' && x.round === 2,
        ),
      )
      .toBe(true);

    // Seat 3's curry voided after it fired: the till asks for a manager's PIN, the grill strikes it.
    await check.locator('li[data-item="veg-curry"]').nth(1).locator('input').check();
    answerPrompt(pos, 'sent to the wrong seat');
    await pos.getByTestId('void-lines').click();
    await approve(pos, pin);
    await pos.getByTestId('notice').getByText('Voided').waitFor();
    await grillCard.getByTestId('voided-line').waitFor();

    // A second till opens the same check and starts a comp; the first applies 10 % off meanwhile.
    const other = await open(t, '/pos/', t.tokens.pos);
    await other.locator(`[data-order="${checkId}"]`).getByTestId('open-check').click();
    const otherCheck = other.getByTestId('check');
    await otherCheck.locator('li[data-item="sorbet"] input').check();
    const promptOnOther = new Promise<Dialog>((resolve) => other.once('dialog', resolve));
    const clicked = otherCheck.getByTestId('comp-lines').click();
    const compPrompt = await promptOnOther; // the second till waits on its reason prompt
    await pos.getByTestId('discount').click();
    await pos.locator('[data-discount="ten-percent"]').click();
    await pos.getByTestId('notice').getByText('10 % off applied').waitFor();
    await compPrompt.accept('long wait');
    await clicked;
    await other.getByTestId('stale').waitFor(); // told, with the check as it now is
    await shot(other, 'pos-check-changed-on-another-till');
    await other.getByTestId('redo').click();
    await approve(other, pin);
    await other.getByTestId('notice').getByText('Done again').waitFor();

    let now = (await t.api('GET', `/api/v1/orders/${checkId}`)).body;
    // The discount came first (on everything), so the comp takes what is left of the sorbet.
    const sorbet = now.lines.find((l: any) => l.itemId === 'sorbet');
    expect(now.comps).toBe(600 - sorbet.discount);
    expect(now.voids).toBe(1600);
    expect(now.discountsApplied.map((d: any) => d.discountId)).toEqual(['ten-percent']);
    expect(now.lines.find((l: any) => l.itemId === 'sorbet').comp.approvedBy.name).toBe('Maria');
    // Independent sum: menu prices, less the void, the comp and 10 % of the rest, taxed per class.
    const menu = (await t.api('GET', '/api/v1/menu')).body;
    const price = (id: string) => menu.items.find((i: any) => i.id === id).price;
    const cls = (id: string) => menu.items.find((i: any) => i.id === id).taxClassId;
    const rate = (c: string) => menu.taxClasses.find((x: any) => x.id === c).rateBasisPoints;
    const sold = [...seats.flat().map(([, id]) => id), 'cheesecake', 'tiramisu', 'sorbet', 'ice-cream'];
    sold.splice(sold.indexOf('veg-curry', sold.indexOf('veg-curry') + 1), 1); // seat 3's curry, voided
    const gross = sold.reduce((s, id) => s + price(id), 0);
    const discounts = Math.floor((gross * 1_000 * 2 + 10_000) / 20_000); // 10 %, half up
    expect(now).toMatchObject({ gross, discounts, subtotal: gross - discounts - now.comps });
    const taxable = new Map<string, number>();
    for (const l of now.lines.filter((x: any) => !x.void && !x.comp))
      taxable.set(cls(l.itemId), (taxable.get(cls(l.itemId)) ?? 0) + l.lineTotal - l.discount);
    const tax = [...taxable].reduce(
      (s, [c, amount]) => s + Math.floor((amount * rate(c) * 2 + 10_000) / 20_000),
      0,
    );
    expect(now).toMatchObject({ tax, total: now.subtotal + tax });
    await pos.reload();
    await pos.getByText('Connected').waitFor();
    await pos.locator(`[data-order="${checkId}"]`).getByTestId('open-check').click();
    await check.waitFor();
    await shot(pos, 'pos-check');

    // Split by seat: four checks that add up to this one, each paid its own way.
    await pos.getByTestId('split').click();
    await pos.getByTestId('split-seat').click();
    await pos
      .getByTestId('notice')
      .getByText(/Split by seat: checks #\d+, #\d+, #\d+, #\d+/)
      .waitFor();
    const parts = (await t.api('GET', '/api/v1/checks?table=t12')).body.checks;
    expect(parts).toHaveLength(4);
    expect(parts.reduce((s: number, c: any) => s + c.total, 0)).toBe(now.total);
    await pos.getByTestId('close-check').click();
    const tenders = [
      { method: 'cash' },
      { method: 'card_standalone', brand: 'mastercard', last4: '5100' },
      { method: 'cash', tendered: '100' },
      { method: 'card_standalone', brand: 'visa', last4: '4242' },
    ];
    for (const [i, part] of parts.entries()) {
      const row = pos.locator(`[data-order="${part.id}"]`);
      await row.getByTestId('pay-order').click();
      const tender = tenders[i]!;
      await pos.locator(`[data-method="${tender.method}"]`).click();
      if (tender.brand) {
        await pos.locator(`[data-brand="${tender.brand}"]`).click();
        await pos.getByTestId('last4').fill(tender.last4!);
      }
      if (tender.tendered) await pos.getByTestId('tendered').fill(tender.tendered);
      await pos.getByTestId('take-payment').click();
      await pos.getByTestId('pay').waitFor({ state: 'detached' });
      await row.getByTestId('complete-order').click();
      await pos.getByTestId('notice').getByText(`Check #${part.number} closed`).waitFor();
    }
    now = (await t.api('GET', '/api/v1/checks?state=closed&table=t12')).body;
    expect(now.checks.map((c: any) => c.pay)).toEqual(['paid', 'paid', 'paid', 'paid']);
    const brands = (await Promise.all(parts.map((p: any) => t.api('GET', `/api/v1/orders/${p.id}/payments`))))
      .flatMap((r) => r.body.payments)
      .filter((p: any) => p.card)
      .map((p: any) => p.card.brand)
      .sort();
    expect(brands).toEqual(['mastercard', 'visa']);
    await pos.getByTestId('view-floor').click();
    await pos.locator('[data-table="t12"][data-state="free"]').waitFor();
  });

  it('opens a bar tab by name, moves a line to it from a table, then merges it back, from the POS', async () => {
    const pos = await open(t, '/pos/', t.tokens.pos);
    await pos.locator('[data-type="bar_tab"]').click();
    await pos.getByPlaceholder('T4').fill('Sam');
    await ring(pos, 'Beer and wine', 'stout');
    await pos.getByTestId('send').click();
    await pos
      .getByTestId('notice')
      .getByText(/Sam sent as #\d+/)
      .waitFor();
    const tab = (await t.api('GET', '/api/v1/checks?q=sam')).body.checks[0];
    expect(tab).toMatchObject({ orderType: 'bar_tab', tableLabel: 'Sam' });
    const { body: table } = await t.api('POST', '/api/v1/orders', {
      id: newOrderId(),
      tableId: 't3',
      lines: [
        { itemId: 'wings', qty: 1 },
        { itemId: 'lager', qty: 1 },
      ],
    });
    await pos.locator(`[data-order="${table.id}"]`).getByTestId('open-check').click();
    const check = pos.getByTestId('check');
    await check.locator('li[data-item="lager"] input').check();
    await pos.getByTestId('move').click();
    await pos.locator(`[data-other="${tab.id}"]`).click();
    await pos.getByTestId('notice').getByText(`Moved to check #${tab.number}`).waitFor();
    expect((await t.api('GET', `/api/v1/orders/${tab.id}`)).body.lines.map((l: any) => l.itemId)).toEqual([
      'stout',
      'lager',
    ]);
    await pos.getByTestId('move').click();
    await pos.locator(`[data-other="${tab.id}"]`).click();
    await pos.getByTestId('notice').getByText(`Check #${tab.number} merged into this one`).waitFor();
    const merged = (await t.api('GET', `/api/v1/orders/${table.id}`)).body;
    expect(merged.lines.map((l: any) => l.itemId)).toEqual(['wings', 'stout', 'lager']);
    expect((await t.api('GET', `/api/v1/orders/${tab.id}`)).body.status).toBe('voided');

    // An item 86'd while it sits in a round: the round stays rung in, says why, and cannot be sent
    // until the cashier changes it.
    await ring(pos, 'Beer and wine', 'ipa');
    await t.api('POST', '/api/v1/menu/items/ipa/availability', { available: false }, t.tokens.manager);
    await pos.getByText('"IPA" is 86\'d; pick something else or mark it back in stock').waitFor();
    expect(await pos.getByTestId('send').isDisabled()).toBe(true);
    await pos.getByTestId('cart').getByText('IPA').waitFor();
    await t.api('POST', '/api/v1/menu/items/ipa/availability', { available: true }, t.tokens.manager);
    await expect.poll(() => pos.getByTestId('send').isDisabled()).toBe(false);
  });

  it('works a kitchen in a rush: pages, a key for every ticket, Enter only with a ticket chosen, recall, its own settings, expo keeping stations done', async () => {
    for (let i = 1; i <= 14; i++) {
      await t.api('POST', '/api/v1/orders', {
        id: newOrderId(),
        tableId: `t${(i % 12) + 1}`,
        note: i === 3 ? 'birthday: candle on the dessert' : undefined,
        lines: [
          { itemId: 'ribeye', qty: 1 + (i % 2), seat: 1, modifiers: ['steak-rare'] },
          { itemId: 'salmon', qty: 1, seat: 2, note: i % 3 === 0 ? 'no dairy' : undefined },
        ],
      });
    }
    const grill = await open(t, '/kds/?station=grill', t.tokens.kds, tv);
    await grill.getByTestId('pager').getByText('Page 1 of 2').waitFor();
    expect(await grill.locator('.ticket').count()).toBe(12);
    await shot(grill, 'kds-rush');
    // The 11th ticket on the page has key "a"; Enter alone bumps nothing.
    const open11 = async () => grill.locator('.ticket').nth(10).getAttribute('data-ticket');
    const eleventh = await open11();
    await grill.keyboard.press('Enter');
    await grill.keyboard.press('a');
    await grill.locator('.ticket.selected').getByText('a', { exact: true }).waitFor();
    await grill.keyboard.press('Enter');
    await grill.locator(`[data-ticket="${eleventh}"]`).waitFor({ state: 'detached' });
    expect(
      (await t.api('GET', '/api/v1/tickets?station=grill&status=bumped', undefined, t.tokens.kds)).body
        .tickets,
    ).toHaveLength(1);
    await grill.keyboard.press('Shift+R');
    await grill.locator(`[data-ticket="${eleventh}"]`).waitFor();
    await grill.getByTestId('next-page').click();
    await grill.getByTestId('pager').getByText('Page 2 of 2').waitFor();
    // This screen's settings: five tickets a page, kept after a reload.
    await grill.getByTestId('screen-settings').click();
    await grill.locator('[data-setting="perPage"]').fill('5');
    // The ticket clocks tick while the cook is still typing; what was typed must stay.
    await grill.waitForTimeout(1_100);
    expect(await grill.locator('[data-setting="perPage"]').inputValue()).toBe('5');
    await grill.locator('[data-setting="perPage"]').dispatchEvent('change');
    await grill.getByTestId('pager').getByText(/of 3/).waitFor();
    await grill.reload();
    await grill.getByTestId('pager').getByText(/of 3/).waitFor();

    // Expo: a station done stays on the order, marked, until every station is done.
    const expo = await open(t, '/kds/?perPage=20', t.tokens.kds, tv);
    const { body: check } = await t.api('POST', '/api/v1/orders', {
      id: newOrderId(),
      tableId: 't11',
      note: 'allergy: shellfish',
      lines: [
        { itemId: 'lager', qty: 1 },
        { itemId: 'veg-curry', qty: 1, note: 'extra spicy' },
      ],
    });
    const card = expo.locator(`.expo[data-order="${check.id}"]`);
    await card.getByText('allergy: shellfish').waitFor();
    await card.getByText('⚠ extra spicy').waitFor();
    const bar = check.tickets.find((x: any) => x.stationId === 'bar');
    await t.api('POST', `/api/v1/tickets/${bar.id}/bump`, undefined, t.tokens.kds);
    await card.locator('[data-station="bar"]').getByText('✓ done').waitFor();
    await shot(expo, 'kds-expo-station-done');
    await card.getByRole('button', { name: 'Bump all' }).click();
    await card.waitFor({ state: 'detached' });
  });
});

describe.skipIf(skipBrowser)('a till with the hub away', () => {
  it('rings three rounds on an open check while the hub is down; each reaches the check once when it is back', async () => {
    let t = await startHub();
    const port = Number(new URL(t.base).port);
    try {
      const pos = await open(t, '/pos/', t.tokens.pos);
      const { body: check } = await t.api('POST', '/api/v1/orders', {
        id: newOrderId(),
        tableId: 't5',
        guests: 2,
        lines: [{ itemId: 'lager', qty: 1 }],
      });
      await pos.locator(`[data-order="${check.id}"]`).getByTestId('open-check').click();
      await pos.getByTestId('check').waitFor();
      await t.hub.stop(); // the hub goes away; the data stays
      await pos
        .getByTestId('connection')
        .getByText(/reconnecting|retrying/)
        .waitFor();
      for (const item of ['ipa', 'stout', 'red-wine']) {
        await ring(pos, 'Beer and wine', item);
        await pos.getByTestId('send').click();
        await pos
          .getByTestId('notice')
          .getByText(/queued/)
          .waitFor();
      }
      await pos.getByTestId('queued').getByText('Queued 3 orders').waitFor();
      await shot(pos, 'pos-rounds-queued');
      t = await startHub({ port }, t.dir);
      await pos.getByTestId('queue').waitFor({ state: 'detached', timeout: 20_000 });
      const after = (await t.api('GET', `/api/v1/orders/${check.id}`)).body;
      expect(after.lines.map((l: any) => [l.itemId, l.round])).toEqual([
        ['lager', 1],
        ['ipa', 2],
        ['stout', 3],
        ['red-wine', 4],
      ]);
    } finally {
      await t.stop();
    }
  });

  it('opens the POS after a reload while the hub is down, queues an order that keeps when it was sent, and delivers it once', async () => {
    let t = await startHub();
    const port = Number(new URL(t.base).port);
    try {
      const pos = await open(t, '/pos/', t.tokens.pos);
      // The service worker has the shell once it controls the page.
      await pos.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, {
        timeout: 15_000,
      });
      await t.hub.stop();
      await pos.reload();
      await pos.getByTestId('menu-grid').waitFor();
      await pos
        .getByTestId('connection')
        .getByText(/unreachable/)
        .waitFor();
      await shot(pos, 'pos-reloaded-offline');
      await pos.getByPlaceholder('T4').fill('Sam');
      await ring(pos, 'Beer and wine', 'stout');
      const sentAt = Date.now();
      await pos.getByTestId('send').click();
      await pos
        .getByTestId('notice')
        .getByText('Sam queued: the hub is unreachable; it will be sent by itself.')
        .waitFor();
      await new Promise((r) => setTimeout(r, 2_500)); // it waits in the queue
      t = await startHub({ port }, t.dir);
      await pos
        .getByTestId('notice')
        .getByText(/Sam sent as #\d+/)
        .waitFor({ timeout: 20_000 });
      const sam = (await t.api('GET', '/api/v1/checks?q=sam')).body.checks;
      expect(sam).toHaveLength(1);
      const check = (await t.api('GET', `/api/v1/orders/${sam[0].id}`)).body;
      expect(Math.abs(Date.parse(check.takenAt) - sentAt)).toBeLessThan(1_500);
      expect(Date.parse(check.createdAt) - Date.parse(check.takenAt)).toBeGreaterThan(2_000);
      const bar = await open(t, '/kds/?station=bar', t.tokens.kds);
      await bar.locator(`[data-order="${check.id}"]`).getByTestId('queued-for').waitFor();
    } finally {
      await t.stop();
    }
  });
});
