import { randomUUID } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoMenu } from '../hub/menu/demo.ts';
import { artifacts, launchBrowser, skipBrowser } from './support/browser.ts';
import { startCloud, type TestCloud } from './support/cloud.ts';
import { burgerOrder, startHub, type TestHub } from './support/hub.ts';
import { synced } from './support/sync.ts';

const dist = join(import.meta.dirname, '../hq/dist');
const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

let cloud: TestCloud;
let browser: Browser;
let site: Server;
let siteUrl: string;
const hubs: TestHub[] = [];
beforeAll(async () => {
  cloud = await startCloud();
  if (!skipBrowser) browser = await launchBrowser();
  // The HQ app is static files with relative paths: any web host serves it from any folder; here
  // a few lines of node:http serve it under /hq/.
  site = createServer((req, res) => {
    const path = join(
      dist,
      decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
        .replace(/^\/hq\//, '/')
        .replace(/\/$/, '/index.html'),
    );
    if (!path.startsWith(dist) || !existsSync(path)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const h of hubs) await h.stop().catch(() => {});
  await browser?.close();
  site?.close();
  await cloud?.stop();
});

describe.skipIf(skipBrowser)('HQ dashboard', () => {
  it('shows each restaurant of the organisation with figures that match the orders, warns on a silent hub, and publishes a menu', async () => {
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
    for (let i = 0; i < 7; i++) await ha!.api('POST', '/api/v1/orders', burgerOrder());
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
    expect(await page.getByTestId('health').allTextContents()).toEqual(['ok', 'ok']);

    // Beta's hub goes quiet for two hours.
    await hb!.hub.stop();
    await cloud.db.query("update hubs set last_contact_at = now() - interval '2 hours' where id = $1", [
      b.hubId,
    ]);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.locator(`[data-hub="${b.hubId}"]`).getByText('warning').waitFor();
    await page.screenshot({ path: join(artifacts, 'hq-dashboard.png'), fullPage: true });

    // Publish a new menu for Alpha; its hub pulls and applies it.
    await page.getByTestId('publish-restaurant').selectOption(a.restaurantId);
    const menu = demoMenu();
    const edited = { ...menu, items: menu.items.map((i) => (i.id === 'cola' ? { ...i, price: 375 } : i)) };
    await page.getByTestId('menu-json').fill(JSON.stringify(edited));
    await page.getByTestId('publish-menu').click();
    await page
      .getByTestId('publish-result')
      .getByText(/Published version 1/)
      .waitFor();
    await expect.poll(() => ha!.hub.menu.catalog()!.items.get('cola')!.price).toBe(375);
  });
});
