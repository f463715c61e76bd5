import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, launchBrowser, skipBrowser, tablet } from './support/browser.ts';
import { startHub, type TestHub } from './support/hub.ts';

let browser: Browser;
let t: TestHub;
beforeAll(async () => {
  if (skipBrowser) return;
  browser = await launchBrowser();
  t = await startHub();
});
afterAll(async () => {
  await browser?.close();
  await t?.stop();
});

describe.skipIf(skipBrowser)('admin page in a real browser', () => {
  it('approves a pairing, revokes the device, and 86s an item, each visible on a POS at once', async () => {
    const admin = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    admin.on('pageerror', (err) => {
      throw err;
    });
    await admin.goto(`${t.base}/admin/#token=${t.tokens.manager}`);
    await admin.getByTestId('connection').getByText('Connected').waitFor();

    // A brand-new tablet: no token, so it asks to pair and shows a code.
    const tabletContext = await browser.newContext({ viewport: tablet });
    const pos = await tabletContext.newPage();
    await pos.goto(`${t.base}/pos/`);
    await pos.getByRole('textbox').fill('Patio till');
    await pos.getByRole('button', { name: 'Pair with the hub' }).click();
    const code = (await pos.getByTestId('pair-code').textContent())!.trim();
    expect(code).toMatch(/^\d{6}$/);

    await admin.getByTestId('pair-code-input').fill(code);
    await admin.getByTestId('find-pairing').click();
    await admin.getByTestId('pending-pairing').getByText('Patio till').waitFor();
    expect(await admin.getByTestId('pair-role').inputValue()).toBe('pos'); // what it asked for
    await admin.getByTestId('approve').click();
    await admin
      .getByTestId('admin-notice')
      .getByText(`Approved ${code}: Patio till is pairing now as pos`)
      .waitFor();
    await pos.getByText('Connected').waitFor({ timeout: 10_000 });
    await admin.locator('[data-device="Patio till"]').waitFor({ timeout: 10_000 });
    await expect
      .poll(async () => admin.getByTestId('sockets').textContent(), { timeout: 5_000 })
      .toMatch(/[1-9] POS/);

    await admin.getByTestId('menu-filter').fill('tiramisu');
    await admin.locator('[data-item="tiramisu"]').getByTestId('toggle').click();
    await pos.getByRole('button', { name: 'Desserts' }).click();
    await pos.locator('[data-item="tiramisu"]').getByText("86'd").waitFor();
    await admin.screenshot({ path: join(artifacts, 'admin-desktop.png') });

    await admin.locator('[data-device="Patio till"]').getByTestId('revoke').click();
    await pos.getByText('This device was removed').waitFor({ timeout: 5_000 });
    const patio = t.hub.devices.list().find((d) => d.name === 'Patio till')!;
    expect(patio.revokedAt).not.toBeNull();
    await tabletContext.close();
  });

  it('makes a backup on demand and lists it', async () => {
    const admin = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await admin.goto(`${t.base}/admin/#token=${t.tokens.manager}`);
    await admin.getByTestId('backup-now').click();
    await admin.getByTestId('admin-notice').getByText('Backup made.').waitFor();
    await admin
      .getByTestId('backups')
      .getByText(/hub-\d{8}T/)
      .waitFor();
    expect(t.hub.backups.list()).toHaveLength(1);
  });
});
