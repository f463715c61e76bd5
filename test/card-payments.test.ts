import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, launchBrowser, skipBrowser, tablet } from './support/browser.ts';
import { burgerOrder, startHub, type TestHub } from './support/hub.ts';
import { StripeEmulator } from './support/stripe/emulator.ts';

/**
 * Every card outcome as the cashier sees it on the POS (and the manager on the admin page), in
 * real Chromium, with the hub driving the strict Stripe emulator through stripe-node and the
 * guest's card presented through Stripe's own test helper.
 */
let browser: Browser;
let stripe: StripeEmulator;
let t: TestHub;
const pages: Page[] = [];
beforeAll(async () => {
  if (skipBrowser) return;
  browser = await launchBrowser();
  stripe = new StripeEmulator(['tmr_front', 'tmr_bar', 'tmr_patio']);
  await stripe.start();
  t = await startHub({
    stripeSecretKey: 'sk_test_grow_hub_emulator',
    stripeApiBase: stripe.apiBase,
    stripeTimeoutMs: 600,
    stripeBreakerCooldownMs: 500,
    cardPollMs: 100,
    cardWaitMs: 4_000,
    reconcileIntervalMs: 1_000,
  });
});
afterAll(async () => {
  for (const p of pages.splice(0)) await p.close();
  await t?.stop();
  await stripe?.stop();
  await browser?.close();
});

const shot = (page: Page, name: string) => page.screenshot({ path: join(artifacts, `${name}.png`) });

/** A new order, the POS open on it, and the card form filled for `reader`. */
async function cardOnReader(reader: string): Promise<{ pos: Page; order: { id: string; total: number } }> {
  const { body: order } = await t.api('POST', '/api/v1/orders', burgerOrder());
  const pos = await browser.newPage({ viewport: tablet });
  pages.push(pos);
  pos.on('pageerror', (err) => {
    throw err;
  });
  await pos.goto(`${t.base}/pos/#token=${t.tokens.pos}`);
  await pos.getByText('Connected').waitFor();
  await pos.locator(`[data-order="${order.id}"]`).getByTestId('pay-order').click();
  await pos.getByTestId('due').getByText('$39.51').waitFor();
  await pos.locator('[data-method="card_present"]').click();
  await pos.getByTestId('reader').fill(reader);
  await pos.getByTestId('take-payment').click();
  return { pos, order };
}
const waitingForCard = (pos: Page) =>
  pos.getByText('Ask the guest to tap, insert or swipe their card on the reader.').waitFor();
const failure = (pos: Page, code: string) => pos.locator(`[data-testid="card-failure"][data-code="${code}"]`);
/** The guest taps an approved card; the till shows the approval and the bill is paid. */
async function tapAndApprove(pos: Page, reader: string, orderId: string): Promise<void> {
  await waitingForCard(pos);
  await stripe.present(reader, '4242424242424242');
  await pos
    .getByTestId('notice')
    .getByText(/Card approved/)
    .waitFor();
  expect(await dueOf(orderId)).toBe(0);
}
const dueOf = async (orderId: string) => (await t.api('GET', `/api/v1/orders/${orderId}/payments`)).body.due;

describe.skipIf(skipBrowser)('card payments on the POS', () => {
  it('shows the reader waiting, then the approval with the card, and closes the bill', async () => {
    const { pos, order } = await cardOnReader('tmr_front');
    await waitingForCard(pos);
    await expect
      .poll(async () =>
        Number(
          await pos
            .getByTestId('card-seconds')
            .textContent()
            .then((s) => s?.replace(' s', '')),
        ),
      )
      .toBeGreaterThan(0);
    await shot(pos, 'pos-card-waiting');
    await stripe.present('tmr_front', '4242424242424242');
    await pos.getByTestId('notice').getByText('Card approved: $39.51 · visa •••• 4242').waitFor();
    expect(await dueOf(order.id)).toBe(0);
  });

  it('says a declined card was declined and why, and a retry sends a new attempt to the reader', async () => {
    const { pos, order } = await cardOnReader('tmr_front');
    await waitingForCard(pos);
    await stripe.present('tmr_front', '4000000000009995');
    await failure(pos, 'card_declined')
      .getByText(
        'The card was declined (insufficient funds). Ask for another card (Try again), or take cash.',
      )
      .waitFor();
    await shot(pos, 'pos-card-declined');
    const payment = t.hub.payments.forOrder(order.id).payments[0]!;
    await pos.getByTestId('card-retry').click();
    await expect.poll(() => pos.getByTestId('card-attempt').textContent()).toMatch(/attempt 2$/);
    await waitingForCard(pos);
    const actions = stripe.account.readerActions.filter(
      (a) => a.paymentIntent === payment.stripePaymentIntentId,
    );
    expect(actions).toHaveLength(2); // the retry reached the reader: its key names attempt 2
    await tapAndApprove(pos, 'tmr_front', order.id);
  });

  it('tells the cashier when the reader did not answer in time, and trying again works', async () => {
    stripe.account.readerTimeouts.set('tmr_bar', 1);
    const { pos, order } = await cardOnReader('tmr_bar');
    await failure(pos, 'reader_timeout')
      .getByText(/did not answer Stripe in time; nothing was charged\. Try again/)
      .waitFor();
    await pos.getByTestId('card-retry').click();
    await tapAndApprove(pos, 'tmr_bar', order.id);
  });

  it('tells the cashier the reader is busy with another payment, and another reader can take it', async () => {
    stripe.account.occupy('tmr_patio');
    const { pos, order } = await cardOnReader('tmr_patio');
    await failure(pos, 'reader_busy')
      .getByText(/tmr_patio is busy with another payment/)
      .waitFor();
    await pos.getByTestId('retry-reader').fill('tmr_front');
    await pos.getByTestId('card-retry').click();
    await expect
      .poll(() => pos.getByTestId('card-attempt').textContent())
      .toMatch(/on reader tmr_front · attempt 2$/);
    await tapAndApprove(pos, 'tmr_front', order.id);
    stripe.account.readers.get('tmr_patio')!.action = null;
  });

  it('tells the cashier the reader is offline and what to check', async () => {
    stripe.account.readers.get('tmr_bar')!.status = 'offline';
    try {
      const { pos, order } = await cardOnReader('tmr_bar');
      await failure(pos, 'reader_offline')
        .getByText(/tmr_bar is offline\. Check it is on and on the Wi-Fi/)
        .waitFor();
      await shot(pos, 'pos-card-reader-offline');
      await pos.getByTestId('card-cancel').click();
      await pos.getByTestId('pay-info').getByText('Card payment cancelled; nothing was charged.').waitFor();
      expect(await dueOf(order.id)).toBe(order.total);
    } finally {
      stripe.account.readers.get('tmr_bar')!.status = 'online';
    }
  });

  it('cancels a card still waiting on the reader; a tap after that is refused and charges nothing', async () => {
    const { pos, order } = await cardOnReader('tmr_front');
    await waitingForCard(pos);
    const payment = t.hub.payments.forOrder(order.id).payments[0]!;
    await pos.getByTestId('card-cancel').click();
    await pos.getByTestId('pay-info').getByText('Card payment cancelled; nothing was charged.').waitFor();
    await expect(stripe.present('tmr_front')).rejects.toThrow(/no action in progress/);
    expect(stripe.account.intents.get(payment.stripePaymentIntentId!)!.status).toBe('canceled');
    expect(t.hub.payments.get(payment.id).status).toBe('voided');
    expect(await dueOf(order.id)).toBe(order.total);
  });

  it('stops the reader when no card comes in time, and says nothing was charged', async () => {
    const { pos, order } = await cardOnReader('tmr_front');
    await waitingForCard(pos);
    await failure(pos, 'no_card_presented')
      .getByText(/No card was presented in time; the reader was stopped/)
      .waitFor({ timeout: 10_000 });
    expect(stripe.account.readers.get('tmr_front')!.action).toMatchObject({
      status: 'failed',
      failure_code: 'canceled',
    });
    expect(await dueOf(order.id)).toBe(order.total);
    await pos.getByTestId('card-cancel').click();
    await pos.getByTestId('pay-info').waitFor();
  });

  it('when Stripe is unreachable, offers the standalone terminal, records the card within the limits, and a manager verifies it', async () => {
    stripe.fault('down');
    let paymentId: string;
    try {
      const { pos, order } = await cardOnReader('tmr_front');
      await failure(pos, 'stripe_unreachable')
        .getByText(/Stripe cannot be reached.*nothing was charged.*standalone terminal/)
        .waitFor({ timeout: 10_000 });
      await shot(pos, 'pos-card-stripe-unreachable');
      await pos.getByTestId('use-standalone').click();
      await pos
        .getByTestId('standalone-policy')
        .getByText(/restaurant carries the risk until a manager verifies it/)
        .waitFor();
      await pos.getByTestId('last4').fill('4242');
      await pos.getByTestId('reference').fill('T-0042');
      await pos.getByTestId('take-payment').click();
      await pos
        .getByTestId('notice')
        .getByText('Standalone card recorded (•••• 4242); a manager verifies it later.')
        .waitFor();
      expect(await dueOf(order.id)).toBe(0);
      paymentId = t.hub.payments.forOrder(order.id).payments.find((p) => p.method === 'card_standalone')!.id;
    } finally {
      stripe.clearFaults();
    }
    // The terminal forwarded the card to Stripe once the internet was back.
    const forwarded = stripe.account.forwardedPayment(3951, '4242');
    const admin = await browser.newPage({ viewport: tablet });
    pages.push(admin);
    await admin.goto(`${t.base}/admin/#token=${t.tokens.manager}`);
    const row = admin.locator(`[data-payment="${paymentId}"]`);
    await row.getByText(/receipt T-0042/).waitFor();
    await expect
      .poll(() => row.locator(`[data-candidate="${forwarded.id}"]`).count(), { timeout: 10_000 })
      .toBe(1);
    await admin
      .getByTestId('standalone-cards')
      .screenshot({ path: join(artifacts, 'admin-standalone-cards.png') });
    await row.locator(`[data-candidate="${forwarded.id}"]`).getByTestId('match').click();
    await admin.getByTestId('admin-notice').getByText('Matched to the Stripe payment.').waitFor();
    await admin.getByTestId('standalone-none').waitFor();
    expect(t.hub.payments.get(paymentId)).toMatchObject({
      status: 'captured',
      stripePaymentIntentId: forwarded.id,
    });
  });
});
