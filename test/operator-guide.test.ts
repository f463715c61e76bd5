/**
 * docs/cloud-operator.md, run as written: every `sh` block of the page, in order, in one bash, from
 * a folder that looks like a checkout of this repository, against a fresh database. The blocks the
 * page marks "operator-test: replaced" are swapped for what the test does instead, and the page
 * says why for each. Then the result is used as the operator would: the printed hub settings sync
 * a sale, and the invited HQ user signs in through the gateway and sees it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@supabase/supabase-js';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { burgerOrder, freePort, startHub, type TestHub, tempDir } from './support/hub.ts';
import { startAuth, type TestAuth } from './support/supabase-auth.ts';
import { synced } from './support/sync.ts';

const root = join(import.meta.dirname, '..');
// The page's commands need these tools and a PostgreSQL server (no in-process stand-in for
// `supabase db push`). Without them the test is skipped, loudly, except in CI, which installs them.
const missingTools = ['jq', 'curl', 'openssl', 'psql'].filter(
  (tool) => spawnSync('bash', ['-c', `command -v ${tool}`]).status !== 0,
);
const postgresUp =
  spawnSync('pg_isready', ['-d', process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'])
    .status === 0;
const skip = (missingTools.length > 0 || !postgresUp) && process.env.CI !== 'true';
if (skip)
  console.warn(
    `SKIPPING the operator guide test: ${missingTools.length ? `no ${missingTools.join(', ')} (apt-get install -y ${missingTools.join(' ')})` : 'no PostgreSQL answers (start it, or set DATABASE_URL)'}.`,
  );
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const guide = readFileSync(join(root, 'docs/cloud-operator.md'), 'utf8');

/** The page's sh blocks, each with the marker comment just above it, if any. */
function blocks(markdown: string): { code: string; replaced: string | null }[] {
  const found: { code: string; replaced: string | null }[] = [];
  const re = /(<!-- operator-test: replaced \(([^)]*)\) -->\n)?```sh\n([\s\S]*?)```/g;
  for (let m = re.exec(markdown); m; m = re.exec(markdown))
    found.push({ code: m[3]!, replaced: m[1] ? m[2]! : null });
  return found;
}

const tmp = tempDir('grow-operator-');
const admin = new pg.Client({ connectionString: serverUrl });
const database = `grow_operator_${process.pid}_${randomBytes(3).toString('hex')}`;
let auth: TestAuth | undefined;
let hub: TestHub | undefined;
let group: number | undefined;
afterAll(async () => {
  if (skip) return tmp.remove();
  await hub?.stop();
  if (group) {
    try {
      process.kill(-group, 'SIGTERM'); // PostgREST and the gateway, started in the background by the page
    } catch {}
  }
  await auth?.stop();
  await new Promise((r) => setTimeout(r, 300));
  await admin.query(`drop database if exists ${database} with (force)`).catch(() => {});
  await admin.end().catch(() => {});
  tmp.remove();
});

describe.skipIf(skip)('the operator guide (docs/cloud-operator.md)', () => {
  it('deploys a cloud from nothing, registers a restaurant, its hub and an HQ user, and HQ sees the hub’s sale', async () => {
    const all = blocks(guide);
    expect(all.length).toBeGreaterThanOrEqual(8);
    expect(all.filter((b) => b.replaced).map((b) => b.replaced)).toHaveLength(3);

    await admin.connect();
    await admin.query(`create database ${database}`);
    const dbUrl = new URL(serverUrl);
    dbUrl.pathname = `/${database}`;
    const [postgrestPort, authPort, gatewayPort] = [await freePort(), await freePort(), await freePort()];
    const secret = randomBytes(32).toString('hex');
    const authenticator = new URL(dbUrl);
    authenticator.username = 'authenticator';
    authenticator.password = randomBytes(8).toString('hex');
    const settings = [
      `export DATABASE_URL="${dbUrl}?sslmode=disable"`,
      `export AUTHENTICATOR_URL="${authenticator}"`,
      `export GROW_SUPABASE_JWT_SECRET="${secret}"`,
      `export POSTGREST_PORT=${postgrestPort} AUTH_PORT=${authPort} GATEWAY_PORT=${gatewayPort}`,
      'export GROW_CLOUD_URL="http://127.0.0.1:$GATEWAY_PORT"',
    ].join('\n');
    // Supabase Auth's stand-in where the page starts Supabase Auth.
    auth = await startAuth({
      databaseUrl: dbUrl.toString(),
      query: async (sql, params) => (await admin.query(sql, params)).rows,
      jwtSecret: secret,
      port: authPort,
    });
    const script = all
      .map((b) => {
        if (b.replaced === null) return b.code;
        if (b.code.includes('createdb grow')) return settings;
        return `# replaced: ${b.replaced}`;
      })
      .join('\n');

    // A folder laid out like a checkout, so the page's logs land there and not in the repository.
    for (const entry of ['package.json', 'bin', 'node_modules', 'supabase', 'hq'])
      symlinkSync(join(root, entry), join(tmp.dir, entry));
    // Roles are shared by the cluster's databases: one migration run at a time (test/support/cloud.ts).
    await admin.query('select pg_advisory_lock(4242)');
    let out = '';
    let err = '';
    const code = await new Promise<number>((resolve) => {
      const bash = spawn('bash', ['-euo', 'pipefail', '-c', script], {
        cwd: tmp.dir,
        detached: true,
        env: {
          ...process.env,
          DATABASE_URL: undefined,
          GROW_CLOUD_URL: undefined,
          GROW_CLOUD_SERVICE_KEY: undefined,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      group = bash.pid;
      bash.stdout.on('data', (d) => (out += d));
      bash.stderr.on('data', (d) => (err += d));
      bash.on('exit', (c) => resolve(c ?? 1));
    }).finally(() => admin.query('select pg_advisory_unlock(4242)'));
    expect(code, `${out}\n${err}`).toBe(0);

    // What the page printed: the invited user, then the hub's settings.
    expect(out).toContain('"email": "ana@example.org"');
    const line = out.split('\n').find((l) => l.startsWith('GROW_CLOUD_URL='))!;
    const hubSettings = Object.fromEntries(line.split(' ').map((kv) => kv.split('=') as [string, string]));
    const cloudUrl = `http://127.0.0.1:${gatewayPort}`;
    expect(hubSettings.GROW_CLOUD_URL).toBe(cloudUrl);

    // The seed's demo restaurant is there; the gateway serves HQ with the anon key.
    const cloudDb = new pg.Client({ connectionString: dbUrl.toString() });
    await cloudDb.connect();
    const names = (await cloudDb.query('select name from restaurants order by name')).rows.map((r) => r.name);
    await cloudDb.end();
    expect(names).toEqual(['Alpha Diner', 'Demo Bistro']);
    expect(await (await fetch(`${cloudUrl}/hq/config.json`)).json()).toEqual({
      anonKey: hubSettings.GROW_CLOUD_ANON_KEY,
      auth: true,
    });
    expect(await (await fetch(`${cloudUrl}/hq/`)).text()).toContain('<title>Grow HQ</title>');

    // The restaurant's hub, with the settings the page printed, syncs a sale.
    hub = await startHub({
      cloudUrl: hubSettings.GROW_CLOUD_URL,
      cloudAnonKey: hubSettings.GROW_CLOUD_ANON_KEY,
      cloudHubToken: hubSettings.GROW_CLOUD_HUB_TOKEN,
      syncLingerMs: 20,
    });
    expect((await hub.api('POST', '/api/v1/orders', burgerOrder())).status).toBe(201);
    await synced(hub);

    // Ana signs in with the password the operator gave her and sees it.
    const hq = createClient(cloudUrl, hubSettings.GROW_CLOUD_ANON_KEY!, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
    });
    const signedIn = await hq.auth.signInWithPassword({
      email: 'ana@example.org',
      password: 'change me at once',
    });
    expect(signedIn.error).toBeNull();
    const claims = JSON.parse(
      Buffer.from(signedIn.data.session!.access_token.split('.')[1]!, 'base64url').toString(),
    );
    expect(claims).toMatchObject({ grow_role: 'hq', hq_role: 'owner' });
    const { data } = await hq.rpc('hq_sales', { p_period: 'today' });
    expect(data).toEqual([
      expect.objectContaining({ restaurant_name: 'Alpha Diner', orders: 1, timezone: 'Europe/London' }),
    ]);
  });
});
