/**
 * HQ sign-in as an HQ user meets it: the dashboard served by the cloud's gateway, an email and a
 * password through Supabase Auth (its stand-in, test/support/supabase-auth.ts, running the real
 * sign-in hook in PostgreSQL), a token renewed while the dashboard is open, and a session that
 * cannot be renewed returning to sign-in. The user is invited by the operator's CLI.
 */
import { join } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { signCloudToken } from '../sync/credential.ts';
import { artifacts, launchBrowser, skipBrowser } from './support/browser.ts';
import { startCloud, type TestCloud } from './support/cloud.ts';
import { burgerOrder, runCli, startHub, type TestHub } from './support/hub.ts';
import { synced } from './support/sync.ts';

let cloud: TestCloud;
let browser: Browser;
let hub: TestHub | undefined;
beforeAll(async () => {
  cloud = await startCloud();
  if (!skipBrowser) browser = await launchBrowser();
});
afterAll(async () => {
  await hub?.stop();
  await browser?.close();
  await cloud?.stop();
});

describe.skipIf(skipBrowser)('HQ sign-in through Supabase Auth', () => {
  it('signs an invited user in with email and password, renews the session while open, and returns to sign-in when it cannot', async () => {
    const a = await cloud.addHub();
    await cloud.db.query("update restaurants set name = 'Alpha Diner' where id = $1", [a.restaurantId]);
    hub = await startHub({
      cloudUrl: cloud.url,
      cloudAnonKey: cloud.anonKey,
      cloudHubToken: a.token,
      syncLingerMs: 20,
    });
    await hub.api('POST', '/api/v1/orders', burgerOrder());
    await synced(hub);

    // The operator invites Ana by email with a first password; Bob has an account in Supabase
    // Auth but is in no organisation.
    const env = { GROW_CLOUD_URL: cloud.url, GROW_SUPABASE_JWT_SECRET: cloud.jwtSecret };
    const invited = await runCli(
      [
        'cloud',
        'invite',
        '--organisation-id',
        a.organisationId,
        '--email',
        'ana@example.org',
        '--password',
        'correct horse 7',
      ],
      env,
    );
    expect(invited.code, invited.stderr).toBe(0);
    expect(JSON.parse(invited.stdout)).toMatchObject({ email: 'ana@example.org', role: 'analyst' });
    const admin = createClient(
      cloud.url,
      await signCloudToken({ role: 'service_role' }, cloud.jwtSecret, 600),
      {
        auth: { persistSession: false, autoRefreshToken: false },
        realtime: { transport: WebSocket as never },
      },
    );
    expect(
      (
        await admin.auth.admin.createUser({
          email: 'bob@example.org',
          password: 'bob pass 1',
          email_confirm: true,
        })
      ).error,
    ).toBeNull();
    // Inviting Ana again (she exists in Auth) finds her rather than failing; she is already a member.
    const again = await runCli(
      ['cloud', 'invite', '--organisation-id', a.organisationId, '--email', 'ana@example.org'],
      env,
    );
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/is in an organisation's HQ already/);

    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
    page.on('pageerror', (err) => {
      throw err;
    });
    // The gateway serves HQ and tells it the project: no address or key to type.
    await page.goto(`${cloud.url}/hq/`);
    await page.getByTestId('sign-in-project').getByText(`Cloud: ${cloud.url}`).waitFor();
    expect(await page.getByTestId('sign-in-url').count()).toBe(0);
    await page.screenshot({ path: join(artifacts, 'hq-sign-in.png') });
    const signIn = async (email: string, password: string) => {
      await page.getByTestId('sign-in-email').fill(email);
      await page.getByTestId('sign-in-secret').fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
    };

    await signIn('ana@example.org', 'wrong');
    await page
      .getByTestId('sign-in-reason')
      .getByText('That email and password do not match an HQ account')
      .waitFor();
    await signIn('bob@example.org', 'bob pass 1');
    await page
      .getByTestId('sign-in-reason')
      .getByText("You signed in as bob@example.org, but that account is not in any organisation's HQ")
      .waitFor();

    // Ana's tokens live 92 s: within a few seconds they are inside supabase-js's 90 s renewal margin.
    cloud.auth.accessTokenSeconds = 92;
    await signIn('ana@example.org', 'correct horse 7');
    const alpha = page.locator(`[data-testid="sales"] [data-restaurant="${a.restaurantId}"]`);
    await alpha.getByText('Alpha Diner').waitFor();
    const stored = () =>
      page.evaluate(() => JSON.parse(sessionStorage.getItem('grow.hq.auth') ?? '{}').access_token as string);
    const first = await stored();
    const claims = JSON.parse(Buffer.from(first.split('.')[1]!, 'base64url').toString());
    expect(claims).toMatchObject({
      email: 'ana@example.org',
      grow_role: 'hq',
      organisation_id: a.organisationId,
      hq_role: 'analyst',
    });

    // A refresh a few seconds on renews the token (the hook runs again) and the figures stay.
    // The new token lives 5 s.
    cloud.auth.accessTokenSeconds = 5;
    await new Promise((r) => setTimeout(r, 3_000));
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(stored).not.toBe(first);
    expect(cloud.auth.grants.filter((g) => g === 'refresh_token').length).toBeGreaterThanOrEqual(1);
    await alpha.getByText('Alpha Diner').waitFor();
    expect(await page.getByTestId('sign-in-reason').count()).toBe(0);

    // Her sessions are ended elsewhere (an administrator signs her out everywhere): renewal is
    // refused. supabase-js keeps using the access token while it is valid; once it has expired,
    // HQ returns to sign-in saying so: "Your session ended" when Supabase Auth refuses the renewal
    // first, "Your session expired" when the cloud refuses the expired token first (a race either
    // may win under load); both send her to sign in again.
    cloud.auth.endSessions('ana@example.org');
    await new Promise((r) => setTimeout(r, 7_000));
    await page.getByRole('button', { name: 'Refresh' }).click();
    await page
      .getByTestId('sign-in-reason')
      .getByText(/Your session (ended|expired)/)
      .waitFor();

    // She signs in again, then out.
    cloud.auth.accessTokenSeconds = 3600;
    await signIn('ana@example.org', 'correct horse 7');
    await alpha.getByText('Alpha Diner').waitFor();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('sign-in-reason').getByText('Signed out.').waitFor();
    await page.close();
  });
});
