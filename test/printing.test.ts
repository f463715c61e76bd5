// One file for printing's stories: they share one hub and its fake printers (real TCP servers),
// set up once, which the admin page's browser story uses too; split, all of it would be set up
// twice.
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCloudToken } from '../sync/credential.ts';
import { artifacts, launchBrowser, skipBrowser, tablet } from './support/browser.ts';
import {
  apiFor,
  burgerOrder,
  exited,
  newOrderId,
  runCli,
  signIn,
  spawnHub,
  startHub,
  type TestHub,
  tempDir,
} from './support/hub.ts';
import { FakePrinter } from './support/printer.ts';
import { RecordingSocket } from './support/socket.ts';

/**
 * Kitchen and receipt printers over the LAN: fake printers are real TCP servers on 127.0.0.1
 * that read the ESC/POS back as text and misbehave on demand. The hub's cloud is configured but
 * unreachable throughout (the internet is down): printing never notices.
 */
let t: TestHub;
const printers: Record<string, FakePrinter> = {};
const ids: Record<string, string> = {};
const printConfig = {
  printBackupAfterMs: 1_500,
  printConnectTimeoutMs: 300,
  printReplyTimeoutMs: 400,
  printRetryMaxMs: 400,
  kdsAwayPrintAfterMs: 1_000,
  printStatusEveryMs: 500,
  businessName: 'Chez Grow',
  businessAddress: '1 Market St',
  businessTaxId: 'VAT 123',
};

beforeAll(async () => {
  for (const name of ['Grill', 'Pass', 'Fryer', 'Bar', 'Front till'])
    printers[name] = await new FakePrinter(name).start();
  t = await startHub({
    ...printConfig,
    // The internet is down: the cloud's address answers nothing.
    cloudUrl: 'http://127.0.0.1:9',
    cloudAnonKey: 'anon-key-for-a-cloud-that-is-not-there',
    cloudHubToken: await signCloudToken(
      { role: 'authenticated', grow_role: 'hub', hub_id: newOrderId(), restaurant_id: newOrderId() },
      'unused-secret',
    ),
  });
  const m = t.tokens.manager;
  for (const [name, p] of Object.entries(printers)) {
    const res = await t.api(
      'POST',
      '/api/v1/printers',
      { name, host: '127.0.0.1', port: p.port, cashDrawer: name === 'Front till' },
      m,
    );
    expect(res.status).toBe(201);
    ids[name] = res.body.id;
  }
  const route = (station: string, printer: string, backup: string | null = null) =>
    t.api(
      'PUT',
      `/api/v1/printing/stations/${station}`,
      { mode: 'always', printerId: ids[printer], backupPrinterId: backup && ids[backup] },
      m,
    );
  expect((await route('grill', 'Grill', 'Pass')).status).toBe(200);
  await route('fry', 'Fryer', 'Pass');
  await route('bar', 'Bar');
  await t.api(
    'PUT',
    '/api/v1/printing/stations/pizza',
    { mode: 'when_kds_offline', printerId: ids.Pass, backupPrinterId: null },
    m,
  );
  const pos = (await t.api('GET', '/api/v1/me')).body.id;
  expect(
    (await t.api('PUT', `/api/v1/devices/${pos}/receipt-printer`, { printerId: ids['Front till'] }, m))
      .status,
  ).toBe(204);
});
afterAll(async () => {
  await t?.stop();
  for (const p of Object.values(printers)) await p.stop();
});

const dinner = () => ({
  id: newOrderId(),
  tableLabel: 'T12',
  lines: [
    { itemId: 'classic-burger', qty: 1, modifiers: ['burger-well'], note: 'sesame allergy' },
    { itemId: 'fries', qty: 2 },
    { itemId: 'cola', qty: 1 },
  ],
});
const jobsOf = (p: FakePrinter) => p.jobs.length;
/** The printer's state as the admin page shows it. */
const printerState = async (name: string): Promise<string> =>
  (await t.api('GET', '/api/v1/printers', undefined, t.tokens.manager)).body.printers.find(
    (p: { name: string }) => p.name === name,
  ).status.state;
/** A job's text with wrapped lines joined (big text wraps at half the columns). */
const flat = (text: string) => text.replace(/\n/g, ' ');

describe('printing', () => {
  it("prints a dinner's tickets on each station's printer, with table, modifiers and the allergy note; the internet being down changes nothing", async () => {
    const before = {
      grill: jobsOf(printers.Grill!),
      fry: jobsOf(printers.Fryer!),
      bar: jobsOf(printers.Bar!),
    };
    const order = (await t.api('POST', '/api/v1/orders', dinner())).body;
    await expect.poll(() => jobsOf(printers.Grill!)).toBe(before.grill + 1);
    await expect.poll(() => jobsOf(printers.Fryer!)).toBe(before.fry + 1);
    await expect.poll(() => jobsOf(printers.Bar!)).toBe(before.bar + 1);
    const grill = printers.Grill!.jobs.at(-1)!;
    expect(grill.lines.slice(0, 2)).toEqual(['GRILL', `#${order.number}  T12`]);
    expect(flat(grill.text)).toContain('1 x Classic Beef Burger');
    expect(grill.lines).toEqual(expect.arrayContaining(['   + Well done', '   NOTE: sesame allergy']));
    expect(grill.text).not.toMatch(/Cola|2 x Fries/);
    expect(grill.cut).toBe(true);
    const name = (itemId: string) => order.lines.find((l: { itemId: string }) => l.itemId === itemId).name;
    expect(flat(printers.Fryer!.jobs.at(-1)!.text)).toMatch(new RegExp(`^FRYER .* 2 x ${name('fries')}`));
    expect(flat(printers.Bar!.jobs.at(-1)!.text)).toMatch(new RegExp(`^BAR .* 1 x ${name('cola')}`));
    expect(printers.Bar!.jobs.at(-1)!.text).not.toMatch(/Burger/);
    expect(t.hub.sync?.status().state).not.toBe('idle'); // the cloud was never reached
  });

  it('moves a dead grill printer’s tickets to its backup stamped BACKUP FROM Grill, without delaying the bar', async () => {
    await printers.Grill!.become('refuse');
    try {
      const pass = jobsOf(printers.Pass!);
      const bar = jobsOf(printers.Bar!);
      const sent = performance.now();
      const order = (await t.api('POST', '/api/v1/orders', burgerOrder())).body;
      await expect.poll(() => jobsOf(printers.Bar!)).toBe(bar + 1);
      expect(printers.Bar!.jobs.at(-1)!.at - sent).toBeLessThan(500); // not behind the dead printer
      await expect.poll(() => jobsOf(printers.Pass!), { timeout: 5_000 }).toBe(pass + 1);
      const backup = printers.Pass!.jobs.at(-1)!;
      expect(backup.lines[0]).toBe('BACKUP FROM Grill');
      expect(backup.text).toContain(`#${order.number}  T4`);
      expect(await printerState('Grill')).toBe('unreachable');
      const metrics = (await t.api('GET', '/metrics', undefined, t.tokens.manager)).body as string;
      expect(metrics).toMatch(/grow_print_jobs\{kind="moved_to_backup"\} [1-9]/);
      expect(metrics).toMatch(/grow_printers\{state="unreachable"\} 1/);
    } finally {
      await printers.Grill!.become('ok');
    }
  });

  it('holds jobs for a printer that stops reading or runs out of paper, and prints them once it recovers', async () => {
    for (const behaviour of ['silent', 'paper_out', 'close_mid_job'] as const) {
      await printers.Bar!.become(behaviour);
      const bar = jobsOf(printers.Bar!);
      await t.api('POST', '/api/v1/orders', { id: newOrderId(), lines: [{ itemId: 'cola', qty: 1 }] });
      const expected = behaviour === 'paper_out' ? 'paper_out' : 'not_responding';
      await expect.poll(() => printerState('Bar')).toBe(expected);
      expect(jobsOf(printers.Bar!)).toBe(bar);
      await printers.Bar!.become('ok');
      await expect.poll(() => jobsOf(printers.Bar!), { timeout: 5_000 }).toBe(bar + 1); // once, not twice
      await new Promise((r) => setTimeout(r, 600));
      expect(jobsOf(printers.Bar!)).toBe(bar + 1);
    }
  });

  it('prints a station’s tickets only while its screen is away, and the open ones it was showing when it went', async () => {
    const pass = printers.Pass!;
    const screen = new RecordingSocket(t.wsUrl, t.tokens.kds, { stations: 'pizza' });
    await screen.waitFor(() => screen.messages.find((m) => m.type === 'caught_up'));
    await new Promise((r) => setTimeout(r, 1_200)); // the hub has seen the screen
    const before = jobsOf(pass);
    const pizza = () =>
      t.api('POST', '/api/v1/orders', { id: newOrderId(), lines: [{ itemId: 'garlic-bread', qty: 1 }] });
    const shown = (await pizza()).body;
    await screen.waitFor(() => screen.messages.find((m) => m.type === 'ticket.created'));
    await new Promise((r) => setTimeout(r, 500));
    expect(jobsOf(pass)).toBe(before); // the screen has it: no paper
    screen.ws.close();
    await expect.poll(() => jobsOf(pass), { timeout: 5_000 }).toBe(before + 1); // caught up, once away
    expect(pass.jobs.at(-1)!.text).toContain(`#${shown.number}`);
    const later = (await pizza()).body;
    await expect.poll(() => jobsOf(pass)).toBe(before + 2); // and every new one while away
    expect(pass.jobs.at(-1)!.text).toContain(`#${later.number}`);
  });

  it('keeps each printer’s state true between jobs by asking it', async () => {
    const jobs = jobsOf(printers.Fryer!);
    await printers.Fryer!.become('paper_out');
    await expect.poll(() => printerState('Fryer')).toBe('paper_out');
    await printers.Fryer!.become('refuse');
    await expect.poll(() => printerState('Fryer')).toBe('unreachable');
    await printers.Fryer!.become('ok');
    await expect.poll(() => printerState('Fryer')).toBe('online');
    expect(jobsOf(printers.Fryer!)).toBe(jobs); // asked, nothing printed
  });

  it('prints VOID on the station that printed a ticket when the order is voided', async () => {
    const grill = jobsOf(printers.Grill!);
    const order = (await t.api('POST', '/api/v1/orders', burgerOrder())).body;
    await expect.poll(() => jobsOf(printers.Grill!)).toBe(grill + 1);
    await t.api('POST', `/api/v1/orders/${order.id}/void`, { reason: 'guest left' }, t.tokens.manager);
    await expect.poll(() => jobsOf(printers.Grill!)).toBe(grill + 2);
    const voided = printers.Grill!.jobs.at(-1)!;
    expect(voided.lines[0]!.trim()).toBe('*** VOID ***');
    expect(flat(voided.text)).toContain('VOID 2 x Classic Beef Burger');
  });

  it('prints a bill and a receipt on the till’s printer, and opens its drawer for cash', async () => {
    const till = printers['Front till']!;
    const order = (await t.api('POST', '/api/v1/orders', burgerOrder())).body;
    const bill = await t.api('POST', `/api/v1/orders/${order.id}/bill`);
    expect(bill.body).toMatchObject({ kind: 'bill', state: 'queued' });
    await expect
      .poll(() => till.jobs.some((j) => j.text.includes(`BILL  Order #${order.number}`)))
      .toBe(true);
    const printedBill = till.jobs.find((j) => j.text.includes(`BILL  Order #${order.number}`))!;
    expect(printedBill.lines.slice(0, 3).map((l) => l.trim())).toEqual([
      'Chez Grow',
      '1 Market St',
      'Tax id VAT 123',
    ]);
    expect(printedBill.text).toMatch(/Total\s+\$\d+\.\d\d/);
    expect(printedBill.text).toContain('Tip  ______________');
    const drawers = till.jobs.filter((j) => j.drawer).length;
    await t.api('POST', `/api/v1/orders/${order.id}/payments`, {
      id: newOrderId(),
      method: 'cash',
      amount: order.total,
      tendered: 10_000,
    });
    await expect.poll(() => till.jobs.filter((j) => j.drawer).length).toBe(drawers + 1);
    await t.api('POST', `/api/v1/orders/${order.id}/receipt`);
    await expect
      .poll(() => till.jobs.some((j) => j.text.includes(`RECEIPT  Order #${order.number}`)))
      .toBe(true);
    const receipt = till.jobs.find((j) => j.text.includes(`RECEIPT  Order #${order.number}`))!;
    expect(receipt.text).toMatch(/Cash\s+\$100\.00/);
    expect(receipt.text).toMatch(/Change\s+\$\d+\.\d\d/);
    expect(receipt.text).toMatch(/Balance due\s+\$0\.00/);
  });

  it('opens the drawer for its float and for a no-sale, not for the count at close', async () => {
    const till = printers['Front till']!;
    const cashier = await signIn(t, 'Cleo', 'cashier', '4444');
    const kicks = () => till.jobs.filter((j) => j.drawer).length;
    const before = kicks();
    const drawer = (await cashier.api('POST', '/api/v1/drawers', { commandId: newOrderId(), float: 10_000 }))
      .body;
    await expect.poll(kicks).toBe(before + 1);
    await cashier.api('POST', `/api/v1/drawers/${drawer.id}/moves`, {
      commandId: newOrderId(),
      kind: 'no_sale',
      reason: 'change for the parking meter',
    });
    await expect.poll(kicks).toBe(before + 2);
    await cashier.api('POST', `/api/v1/drawers/${drawer.id}/close`, {
      commandId: newOrderId(),
      counted: { '10000': 1 },
    });
    const jobs = (await t.api('GET', '/api/v1/print-jobs?limit=5', undefined, t.tokens.manager)).body.jobs;
    expect(
      jobs
        .filter((j: { kind: string }) => j.kind === 'drawer')
        .map((j: { title: string }) => j.title)
        .slice(0, 2),
    ).toEqual(['Cash drawer, no sale', 'Cash drawer, opening float']);
    expect(kicks()).toBe(before + 2);
    // Cleo leaves, so the till tests below open without a PIN pad (no active staff).
    await t.api('PATCH', `/api/v1/staff/${cashier.staffId}`, { active: false }, t.tokens.manager);
  });

  it('lists jobs for the manager, reprints one, and refuses what makes no sense in the manager’s words', async () => {
    const m = t.tokens.manager;
    const list = await t.api('GET', '/api/v1/print-jobs?state=printed&limit=5', undefined, m);
    expect(list.body.jobs, JSON.stringify(list.body)).toBeDefined();
    const jobs = list.body.jobs;
    expect(jobs.length).toBeGreaterThan(0);
    const before = jobsOf(printers.Fryer!);
    const fry = (await t.api('GET', `/api/v1/print-jobs?printerId=${ids.Fryer}`, undefined, m)).body.jobs[0];
    const again = await t.api('POST', `/api/v1/print-jobs/${fry.id}/reprint`, undefined, m);
    expect(again.body).toMatchObject({ state: 'queued', title: `Reprint: ${fry.title}` });
    await expect.poll(() => jobsOf(printers.Fryer!)).toBe(before + 1);
    expect((await t.api('POST', `/api/v1/print-jobs/${fry.id}/cancel`, undefined, m)).body.code).toBe(
      'ILLEGAL_TRANSITION',
    );
    const noStation = await t.api(
      'PUT',
      '/api/v1/printing/stations/wok',
      { mode: 'always', printerId: ids.Bar, backupPrinterId: null },
      m,
    );
    expect(noStation.body.code).toBe('STATION_NOT_FOUND');
    const noPrinter = await t.api(
      'PUT',
      '/api/v1/printing/stations/pizza',
      { mode: 'always', printerId: null, backupPrinterId: null },
      m,
    );
    expect(noPrinter.body.errors[0].field).toBe('printerId');
    const badHost = await t.api('POST', '/api/v1/printers', { name: 'X', host: 'http://x' }, m);
    expect(badHost.body.errors[0].field).toBe('host');
    expect((await t.api('GET', '/api/v1/printers')).status).toBe(403);
  });
});

describe('a kill -9 mid-queue', () => {
  it('prints every job exactly once after the restart', async () => {
    const grill = await new FakePrinter('Grill').start();
    const bar = await new FakePrinter('Bar').start();
    const { dir, remove } = tempDir();
    const env = {
      GROW_PRINT_CONNECT_TIMEOUT_MS: '300',
      GROW_PRINT_REPLY_TIMEOUT_MS: '400',
      GROW_PRINT_RETRY_MAX_MS: '400',
    };
    let hub: Awaited<ReturnType<typeof spawnHub>> | null = null;
    try {
      const token = JSON.parse(
        (await runCli(['device', 'create', '--data-dir', dir, '--role', 'manager', '--name', 'boss'])).stdout,
      ).token;
      hub = await spawnHub(dir, ['--demo'], env);
      let api = apiFor(hub.base, token);
      for (const [station, p] of [
        ['grill', grill],
        ['bar', bar],
      ] as const) {
        const printer = (
          await api('POST', '/api/v1/printers', { name: p.name, host: '127.0.0.1', port: p.port })
        ).body;
        await api('PUT', `/api/v1/printing/stations/${station}`, {
          mode: 'always',
          printerId: printer.id,
          backupPrinterId: null,
        });
      }
      await grill.become('silent'); // the grill printer hangs: its jobs stay queued
      for (let i = 0; i < 5; i++) await api('POST', '/api/v1/orders', burgerOrder());
      await expect.poll(() => bar.jobs.length).toBe(5);
      await expect
        .poll(async () => (await api('GET', '/api/v1/print-jobs?state=printed')).body.jobs.length)
        .toBe(5); // the bar's are marked printed before the crash
      hub.child.kill('SIGKILL');
      await exited(hub.child);
      await grill.become('ok');

      hub = await spawnHub(dir, [], env);
      api = apiFor(hub.base, token);
      await expect.poll(() => grill.jobs.length, { timeout: 10_000 }).toBe(5);
      await new Promise((r) => setTimeout(r, 1_000));
      expect(new Set(grill.jobRefs).size).toBe(5);
      expect(grill.jobs).toHaveLength(5);
      expect(bar.jobs).toHaveLength(5); // nothing printed twice after the restart
      expect((await api('GET', '/api/v1/print-jobs?state=queued')).body.jobs).toHaveLength(0);
    } finally {
      if (hub) {
        hub.child.kill('SIGTERM');
        await exited(hub.child);
      }
      await grill.stop();
      await bar.stop();
      remove();
    }
  });
});

describe.skipIf(skipBrowser)('the printers page and the till, in the browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(() => browser?.close());

  it('adds a printer, prints a test page, routes a station to it, and shows each printer’s state', async () => {
    const pastry = await new FakePrinter('Pastry').start();
    try {
      const admin = await browser.newPage({ viewport: tablet });
      admin.on('pageerror', (err) => {
        throw err;
      });
      await admin.goto(`${t.base}/admin/#token=${t.tokens.manager}`);
      await admin
        .locator('[data-printer="Grill"] [data-testid="printer-state"][data-state="online"]')
        .waitFor();
      await admin.getByTestId('printer-name').fill('Pastry');
      await admin.getByTestId('printer-host').fill('127.0.0.1');
      await admin.getByTestId('printer-port').fill(String(pastry.port));
      await admin.getByTestId('add-printer-submit').click();
      await admin
        .getByTestId('admin-notice')
        .getByText('Pastry added: print a test page to check it.')
        .waitFor();
      await admin.locator('[data-printer="Pastry"]').getByTestId('test-print').click();
      await expect.poll(() => pastry.jobs.length).toBe(1);
      expect(pastry.jobs[0]!.text).toContain('Grow Hub test print');
      expect(pastry.jobs[0]!.text).toContain('Crème brûlée');
      const row = admin.locator('[data-station="pastry"]');
      await row.getByTestId('station-printer').selectOption({ label: 'Pastry' });
      await admin.getByTestId('admin-notice').getByText('Pastry: saved.').waitFor();
      await row.getByTestId('station-mode').selectOption('always');
      await admin
        .locator('[data-printer="Pastry"] [data-testid="printer-state"][data-state="online"]')
        .waitFor();
      await admin.getByTestId('printers').screenshot({ path: join(artifacts, 'admin-printers.png') });
      expect(t.hub.printing.routes().find((r) => r.stationId === 'pastry')).toMatchObject({
        mode: 'always',
        printerId: expect.any(String),
      });
      await admin.close();
    } finally {
      await pastry.stop();
    }
  });

  it('prints a receipt from the POS on the till’s printer', async () => {
    const order = (await t.api('POST', '/api/v1/orders', burgerOrder())).body;
    const pos = await browser.newPage({ viewport: tablet });
    await pos.goto(`${t.base}/pos/#token=${t.tokens.pos}`);
    await pos.locator(`[data-order="${order.id}"]`).getByTestId('receipt-order').click();
    await pos.getByTestId('print-receipt').click();
    await pos.getByTestId('print-notice').getByText('Receipt sent to the printer.').waitFor();
    await expect
      .poll(() =>
        printers['Front till']!.jobs.some((j) => j.text.includes(`RECEIPT  Order #${order.number}`)),
      )
      .toBe(true);
    await pos.close();
  });
});
