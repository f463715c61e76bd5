import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHub, type TestHub } from './support/hub.ts';

let t: TestHub;
beforeAll(async () => {
  t = await startHub();
});
afterAll(() => t?.stop());

describe('the API describes itself', () => {
  it('answers the API address `grow-hub start` prints with links, without a token', async () => {
    const res = await t.api('GET', '/api/v1', undefined, null);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ openapi: '/api/v1/openapi.json', health: '/health' });
  });

  it('publishes OpenAPI 3 generated from the route schemas: every API route, none of the app files', async () => {
    const res = await t.api('GET', '/api/v1/openapi.json', undefined, null);
    expect(res.status).toBe(200);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\./);
    const paths = Object.keys(doc.paths);
    for (const route of t.hub.app.routeTable.filter((r) => r.url.startsWith('/api/'))) {
      expect(paths, route.url).toContain(route.url.replace(/:(\w+)/g, '{$1}'));
    }
    expect(paths.some((p) => p.startsWith('/pos') || p.startsWith('/assets'))).toBe(false);
    const create = doc.paths['/api/v1/orders'].post;
    expect(create.requestBody.content['application/json'].schema.required).toEqual(['id', 'lines']);
    expect(doc.paths['/health'].get.security).toEqual([]);
    expect(doc.security).toEqual([{ device: [] }]);
  });
});

describe('docs/api.md', () => {
  it('lists every route the hub serves, with who may call it', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8');
    const rows = doc.split('\n').filter((l) => l.startsWith('| `'));
    const apps = /^\/(pos|kds|admin|assets)(\/|$)/;
    for (const route of t.hub.app.routeTable.filter((r) => !apps.test(r.url))) {
      const row = rows.find((l) => l.startsWith(`| \`${route.method} ${route.url}\` |`));
      expect(row, `${route.method} ${route.url}`).toBeDefined();
      const who = row!.split('|')[2]!.trim();
      const expected = route.public ? 'public' : route.roles.length === 3 ? 'any' : null;
      if (expected) expect(who).toBe(expected);
      else for (const role of route.roles) expect(who).toContain(role);
    }
  });
});
