import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Order } from '../protocol/orders.ts';
import { burgerOrder, newOrderId, startHub, type TestHub } from './support/hub.ts';

let t: TestHub;
beforeAll(async () => {
  t = await startHub();
});
afterAll(() => t.stop());

const eventsFor = (entityId: string) =>
  t.hub.store.db.prepare('SELECT type FROM events WHERE entity_id = ? ORDER BY seq').all(entityId) as {
    type: string;
  }[];

describe('orders over HTTP', () => {
  it('creates an order priced on the hub, with a ticket per station', async () => {
    const res = await t.api('POST', '/api/v1/orders', burgerOrder());
    expect(res.status).toBe(201);
    const order = res.body;
    // 2 × (14.50 + 2.00 bacon) + 1 × 3.50 cola = 36.50; tax 8.25 % → 3.01 (301.125 rounds half up to 301)
    expect(order.subtotal).toBe(3650);
    expect(order.tax).toBe(301);
    expect(order.total).toBe(3951);
    expect(order.status).toBe('sent');
    expect(order.lines[0].modifiers.map((m: { optionId: string }) => m.optionId)).toEqual([
      'burger-well',
      'add-bacon',
      'side-fries',
    ]);
    // The fries that come with the burgers are the fry station's (a side with its own station).
    expect(order.tickets.map((tk: { stationId: string }) => tk.stationId).sort()).toEqual([
      'bar',
      'fry',
      'grill',
    ]);
    const fries = order.tickets.find((tk: { stationId: string }) => tk.stationId === 'fry');
    expect(
      fries.lines.map((l: { name: string; qty: number; note: string }) => [l.qty, l.name, l.note]),
    ).toEqual([[2, 'Fries', 'with Classic Beef Burger (no pickles)']]);
    expect(res.headers.get('location')).toBe(`/api/v1/orders/${order.id}`);
    // The answer is serialised as the event carries it, not through the response schema: it must
    // still be exactly an Order (parsing strips unknown fields at every level, so equal = none).
    expect(Order.parse(order)).toEqual(order);
    const fetched = await t.api('GET', `/api/v1/orders/${order.id}`);
    expect(fetched.body).toEqual(order);
  });

  it('replays the same body with 200 and the same order; a different body with that id is 409', async () => {
    const body = burgerOrder();
    const first = await t.api('POST', '/api/v1/orders', body);
    const again = await t.api('POST', '/api/v1/orders', body);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(first.body);
    expect(Order.parse(again.body)).toEqual(again.body);
    const changed = await t.api('POST', '/api/v1/orders', { ...body, lines: [{ itemId: 'cola', qty: 3 }] });
    expect(changed.status).toBe(409);
    expect(changed.body.code).toBe('ORDER_ID_REUSED');
    expect(changed.headers.get('content-type')).toContain('application/problem+json');
  });

  it('turns 50 concurrent posts of one order into one order and one order.created event', async () => {
    const body = burgerOrder();
    const results = await Promise.all(
      Array.from({ length: 50 }, () => t.api('POST', '/api/v1/orders', body)),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    expect(new Set(results.map((r) => r.body.number)).size).toBe(1);
    const events = eventsFor(body.id);
    expect(events.filter((e) => e.type === 'order.created')).toHaveLength(1);
    const count = t.hub.store.db.prepare('SELECT COUNT(*) AS n FROM orders WHERE id = ?').get(body.id) as {
      n: number;
    };
    expect(count.n).toBe(1);
  });

  it('groups concurrent commands into fewer commits than commands', async () => {
    const before = { ...t.hub.committer.stats };
    await Promise.all(Array.from({ length: 200 }, () => t.api('POST', '/api/v1/orders', burgerOrder())));
    const commits = t.hub.committer.stats.commits - before.commits;
    const commands = t.hub.committer.stats.commands - before.commands;
    // ≥ 200: the rate limiter's once-a-second flush also rides the group commit.
    expect(commands).toBeGreaterThanOrEqual(200);
    expect(commits).toBeLessThan(200);
  });

  it('follows the kitchen: bump every ticket → ready; complete; no void after completion', async () => {
    const { body: order } = await t.api('POST', '/api/v1/orders', burgerOrder());
    const kds = (path: string) => t.api('POST', path, undefined, t.tokens.kds);
    const [grill, bar, fry] = [
      order.tickets.find((x: any) => x.stationId === 'grill'),
      order.tickets.find((x: any) => x.stationId === 'bar'),
      order.tickets.find((x: any) => x.stationId === 'fry'),
    ];
    expect((await kds(`/api/v1/tickets/${grill.id}/start`)).body.status).toBe('started');
    expect((await t.api('GET', `/api/v1/orders/${order.id}`)).body.status).toBe('in_progress');
    expect((await kds(`/api/v1/tickets/${grill.id}/bump`)).status).toBe(200);
    expect((await kds(`/api/v1/tickets/${bar.id}/bump`)).status).toBe(200);
    expect((await t.api('GET', `/api/v1/orders/${order.id}`)).body.status).toBe('in_progress');
    expect((await kds(`/api/v1/tickets/${fry.id}/bump`)).status).toBe(200);
    expect((await t.api('GET', `/api/v1/orders/${order.id}`)).body.status).toBe('ready');
    const twice = await kds(`/api/v1/tickets/${bar.id}/bump`);
    expect(twice.status).toBe(409);
    expect(twice.body.code).toBe('ILLEGAL_TRANSITION');
    expect((await kds(`/api/v1/tickets/${bar.id}/recall`)).body.status).toBe('open');
    expect((await t.api('GET', `/api/v1/orders/${order.id}`)).body.status).toBe('in_progress');
    const unpaid = await t.api('POST', `/api/v1/orders/${order.id}/complete`);
    expect(unpaid.status).toBe(409);
    expect(unpaid.body.code).toBe('ORDER_UNPAID');
    expect(unpaid.body.detail).toMatch(/still owes \$\d+\.\d\d: take payment first/);
    const cash = { id: newOrderId(), method: 'cash', amount: order.total, tendered: order.total };
    expect((await t.api('POST', `/api/v1/orders/${order.id}/payments`, cash)).status).toBe(201);
    expect((await t.api('POST', `/api/v1/orders/${order.id}/complete`)).body.status).toBe('completed');
    const voided = await t.api(
      'POST',
      `/api/v1/orders/${order.id}/void`,
      { reason: 'customer left' },
      t.tokens.manager,
    );
    expect(voided.status).toBe(409);
    expect(voided.body.code).toBe('ILLEGAL_TRANSITION');
  });

  it('voids with a reason (manager only) and voids the tickets with it', async () => {
    const { body: order } = await t.api('POST', '/api/v1/orders', burgerOrder());
    expect((await t.api('POST', `/api/v1/orders/${order.id}/void`, { reason: 'wrong table' })).status).toBe(
      403,
    );
    const res = await t.api(
      'POST',
      `/api/v1/orders/${order.id}/void`,
      { reason: 'wrong table' },
      t.tokens.manager,
    );
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('voided');
    expect(res.body.voidReason).toBe('wrong table');
    expect(res.body.tickets.every((x: any) => x.status === 'voided')).toBe(true);
    // The void is on the audit trail (docs/staff.md), keyed by the check.
    expect(eventsFor(order.id).map((e) => e.type)).toEqual([
      'order.created',
      'order.status_changed',
      'audit.recorded',
    ]);
  });

  it('keeps an unsent order open until it is sent, and only then makes tickets', async () => {
    const { body: open } = await t.api('POST', '/api/v1/orders', { ...burgerOrder(), send: false });
    expect(open.status).toBe('open');
    expect(open.tickets).toEqual([]);
    expect((await t.api('GET', `/api/v1/orders/${open.id}`)).body).toEqual(open);
    const sent = await t.api('POST', `/api/v1/orders/${open.id}/send`);
    expect(sent.body.status).toBe('sent');
    expect(sent.body.tickets.map((x: { stationId: string }) => x.stationId)).toEqual(['bar', 'fry', 'grill']);
    expect((await t.api('POST', `/api/v1/orders/${open.id}/send`)).status).toBe(409);
  });

  it("refuses 86'd items, and prices new orders with the menu the hub has now", async () => {
    const off = await t.api(
      'POST',
      '/api/v1/menu/items/cola/availability',
      { available: false },
      t.tokens.manager,
    );
    expect(off.status).toBe(200);
    const refused = await t.api('POST', '/api/v1/orders', {
      id: newOrderId(),
      lines: [{ itemId: 'cola', qty: 1 }],
    });
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('ITEM_UNAVAILABLE');
    expect(refused.body.errors[0].field).toBe('lines[0].itemId');
    const menu = await t.api('GET', '/api/v1/menu');
    expect(menu.body.unavailableItemIds).toContain('cola');
    await t.api('POST', '/api/v1/menu/items/cola/availability', { available: true }, t.tokens.kds);
    expect(
      (await t.api('POST', '/api/v1/orders', { id: newOrderId(), lines: [{ itemId: 'cola', qty: 1 }] }))
        .status,
    ).toBe(201);
  });

  it('lists recent orders and open tickets per station', async () => {
    const list = await t.api('GET', '/api/v1/orders?limit=5');
    expect(list.status).toBe(200);
    expect(list.body.orders).toHaveLength(5);
    const tickets = await t.api('GET', '/api/v1/tickets?station=grill', undefined, t.tokens.kds);
    expect(tickets.body.tickets.length).toBeGreaterThan(0);
    expect(tickets.body.tickets.every((x: any) => x.stationId === 'grill' && x.status !== 'bumped')).toBe(
      true,
    );
  });
});
