import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { newOrderId, startHub, type TestHub } from './support/hub.ts';

let t: TestHub;
beforeAll(async () => {
  t = await startHub({ authFailuresBeforeLockout: 1_000_000, wsHandshakesPerSecond: 100_000 });
});
afterAll(() => t.stop());

const snapshot = () => ({
  seq: t.hub.store.events.headSeq(),
  orders: t.hub.store.db.prepare('SELECT COUNT(*) FROM orders').pluck().get(),
  devices: t.hub.store.db.prepare('SELECT COUNT(*) FROM devices').pluck().get(),
});

/** Order-shaped bodies that are wrong somewhere: a wrong type, a bad id, an unknown item, a bad qty… */
const badOrder = fc.oneof(
  fc.anything(),
  fc.record({ id: fc.string(), lines: fc.anything() }),
  fc.record({
    id: fc.constant(null).map(() => newOrderId()),
    lines: fc.array(
      fc.record({
        itemId: fc.oneof(fc.string(), fc.constantFrom('unicorn', ''), fc.integer()),
        qty: fc.oneof(
          fc.integer({ min: -1_000, max: 0 }),
          fc.double(),
          fc.string(),
          fc.integer({ min: 1_000 }),
        ),
        modifiers: fc.anything(),
      }),
      { maxLength: 5 },
    ),
  }),
  fc.record({ id: fc.uuid(), lines: fc.constant([]) }),
);

const routes: [string, string][] = [
  ['POST', '/api/v1/orders'],
  ['PUT', '/api/v1/menu'],
  ['POST', '/api/v1/menu/items/cola/availability'],
  ['POST', '/api/v1/pairings/approve'],
  ['POST', '/api/v1/staff/verify'],
  ['POST', '/api/v1/devices'],
];

async function request(method: string, path: string, body: string | undefined, token: string | null) {
  const res = await fetch(`${t.base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body,
  });
  await res.arrayBuffer();
  return res.status;
}

describe('10,000 generated bad inputs: 4xx or a closed socket, never a 5xx, nothing written', () => {
  it('HTTP bodies (5,000)', { timeout: 120_000 }, async () => {
    const before = snapshot();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.oneof(
          badOrder.map((v) => JSON.stringify(v) ?? 'null'),
          fc.string(),
          fc.string().map((s) => `{"id":${s}`),
        ),
        async ([method, path], body) => {
          const status = await request(method, path, body, t.tokens.manager);
          return status >= 400 && status < 500;
        },
      ),
      { numRuns: 5_000 },
    );
    expect(snapshot()).toEqual(before);
  });

  it('query strings and path parameters (3,000)', { timeout: 120_000 }, async () => {
    const before = snapshot();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          '/api/v1/orders',
          '/api/v1/tickets',
          '/api/v1/menu/search',
          '/api/v1/orders/',
          '/api/v1/tickets/',
        ),
        fc.string({ maxLength: 300 }),
        fc.string({ maxLength: 40 }),
        async (base, query, tail) => {
          const path = base.endsWith('/')
            ? `${base}${encodeURIComponent(tail)}`
            : `${base}?${query.replace(/#/g, '')}`;
          const status = await request('GET', path, undefined, t.tokens.manager);
          return status < 500;
        },
      ),
      { numRuns: 3_000 },
    );
    expect(snapshot()).toEqual(before);
  });

  it('WebSocket frames (2,000): huge, truncated, binary, wrong types', { timeout: 120_000 }, async () => {
    const before = snapshot();
    const frames = fc.sample(
      fc.oneof(
        fc.string(),
        fc.anything().map((v) => JSON.stringify(v) ?? ''),
        fc.uint8Array({ maxLength: 64 }),
        fc.constant('x'.repeat(10_000)),
        fc.constant('{"type":"ping"'),
      ),
      { numRuns: 2_000, seed: 42 },
    );
    let closedByHub = 0;
    for (let i = 0; i < frames.length; i += 50) {
      await Promise.all(
        frames.slice(i, i + 50).map(
          (frame) =>
            new Promise<void>((resolve, reject) => {
              const ws = new WebSocket(`${t.wsUrl}?since=1000000000`, {
                headers: { authorization: `Bearer ${t.tokens.pos}` },
              });
              const timer = setTimeout(() => {
                ws.terminate();
                resolve();
              }, 2_000);
              ws.on('open', () => ws.send(frame));
              ws.on('close', (code) => {
                clearTimeout(timer);
                if ([4000, 1009, 1007, 1002, 1006].includes(code)) closedByHub++;
                resolve();
              });
              ws.on('error', () => {});
              ws.on('unexpected-response', (_q, res) =>
                reject(new Error(`upgrade refused: ${res.statusCode}`)),
              );
            }),
        ),
      );
    }
    expect(closedByHub).toBeGreaterThan(1_900); // every frame but the rare accidental valid ping
    expect((await fetch(`${t.base}/health`)).status).toBe(200);
    expect(snapshot()).toEqual(before);
  });
});
