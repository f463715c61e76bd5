// Long because it is the HQ dashboard as an analyst uses it in one browser session (figures, report
// and tenders with their CSVs, drill-down, silent hubs, the menu with a restaurant's overrides):
// each step builds on the state the last one left, which splitting would rebuild at every step.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoMenu } from '../hub/menu/demo.ts';
import { artifacts, launchBrowser, skipBrowser } from './support/browser.ts';
import { startCloud, type TestCloud } from './support/cloud.ts';
import { serveHq } from './support/hq-site.ts';
import { burgerOrder, startHub, type TestHub } from './support/hub.ts';
import { synced } from './support/sync.ts';

let cloud: TestCloud;
let browser: Browser;
let site: Awaited<ReturnType<typeof serveHq>>;
let siteUrl: string;
const hubs: TestHub[] = [];
beforeAll(async () => {
  cloud = await startCloud();
  if (!skipBrowser) browser = await launchBrowser();
  site = await serveHq();
  siteUrl = site.url;
});
afterAll(async () => {
  for (const h of hubs) await h.stop().catch(() => {});
  await browser?.close();
  site?.close();
  await cloud?.stop();
});

describe.skipIf(skipBrowser)('HQ dashboard', () => {
  it('says what went wrong and how to get back in: an expired session, a token for no organisation, an unreachable cloud, an empty organisation', async () => {
    const org = randomUUID();
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    page.on('pageerror', (err) => {
      throw err;
    });
    // A fresh load each time (a new hash alone would not reload the app).
    const open = async (url: string, token: string) => {
      await page.goto('about:blank');
      await page.goto(`${siteUrl}/hq/#url=${encodeURIComponent(url)}&key=${cloud.anonKey}&token=${token}`);
    };
    const hqToken = (claims: Record<string, unknown>, expiresAt: number) =>
      new SignJWT({ role: 'authenticated', grow_role: 'hq', sub: randomUUID(), ...claims })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setIssuedAt(Math.floor(Date.now() / 1000) - 60)
        .setExpirationTime(expiresAt)
        .sign(new TextEncoder().encode(cloud.jwtSecret));
    const inAnHour = Math.floor(Date.now() / 1000) + 3600;

    // A session that expired: the sign-in page says so and keeps the project's address and key.
    await open(cloud.url, await hqToken({ organisation_id: org }, Math.floor(Date.now() / 1000) - 10));
    await page
      .getByTestId('sign-in-reason')
      .getByText(/Your session expired/)
      .waitFor();
    expect(await page.getByTestId('sign-in-url').inputValue()).toBe(cloud.url);
    expect(await page.getByTestId('sign-in-key').inputValue()).toBe(cloud.anonKey);

    // Signed in again, to an organisation with nothing in it yet: the dashboard says so.
    await page.getByTestId('sign-in-token').fill(await hqToken({ organisation_id: org }, inAnHour));
    await page.getByRole('button', { name: 'Open the dashboard' }).click();
    await page.getByTestId('no-restaurants').waitFor();
    await page.getByText('No orders this week yet.').waitFor();

    // A session that runs out while the dashboard is open: the next refresh returns to sign-in.
    await open(cloud.url, await hqToken({ organisation_id: org }, Math.floor(Date.now() / 1000) + 2));
    await page.getByTestId('no-restaurants').waitFor();
    await new Promise((r) => setTimeout(r, 2_500));
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page
      .getByTestId('sign-in-reason')
      .getByText(/Your session expired/)
      .waitFor();

    // A token that names no organisation.
    await open(cloud.url, await hqToken({}, inAnHour));
    await page
      .getByTestId('sign-in-reason')
      .getByText(/names no organisation/)
      .waitFor();

    // A cloud that does not answer: said as such, with a way out.
    await open('http://127.0.0.1:9', await hqToken({ organisation_id: org }, inAnHour));
    await page
      .getByTestId('dashboard-error')
      .getByText("Can't reach the cloud at http://127.0.0.1:9", { exact: false })
      .waitFor();
    await page.getByRole('button', { name: 'Sign in again' }).click();
    await page.getByTestId('sign-in-reason').getByText('Signed out. Sign in again.').waitFor();
    await page.close();
  });

  it('shows each restaurant of the organisation with figures that match the orders, warns on a silent hub, and publishes the organisation menu with a restaurant’s overrides', async () => {
    const org = randomUUID();
    const [a, b] = [await cloud.addHub(undefined, org), await cloud.addHub(undefined, org)];
    await cloud.db.query("update restaurants set name = 'Alpha Diner' where id = $1", [a.restaurantId]);
    await cloud.db.query("update restaurants set name = 'Beta Bistro' where id = $1", [b.restaurantId]);
    const outsider = await cloud.addHub(); // another organisation: HQ of `org` must not see it
    const fast = { syncLingerMs: 20, syncMenuPollMs: 200, syncBackoffBaseMs: 50, syncBackoffCapMs: 400 };
    const [ha, hb, ho] = await Promise.all(
      [a, b, outsider].map((c) =>
        startHub({ cloudUrl: cloud.url, cloudAnonKey: cloud.anonKey, cloudHubToken: c.token, ...fast }),
      ),
    );
    hubs.push(ha!, hb!, ho!);
    // Alpha's tables are of 3 guests, and one pays cash with a tip, for the report's covers,
    // tenders and tips.
    const alphaOrders: { id: string; total: number }[] = [];
    for (let i = 0; i < 7; i++)
      alphaOrders.push((await ha!.api('POST', '/api/v1/orders', { ...burgerOrder(), guests: 3 })).body);
    const paid = await ha!.api('POST', `/api/v1/orders/${alphaOrders[0]!.id}/payments`, {
      id: randomUUID(),
      method: 'cash',
      amount: alphaOrders[0]!.total,
      tip: 250,
    });
    expect(paid.status).toBe(201);
    for (let i = 0; i < 4; i++) await hb!.api('POST', '/api/v1/orders', burgerOrder());
    await ho!.api('POST', '/api/v1/orders', burgerOrder());
    for (const h of [ha!, hb!, ho!]) await synced(h);
    const money = (cents: number) =>
      new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);
    const total = (h: TestHub) =>
      h.hub.store.db.prepare('SELECT SUM(total) FROM orders').pluck().get() as number;

    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 }, locale: 'en-US' });
    page.on('pageerror', (err) => {
      throw err;
    });
    await page.goto(
      `${siteUrl}/hq/#url=${encodeURIComponent(cloud.url)}&key=${cloud.anonKey}&token=${await cloud.hqToken(org)}`,
    );
    const alpha = page.locator(`[data-testid="sales"] [data-restaurant="${a.restaurantId}"]`);
    await alpha.waitFor();
    expect(await alpha.getByTestId('sales-today').textContent()).toBe(money(total(ha!)));
    expect(
      await page
        .locator(`[data-testid="sales"] [data-restaurant="${b.restaurantId}"]`)
        .getByTestId('sales-today')
        .textContent(),
    ).toBe(money(total(hb!)));
    expect(await page.locator(`[data-restaurant="${outsider.restaurantId}"]`).count()).toBe(0);
    await page.getByTestId('top-items').getByText('Classic Beef Burger').waitFor();
    expect(await page.getByTestId('top-items').locator('b').first().textContent()).toBe(String(2 * 11)); // 11 orders × 2 burgers
    // One restaurant's, and by sales: Alpha's 7 orders of 2 burgers and a cola.
    await page.getByTestId('top-restaurant').selectOption(a.restaurantId);
    await expect
      .poll(() => page.getByTestId('top-items').locator('b').first().textContent())
      .toBe(String(2 * 7));
    await page.getByTestId('top-by').selectOption('sales');
    const [{ cents }] = (await cloud.db.query(
      "select sum(line_total)::bigint as cents from order_lines where restaurant_id = $1 and item_id = 'classic-burger'",
      [a.restaurantId],
    )) as [{ cents: string }];
    await expect
      .poll(() => page.getByTestId('top-items').locator('b').first().textContent())
      .toBe(money(Number(cents)));
    expect(await page.getByTestId('health').allTextContents()).toEqual(['ok', 'ok']);

    // The sales report over today's business day: per restaurant, a total, and a CSV whose
    // figures are the database's own sums.
    const [{ day }] = (await cloud.db.query(
      'select grow_private.business_date(timezone, day_starts_at, now())::text as day from restaurants where id = $1',
      [a.restaurantId],
    )) as [{ day: string }];
    await page.getByTestId('report-first').fill(day);
    await page.getByTestId('report-last').fill(day);
    await page.getByTestId('report-show').click();
    const report = page.getByTestId('report');
    await report
      .locator(`[data-restaurant="${a.restaurantId}"] [data-figure="sales"]`)
      .getByText(money(total(ha!)))
      .waitFor();
    const totalRow = report.getByTestId('report-total');
    expect(await totalRow.locator('[data-figure="sales"]').textContent()).toBe(
      money(total(ha!) + total(hb!)),
    );
    expect(await totalRow.locator('[data-figure="covers"]').textContent()).toBe('21');
    expect(await totalRow.locator('[data-figure="tips"]').textContent()).toBe(money(250));
    const cash = report
      .getByTestId('tenders')
      .locator(`[data-restaurant="${a.restaurantId}"][data-method="cash"]`);
    expect(await cash.locator('[data-figure="amount"]').textContent()).toBe(money(alphaOrders[0]!.total));
    const saved = async (testid: string) => {
      const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
      return readFileSync((await file.path())!, 'utf8')
        .trim()
        .split('\n');
    };
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('report-csv').click(),
    ]);
    expect(download.suggestedFilename()).toBe(`grow-sales-${day}-to-${day}.csv`);
    const csv = readFileSync((await download.path())!, 'utf8')
      .trim()
      .split('\n');
    expect(csv[0]).toBe(
      'restaurant,first_day,last_day,orders,covers,gross,voids,comps,discounts,net,tax,sales,tips,refunded,voided,voided_total,previous_orders,previous_sales,average_check,average_per_cover',
    );
    // Each restaurant's line against sums over its raw rows (orders and payments), and the total
    // against the two added.
    const inDb = async (restaurantId: string) =>
      (
        (await cloud.db.query(
          `select count(*)::int as orders, coalesce(sum(guests), 0)::int as covers, coalesce(sum(gross), 0)::int as gross,
                  coalesce(sum(voids), 0)::int as voids, coalesce(sum(comps), 0)::int as comps,
                  coalesce(sum(discounts), 0)::int as discounts, coalesce(sum(total - tax), 0)::int as net,
                  coalesce(sum(tax), 0)::int as tax, coalesce(sum(total), 0)::int as sales,
                  (select coalesce(sum(tip), 0)::int from payments p where p.restaurant_id = $1) as tips
           from orders where restaurant_id = $1 and status <> 'voided'`,
          [restaurantId],
        )) as [
          Record<
            | 'orders'
            | 'covers'
            | 'gross'
            | 'voids'
            | 'comps'
            | 'discounts'
            | 'net'
            | 'tax'
            | 'sales'
            | 'tips',
            number
          >,
        ]
      )[0];
    const alphaDb = await inDb(a.restaurantId);
    const betaDb = await inDb(b.restaurantId);
    const decimal = (n: number) => (n / 100).toFixed(2);
    const expected = (name: string, r: typeof alphaDb) =>
      [
        name,
        day,
        day,
        r.orders,
        r.covers,
        decimal(r.gross),
        decimal(r.voids),
        decimal(r.comps),
        decimal(r.discounts),
        decimal(r.net),
        decimal(r.tax),
        decimal(r.sales),
        decimal(r.tips),
        '0.00',
        0,
        '0.00',
        0,
        '0.00',
        decimal(Math.round(r.sales / r.orders)),
        r.covers ? decimal(Math.round(r.sales / r.covers)) : '0.00',
      ].join(',');
    const both = Object.fromEntries(
      Object.keys(alphaDb).map((k) => [
        k,
        alphaDb[k as keyof typeof alphaDb] + betaDb[k as keyof typeof betaDb],
      ]),
    ) as typeof alphaDb;
    expect(alphaDb.tips).toBe(250);
    expect(csv.slice(1)).toEqual([
      expected('Alpha Diner', alphaDb),
      expected('Beta Bistro', betaDb),
      expected('Total', both),
    ]);
    const tenderLines = await saved('tenders-csv');
    expect(tenderLines).toEqual([
      'restaurant,first_day,last_day,method,payments,amount,tips,refunded',
      `Alpha Diner,${day},${day},cash,1,${decimal(alphaOrders[0]!.total)},2.50,0.00`,
    ]);
    // Drill down: Alpha's name opens its days, the day opens its checks, as the database has them.
    await report.locator(`[data-restaurant="${a.restaurantId}"]`).getByTestId('drill').click();
    const dayRow = page.getByTestId('days').locator(`[data-day="${day}"]`);
    await dayRow.getByText(money(alphaDb.sales)).waitFor();
    await dayRow.getByRole('button', { name: day }).click();
    const checks = page.getByTestId('checks').locator('tbody tr');
    await expect.poll(() => checks.count()).toBe(alphaDb.orders);
    const totals = await page.getByTestId('checks').locator('tbody tr td:last-child').allTextContents();
    expect(totals.every((t) => t === money(total(ha!) / alphaDb.orders))).toBe(true); // 7 identical burger orders
    await page.screenshot({ path: join(artifacts, 'hq-report-drill-down.png'), fullPage: true });
    // Every table downloads as CSV: the day's checks, and the hubs.
    const checkLines = await saved('checks-csv');
    expect(checkLines[0]).toBe('order,number,opened_local,table,status,lines,total');
    expect(checkLines).toHaveLength(alphaDb.orders + 1);
    const hubLines = await saved('hubs-csv');
    expect(hubLines[0]).toBe(
      'hub,restaurant,synced_seq,menu_version,last_contact_at,health,primary_box,epoch,standby',
    );
    expect(
      hubLines
        .slice(1)
        .map((l) => l.split(',')[0])
        .sort(),
    ).toEqual([a.hubId, b.hubId].sort());

    // A range that ends before it starts is refused in words.
    await page.getByTestId('report-first').fill('2026-12-31');
    await page.getByTestId('report-show').click();
    await page
      .getByTestId('report-problem')
      .getByText('the report needs a first day on or before its last day')
      .waitFor();

    // Beta's hub stops. Its last contact is moved back rather than waited for: the cloud's clock
    // is what counts. Six minutes is past the default warning (5 min); the banner names Beta,
    // its figures are marked stale, Alpha's are not.
    await hb!.hub.stop();
    const silentFor = (minutes: number) =>
      cloud.db.query(
        `update hubs set last_contact_at = now() - interval '${minutes} minutes' where id = $1`,
        [b.hubId],
      );
    await silentFor(6);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator(`[data-hub="${b.hubId}"]`).getByText('warning').waitFor();
    const banner = page.getByTestId('silence-banner');
    await banner.getByText(/Beta Bistro.*no word from its hub for 6 min/).waitFor();
    expect(await banner.getAttribute('class')).toContain('warning');
    await page
      .locator(`[data-testid="sales"] [data-restaurant="${b.restaurantId}"]`)
      .getByTestId('stale')
      .waitFor();
    expect(await alpha.getByTestId('stale').count()).toBe(0);
    await page.screenshot({ path: join(artifacts, 'hq-dashboard.png'), fullPage: true });

    // The organisation tightens the thresholds to 2 and 4 minutes in HQ: six minutes is an alarm.
    await page.getByTestId('warning-minutes').fill('2');
    await page.getByTestId('alarm-minutes').fill('4');
    await page.getByTestId('save-thresholds').click();
    await page.getByTestId('settings-result').getByText('warning after 2 min, alarm after 4 min').waitFor();
    await page.locator(`[data-hub="${b.hubId}"]`).getByText('alarm').waitFor();
    expect(await banner.getAttribute('class')).toContain('alarm');
    // A threshold that makes no sense is refused in words.
    await page.getByTestId('alarm-minutes').fill('1');
    await page.getByTestId('save-thresholds').click();
    await page
      .getByTestId('settings-result')
      .getByText(/alarm later than the warning/)
      .waitFor();

    // Beta is closed now (its opening hours exclude this time of day in its time zone): silence is
    // expected, no banner.
    const now = new Date();
    const hhmm = (d: Date) =>
      `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
    await page.getByTestId('hours-restaurant').selectOption(b.restaurantId);
    await page.getByTestId('opens').fill(hhmm(new Date(now.getTime() + 60 * 60_000)));
    await page.getByTestId('closes').fill(hhmm(new Date(now.getTime() + 120 * 60_000)));
    await page.getByTestId('save-hours').click();
    await page
      .getByTestId('settings-result')
      .getByText(/Saved: open/)
      .waitFor();
    await page.locator(`[data-hub="${b.hubId}"]`).getByText('closed').waitFor();
    expect(await page.getByTestId('silence-banner').count()).toBe(0);

    // The organisation's menu, started from Alpha's (its hub offered the demo menu when it first
    // reached the cloud, kept as version 1), with Cola at 3.75. Beta overrides it: Cola at 3.00
    // there, and no burgers. One publish gives each restaurant its own version 2. Alpha's hub pulls
    // and applies it and HQ shows the version each hub applied; Beta's hub is down, so its row says
    // it has not arrived, and its menu is checked in the database.
    await page.getByTestId('organisation-menu').getByText('no menu of its own yet').waitFor();
    await page.getByTestId('publish-restaurant').selectOption(a.restaurantId);
    await expect
      .poll(async () => JSON.parse((await page.getByTestId('menu-json').inputValue()) || '{}').items?.length)
      .toBe(demoMenu().items.length);
    const menu = demoMenu();
    const edited = { ...menu, items: menu.items.map((i) => (i.id === 'cola' ? { ...i, price: 375 } : i)) };
    await page.getByTestId('menu-json').fill(JSON.stringify(edited));
    await page.getByTestId('overrides-restaurant').selectOption(b.restaurantId);
    const overrides = page.getByTestId('overrides');
    await overrides.locator('[data-item="cola"]').getByTestId('override-price').fill('3.00');
    await overrides.locator('[data-item="classic-burger"]').getByTestId('override-removed').check();
    await page.getByTestId('save-overrides').click();
    await page.getByTestId('overrides-result').getByText('Beta Bistro: 2 overrides saved').waitFor();
    await page.getByTestId('publish-menu').click();
    const results = page.getByTestId('publish-result');
    await results.getByText('Organisation menu: saved as version 1.').waitFor();
    await results.getByText('Alpha Diner: published version 2;').waitFor();
    await results
      .getByText('Beta Bistro: published version 2 (1 price of its own, 1 not sold there);')
      .waitFor();
    await expect.poll(() => ha!.hub.menu.catalog()!.items.get('cola')!.price).toBe(375);
    const [{ body: beta }] = (await cloud.db.query(
      'select body from menu_versions where restaurant_id = $1 and version = 2',
      [b.restaurantId],
    )) as [{ body: typeof menu }];
    expect(beta.items.find((i) => i.id === 'cola')!.price).toBe(300);
    expect(beta.items.some((i) => i.id === 'classic-burger')).toBe(false);
    expect(beta.items).toHaveLength(menu.items.length - 1);
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return page.locator(`[data-hub="${a.hubId}"]`).getByTestId('menu-applied').textContent();
        },
        { timeout: 15_000 },
      )
      .toBe('version 2');
    expect(await page.locator(`[data-hub="${b.hubId}"]`).getByTestId('menu-applied').textContent()).toBe(
      'version 1 (2 published, not yet applied)',
    );

    // The same menu again is not a new version; a mistake names the item, not its list position.
    await page.getByTestId('publish-menu').click();
    await results.getByText('Organisation menu: unchanged since version 1.').waitFor();
    await results.getByText('Alpha Diner: nothing changed since version 2: not published again').waitFor();
    const broken = { ...edited, items: edited.items.map((i) => (i.id === 'cola' ? { ...i, price: -5 } : i)) };
    await page.getByTestId('menu-json').fill(JSON.stringify(broken));
    await page.getByTestId('publish-menu').click();
    await results.getByText(/^Item “Cola” \(cola\), price: /).waitFor();
    await page.screenshot({ path: join(artifacts, 'hq-menu-editor.png'), fullPage: true });
  });
});
