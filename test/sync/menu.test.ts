import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoMenu } from '../../hub/menu/demo.ts';
import { startCloud, type TestCloud } from '../support/cloud.ts';
import { newOrderId } from '../support/hub.ts';
import { RecordingSocket } from '../support/socket.ts';
import { hubOnCloud, synced } from '../support/sync.ts';

let cloud: TestCloud;
beforeAll(async () => {
  cloud = await startCloud();
});
afterAll(() => cloud?.stop());

describe('menus HQ publishes', () => {
  it('brings a menu HQ publishes to the hub and its devices; a price change applies to new orders only', async () => {
    const { t, cred } = await hubOnCloud(cloud);
    try {
      const { body: before } = await t.api('POST', '/api/v1/orders', {
        id: newOrderId(),
        lines: [{ itemId: 'cola', qty: 1 }],
      });
      expect(before.lines[0].unitPrice).toBe(350);
      const socket = new RecordingSocket(t.wsUrl, t.tokens.kds, {
        since: t.hub.store.events.headSeq(),
        stations: 'bar',
      });
      await socket.waitFor(() => socket.messages.find((m) => m.type === 'caught_up'));
      const menu = demoMenu();
      const v2 = {
        ...menu,
        version: 2,
        items: menu.items.map((i) => (i.id === 'cola' ? { ...i, price: 400 } : i)),
      };
      const hq = cloud.client(await cloud.hqToken(cred.organisationId));
      const published = await hq
        .from('menu_versions')
        .insert({ restaurant_id: cred.restaurantId, version: 2, body: v2 });
      expect(published.error).toBeNull();
      const applied = await socket.waitFor(
        () => socket.events().find((e) => e.type === 'menu.applied'),
        10_000,
      );
      expect(applied.data.version).toBe(2);
      socket.close();
      const { body: after } = await t.api('POST', '/api/v1/orders', {
        id: newOrderId(),
        lines: [{ itemId: 'cola', qty: 1 }],
      });
      expect(after.lines[0].unitPrice).toBe(400);
      expect(after.menuVersion).toBe(2);
      expect((await t.api('GET', `/api/v1/orders/${before.id}`)).body.lines[0].unitPrice).toBe(350);
      await synced(t);
      const lines = await cloud.db.query<{ order_id: string; unit_price: string }>(
        'select order_id, unit_price from order_lines where restaurant_id = $1',
        [cred.restaurantId],
      );
      const price = Object.fromEntries(lines.map((l) => [l.order_id, Number(l.unit_price)]));
      expect(price).toEqual({ [before.id]: 350, [after.id]: 400 });
    } finally {
      await t.stop();
    }
  });
});
