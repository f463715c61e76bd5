import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { burgerOrder, newOrderId, startHub, type TestHub } from './support/hub.ts';

let t: TestHub;
beforeAll(async () => {
  t = await startHub({ bodyLimitBytes: 8_192 });
});
afterAll(() => t.stop());

const counts = () => ({
  seq: t.hub.store.events.headSeq(),
  orders: (t.hub.store.db.prepare('SELECT COUNT(*) AS n FROM orders').get() as { n: number }).n,
});

/** Each case: a bad request → a 4xx problem+json with this code and (where given) this field. */
const cases: Array<{
  name: string;
  body: unknown;
  status: number;
  code: string;
  field?: string;
  headers?: Record<string, string>;
}> = [
  { name: 'malformed JSON', body: '{"id": "x", "lines": [', status: 400, code: 'MALFORMED_JSON' },
  { name: 'not JSON at all', body: 'hello', status: 400, code: 'MALFORMED_JSON' },
  { name: 'empty body', body: '', status: 400, code: 'VALIDATION_FAILED' },
  { name: 'a JSON array', body: [], status: 400, code: 'VALIDATION_FAILED' },
  {
    name: 'wrong content type',
    body: 'id=1',
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  },
  {
    name: 'bad UUID',
    body: { ...burgerOrder(), id: 'order-1' },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'id',
  },
  {
    name: 'qty as a string',
    body: { id: newOrderId(), lines: [{ itemId: 'cola', qty: '2' }] },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'lines[0].qty',
  },
  {
    name: 'negative qty',
    body: { id: newOrderId(), lines: [{ itemId: 'cola', qty: -1 }] },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'lines[0].qty',
  },
  {
    name: 'fractional qty',
    body: { id: newOrderId(), lines: [{ itemId: 'cola', qty: 1.5 }] },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'lines[0].qty',
  },
  {
    name: 'no lines',
    body: { id: newOrderId(), lines: [] },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'lines',
  },
  { name: 'unknown field', body: { ...burgerOrder(), price: 1 }, status: 400, code: 'VALIDATION_FAILED' },
  {
    name: 'unknown item',
    body: {
      id: newOrderId(),
      lines: [
        { itemId: 'cola', qty: 1 },
        { itemId: 'unicorn-steak', qty: 1 },
      ],
    },
    status: 422,
    code: 'ITEM_NOT_FOUND',
    field: 'lines[1].itemId',
  },
  {
    name: 'option of another item',
    body: { id: newOrderId(), lines: [{ itemId: 'cola', qty: 1, modifiers: ['add-bacon'] }] },
    status: 422,
    code: 'MODIFIER_INVALID',
    field: 'lines[0].modifiers[0]',
  },
  {
    name: 'too many choices',
    body: {
      id: newOrderId(),
      lines: [{ itemId: 'classic-burger', qty: 1, modifiers: ['burger-rare', 'burger-well'] }],
    },
    status: 422,
    code: 'MODIFIER_INVALID',
    field: 'lines[0].modifiers',
  },
  // Issue 14.4: text the cloud (Postgres) cannot store; the kitchen would cook it, HQ never see it.
  {
    name: 'a NUL byte in a line note',
    body: { id: newOrderId(), lines: [{ itemId: 'cola', qty: 1, note: 'no ice\u0000' }] },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'lines[0].note',
  },
  {
    name: 'half of an emoji (a lone surrogate) in the table label',
    body: { ...burgerOrder(), tableLabel: 'T4 \uD83D' },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'tableLabel',
  },
  // Issue 14.6: the same id in upper case would be a second order here and the same one in the cloud.
  {
    name: 'an order id in upper case',
    body: { ...burgerOrder(), id: newOrderId().toUpperCase() },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'id',
  },
  {
    name: 'oversize body',
    body: { ...burgerOrder(), note: 'x'.repeat(20_000) },
    status: 413,
    code: 'BODY_TOO_LARGE',
  },
];

describe('bad input gets a clear error and writes nothing', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const before = counts();
      const res = await t.api('POST', '/api/v1/orders', c.body, undefined, c.headers);
      expect(res.status).toBe(c.status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(res.body).toMatchObject({
        status: c.status,
        code: c.code,
        type: expect.stringContaining('urn:grow-hub:problem:'),
      });
      expect(res.body.detail.length).toBeGreaterThan(10);
      if (c.field) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(c.field);
      expect(counts()).toEqual(before);
    });
  }

  it('rejects bad path and query parameters by name', async () => {
    const badId = await t.api('GET', '/api/v1/orders/not-a-uuid');
    expect(badId.status).toBe(400);
    expect(badId.body.errors[0].field).toBe('id');
    const badLimit = await t.api('GET', '/api/v1/orders?limit=100000');
    expect(badLimit.status).toBe(400);
    expect(badLimit.body.errors[0].field).toBe('limit');
    const upper = await t.api('GET', `/api/v1/orders/${newOrderId().toUpperCase()}`);
    expect(upper.status).toBe(400);
    expect(upper.body.errors[0]).toEqual({ field: 'id', message: expect.stringMatching(/lower case/) });
    const missing = await t.api('GET', `/api/v1/orders/${newOrderId()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('ORDER_NOT_FOUND');
  });

  it('answers unknown routes with a 404 problem', async () => {
    const res = await t.api('GET', '/api/v1/nope');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });

  it('answers problem+json for errors raised before routing too: a broken %-escape, a request that is not HTTP', async () => {
    const badUrl = await t.api('GET', '/pos/%c0%ae');
    expect(badUrl.status).toBe(400);
    expect(badUrl.headers.get('content-type')).toContain('application/problem+json');
    expect(badUrl.body).toMatchObject({ code: 'BAD_REQUEST', detail: expect.stringMatching(/%-escape/) });
    const raw = await new Promise<string>((resolve) => {
      const socket = connect(Number(new URL(t.base).port), '127.0.0.1', () => socket.write('HELLO\r\n\r\n'));
      let text = '';
      socket.on('data', (d) => (text += d));
      socket.on('close', () => resolve(text));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    expect(raw).toContain('application/problem+json');
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('refuses an inconsistent menu snapshot and keeps the applied one', async () => {
    const menu = (await t.api('GET', '/api/v1/menu')).body;
    const { unavailableItemIds: _u, ...snapshot } = menu;
    const broken = {
      ...snapshot,
      version: snapshot.version + 1,
      items: [{ ...snapshot.items[0], stationId: 'moon' }, ...snapshot.items.slice(1)],
    };
    const res = await t.api('PUT', '/api/v1/menu', broken, t.tokens.manager);
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('MENU_INVALID');
    expect(res.body.errors[0].field).toBe('items[0].stationId');
    const negative = await t.api('PUT', '/api/v1/menu', { ...snapshot, version: -1 }, t.tokens.manager);
    expect(negative.status).toBe(400);
    expect(negative.body.errors[0].field).toBe('version');
    expect((await t.api('PUT', '/api/v1/menu', { ...snapshot, version: 3 }, t.tokens.manager)).body).toEqual({
      applied: true,
      version: 3,
    });
    expect((await t.api('PUT', '/api/v1/menu', { ...snapshot, version: 3 }, t.tokens.manager)).body).toEqual({
      applied: false,
      version: 3,
    });
    const stale = await t.api('PUT', '/api/v1/menu', { ...snapshot, version: 2 }, t.tokens.manager);
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('MENU_VERSION_STALE');
    expect((await t.api('GET', '/api/v1/menu')).body.version).toBe(3);
  });
});
