import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signCloudToken } from '../sync/credential.ts';
import { startCloud, type TestCloud } from './support/cloud.ts';
import { burgerOrder, runCli, startHub, type TestHub } from './support/hub.ts';
import { synced } from './support/sync.ts';

let cloud: TestCloud;
let hub: TestHub | undefined;
beforeAll(async () => {
  cloud = await startCloud();
});
afterAll(async () => {
  await hub?.stop();
  await cloud?.stop();
});

describe('grow-hub cloud: the operator registers a restaurant, its hub and an HQ user', () => {
  it('takes a restaurant from nothing to figures in HQ with four commands, as docs/sync.md gives them', async () => {
    const env = { GROW_CLOUD_URL: cloud.url, GROW_SUPABASE_JWT_SECRET: cloud.jwtSecret };
    const run = async (...args: string[]) => {
      const r = await runCli(['cloud', ...args], env);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout);
    };
    const org = await run('add-organisation', '--name', 'Acme Dining');
    const restaurant = await run(
      'add-restaurant',
      '--organisation-id',
      org.organisationId,
      '--name',
      'Alpha Diner',
      '--timezone',
      'Europe/London',
    );
    const added = await run('add-hub', '--restaurant-id', restaurant.restaurantId);
    expect(added.token).toMatch(/^ey/);
    const user = randomUUID(); // the HQ user's id in Supabase Auth
    await run('invite', '--organisation-id', org.organisationId, '--user-id', user, '--role', 'owner');

    // The hub syncs with the printed credential.
    hub = await startHub({
      cloudUrl: cloud.url,
      cloudAnonKey: cloud.anonKey,
      cloudHubToken: added.token,
      syncLingerMs: 20,
    });
    expect((await hub.api('POST', '/api/v1/orders', burgerOrder())).status).toBe(201);
    await synced(hub);
    // The invited user's token, as the sign-in hook issues it, shows that restaurant's sale.
    const [{ event }] = (await cloud.db.query('select public.custom_access_token_hook($1::jsonb) as event', [
      JSON.stringify({
        user_id: user,
        claims: { sub: user, role: 'authenticated' },
        authentication_method: 'password',
      }),
    ])) as [{ event: { claims: Record<string, unknown> } }];
    const token = await signCloudToken(event.claims, cloud.jwtSecret, 3600);
    const { data } = await cloud.client(token).rpc('hq_sales', { p_period: 'today' });
    expect(data).toEqual([
      expect.objectContaining({ restaurant_name: 'Alpha Diner', orders: 1, timezone: 'Europe/London' }),
    ]);

    // The daily upkeep, where pg_cron does not run it; HQ's own token may not run it.
    const kept = await run('maintain');
    expect(kept).toEqual({ made: 0, archived: [], kept_from: expect.stringMatching(/^\d{4}-\d{2}-01$/) });
    const refused = await cloud.client(token).rpc('maintain_partitions');
    expect(refused.error?.message).toMatch(/permission denied/);
  });

  it('says what is missing or wrong, in the operator’s words', async () => {
    const env = { GROW_CLOUD_URL: cloud.url, GROW_SUPABASE_JWT_SECRET: cloud.jwtSecret };
    const noKey = await runCli(['cloud', 'add-organisation', '--name', 'X'], {
      GROW_CLOUD_URL: cloud.url,
      GROW_SUPABASE_JWT_SECRET: '',
      GROW_CLOUD_SERVICE_KEY: '',
    });
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(
      /GROW_CLOUD_SERVICE_KEY to the service role key, or GROW_SUPABASE_JWT_SECRET/,
    );
    const unknownOrg = await runCli(
      ['cloud', 'add-restaurant', '--organisation-id', randomUUID(), '--name', 'X'],
      env,
    );
    expect(unknownOrg.code).toBe(2);
    expect(unknownOrg.stderr).toMatch(/no such organisation: check the id/);
    const notUuid = await runCli(['cloud', 'add-hub', '--restaurant-id', 'alpha'], env);
    expect(notUuid.stderr).toMatch(/--restaurant-id must be a UUID/);
    const unknown = await runCli(['cloud', 'remove-everything'], env);
    expect(unknown.stderr).toMatch(/unknown cloud command "remove-everything"/);
  });
});
