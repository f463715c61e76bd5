/**
 * The cloud gateway (`grow-hub cloud gateway`, sync/gateway.ts) on its own, with real TCP servers
 * standing where PostgREST and Supabase Auth listen: what it forwards where, what it serves, and
 * what it answers when something is missing. The test cloud puts the same gateway in front of the
 * real PostgREST in every cloud test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Gateway, startGateway } from '../sync/gateway.ts';
import { runCli, tempDir } from './support/hub.ts';

/** A server that answers with what it was asked, so the test sees the path that arrived. */
async function echo(name: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ name, method: req.method, path: req.url, apikey: req.headers.apikey ?? null }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

const tmp = tempDir('grow-gateway-');
let rest: Awaited<ReturnType<typeof echo>>;
let auth: Awaited<ReturnType<typeof echo>>;
let full: Gateway;
let bare: Gateway;
beforeAll(async () => {
  rest = await echo('postgrest');
  auth = await echo('auth');
  const hq = join(tmp.dir, 'hq');
  mkdirSync(join(hq, 'assets'), { recursive: true });
  writeFileSync(join(hq, 'index.html'), '<!doctype html><title>Grow HQ</title>');
  writeFileSync(join(hq, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(tmp.dir, 'secret.txt'), 'not for the web');
  full = await startGateway({
    host: '127.0.0.1',
    port: 0,
    rest: rest.url,
    auth: auth.url,
    hqDir: hq,
    anonKey: 'anon-key',
  });
  bare = await startGateway({ host: '127.0.0.1', port: 0, rest: 'http://127.0.0.1:9' });
});
afterAll(async () => {
  await full?.close();
  await bare?.close();
  rest?.server.close();
  auth?.server.close();
  tmp.remove();
});

describe('the cloud gateway', () => {
  it('forwards /rest/v1 to PostgREST and /auth/v1 to Supabase Auth without their prefixes, headers intact', async () => {
    const r = await fetch(`${full.url}/rest/v1/rpc/hq_sales?x=1`, {
      method: 'POST',
      headers: { apikey: 'k' },
    });
    expect(await r.json()).toEqual({
      name: 'postgrest',
      method: 'POST',
      path: '/rpc/hq_sales?x=1',
      apikey: 'k',
    });
    const a = await fetch(`${full.url}/auth/v1/token?grant_type=password`, { method: 'POST' });
    expect(await a.json()).toMatchObject({ name: 'auth', path: '/token?grant_type=password' });
  });

  it('serves HQ with the project it belongs to, and nothing outside its folder', async () => {
    const home = await fetch(`${full.url}/`, { redirect: 'manual' });
    expect([home.status, home.headers.get('location')]).toEqual([302, '/hq/']);
    const index = await fetch(`${full.url}/hq/`);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await index.text()).toContain('Grow HQ');
    const asset = await fetch(`${full.url}/hq/assets/app.js`);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect(await (await fetch(`${full.url}/hq/config.json`)).json()).toEqual({
      anonKey: 'anon-key',
      auth: true,
    });
    const outside = await fetch(`${full.url}/hq/..%2Fsecret.txt`);
    expect(outside.status).toBe(404);
    expect(await outside.text()).not.toContain('not for the web');
  });

  it('says what is missing in problem+json: no Supabase Auth, PostgREST down, an unknown path', async () => {
    const noAuth = await fetch(`${bare.url}/auth/v1/token?grant_type=password`, { method: 'POST' });
    expect(noAuth.status).toBe(404);
    expect(noAuth.headers.get('content-type')).toBe('application/problem+json');
    expect(await noAuth.json()).toMatchObject({
      code: 'auth_not_configured',
      detail: expect.stringMatching(/give the gateway --auth/),
    });
    const down = await fetch(`${bare.url}/rest/v1/rpc/hq_sales`, { method: 'POST' });
    expect(down.status).toBe(502);
    expect((await down.json()).detail).toMatch(
      /could not reach PostgREST at http:\/\/127.0.0.1:9 .*check that it runs/,
    );
    const lost = await fetch(`${bare.url}/graphql/v1`);
    expect(lost.status).toBe(404);
    expect((await lost.json()).detail).toBe(
      'nothing at /graphql/v1: the API is under /rest/v1, sign-in under /auth/v1',
    );
  });

  it('refuses a command line it cannot run, in the operator’s words', async () => {
    const noRest = await runCli(['cloud', 'gateway']);
    expect([noRest.code, noRest.stderr]).toEqual([
      2,
      expect.stringMatching(/cloud gateway needs --rest: where PostgREST listens/),
    ]);
    const noHq = await runCli([
      'cloud',
      'gateway',
      '--rest',
      rest.url,
      '--hq',
      join(tmp.dir, 'missing'),
      '--port',
      '0',
    ]);
    expect([noHq.code, noHq.stderr]).toEqual([
      2,
      expect.stringMatching(/no HQ dashboard in .*missing: run npm run build:hq first/),
    ]);
  });
});
