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
    // An order rung in on the revoked till is kept, said so in the cashier's words, with Pair again.
    const before = t.hub.orders.recent(200).length;
    await pos.getByPlaceholder('T4').fill('Patio 2');
    await pos.getByRole('button', { name: 'Soft drinks' }).click();
    await pos.locator('[data-item="orange-juice"]').click();
    await pos.getByTestId('send').click();
    await pos
      .getByTestId('notice')
      .getByText(
        'Patio 2 is kept on this till: the till is no longer paired with the hub. Pair again to send it.',
      )
      .waitFor();
    await pos.getByTestId('queue').getByText('Patio 2 queued').waitFor();
    expect(t.hub.orders.recent(200)).toHaveLength(before);
    await pos.getByTestId('pair-again').click();
    await pos.getByRole('button', { name: 'Pair with the hub' }).waitFor();
    await tabletContext.close();
  });

  it('sets up the service: a discount a server may apply, a new table on the floor plan, auto-fire off', async () => {
    const admin = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    admin.on('pageerror', (err) => {
      throw err;
    });
    await admin.goto(`${t.base}/admin/#token=${t.tokens.manager}`);
    const card = admin.getByTestId('service');
    await card.getByTestId('add-discount').click();
    const row = card.getByTestId('discounts').locator('tbody tr').last();
    await row.locator('td').nth(0).locator('input').fill('Happy hour');
    await row.locator('td').nth(2).locator('input').fill('15');
    await card.getByTestId('save-discounts').click();
    await admin.getByTestId('admin-notice').getByText('Discounts saved.').waitFor();
    const discounts = (await t.api('GET', '/api/v1/discounts')).body.discounts;
    expect(discounts.at(-1)).toMatchObject({
      id: 'happy-hour',
      kind: 'percent',
      value: 1_500,
      scope: 'either',
    });

    await card.getByTestId('add-table-dining').click();
    await card
      .locator('[data-area="dining"] tbody tr')
      .last()
      .locator('td')
      .nth(0)
      .locator('input')
      .fill('Window');
    await card.getByTestId('save-floor').click();
    await admin.getByTestId('admin-notice').getByText('Floor plan saved.').waitFor();
    const dining = (await t.api('GET', '/api/v1/floor-plan')).body.areas[0];
    expect(dining.tables.at(-1)).toMatchObject({ name: 'Window', seats: 4 });

    await card.getByTestId('auto-fire').click();
    await card.getByTestId('idle-minutes').fill('3');
    await card.getByTestId('tip-pool').selectOption('hours');
    await card.getByTestId('save-settings').click();
    await admin.getByTestId('admin-notice').getByText('Service settings saved.').waitFor();
    // Saved whole: what was not touched keeps its value.
    expect((await t.api('GET', '/api/v1/service-settings')).body).toEqual({
      autoFireNextCourse: false,
      idleMinutes: 3,
      dayStartsAt: '04:00',
      drawerMode: 'till',
      tipPresets: [15, 18, 20],
      tipPool: { mode: 'hours', points: {} },
    });
    await admin.screenshot({ path: join(artifacts, 'admin-service.png'), fullPage: true });
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

  // Last: once staff exist, a till opens on the PIN pad.
  it('adds staff, gives the server role a permission, and shows it in the audit trail', async () => {
    const admin = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
    admin.on('pageerror', (err) => {
      throw err;
    });
    await admin.goto(`${t.base}/admin/#token=${t.tokens.manager}`);
    const card = admin.getByTestId('staff');
    await card.getByTestId('staff-name').fill('Priya');
    await card.getByTestId('staff-role').selectOption('server');
    await card.getByTestId('staff-pin').fill('12');
    await card.getByTestId('add-staff').click();
    // A PIN too short is refused, naming the field; nothing is added.
    await admin.getByTestId('admin-notice').getByText(/pin/i).waitFor();
    expect((await t.api('GET', '/api/v1/staff', undefined, t.tokens.manager)).body.staff).toEqual([]);
    await card.getByTestId('staff-pin').fill('5678');
    await card.getByTestId('add-staff').click();
    await admin.getByTestId('admin-notice').getByText('Priya added.').waitFor();
    await card.locator('[data-staff="Priya"]').waitFor();

    await card.locator('[data-permission="comp"] input[data-role="server"]').check();
    await card.getByTestId('save-roles').click();
    await admin.getByTestId('admin-notice').getByText('Roles saved.').waitFor();
    const server = (await t.api('GET', '/api/v1/roles')).body.roles.find(
      (r: { id: string }) => r.id === 'server',
    );
    expect(server.permissions).toContain('comp');

    const audit = admin.getByTestId('audit');
    await audit.getByTestId('audit-action').selectOption('roles.changed');
    await audit.locator('[data-audit="roles.changed"]').first().waitFor();
    await card.screenshot({ path: join(artifacts, 'admin-staff.png') });

    // Priya clocks in on a till and forgets to clock out: the manager closes the punch.
    const priya = (await t.api('GET', '/api/v1/staff', undefined, t.tokens.manager)).body.staff[0];
    const session = (await t.api('POST', '/api/v1/staff/sign-in', { staffId: priya.id, pin: '5678' })).body
      .session;
    const punch = await t.api('POST', '/api/v1/clock/in', { commandId: crypto.randomUUID() }, t.tokens.pos, {
      'x-grow-staff': session,
    });
    expect(punch.status).toBe(200);
    await admin.reload();
    const punches = admin.getByTestId('punches');
    await punches.locator('[data-punch="Priya"]').getByText('still on').waitFor();
    await punches.getByTestId('edit-punch').click();
    const out = new Date(Date.parse(punch.body.inAt) + 3_600_000);
    await punches.getByTestId('punch-out').fill(out.toTimeString().slice(0, 5));
    await punches.getByTestId('punch-reason').fill('forgot to clock out');
    await punches.getByTestId('save-punch').click();
    await admin.getByTestId('admin-notice').getByText("Priya's punch saved.").waitFor();
    const saved = (await t.api('GET', '/api/v1/punches')).body.punches[0];
    expect(saved.outAt).not.toBeNull();
    expect(saved.edited).toMatchObject({ reason: 'forgot to clock out' });
  });
});
