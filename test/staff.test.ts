import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFor, newOrderId, signIn, startHub, type TestHub, tempDir } from './support/hub.ts';

/**
 * (One file, long: the permission matrix, roles and the audit trail share one hub and its five
 * signed-in people; the audit test reads what the others did.) Staff sign-in, roles and
 * permissions, manager overrides and the audit trail (docs/staff.md), over the hub's API with
 * real devices and sessions.
 */
let t: TestHub;
type Signed = Awaited<ReturnType<typeof signIn>>;
const people: Record<string, Signed> = {};
const cmd = () => ({ commandId: newOrderId() });

beforeAll(async () => {
  t = await startHub();
  const roster: [string, string, string][] = [
    ['Sam', 'server', '1111'],
    ['Ben', 'bartender', '3333'],
    ['Cleo', 'cashier', '4444'],
    ['Maria', 'manager', '1234'],
    ['Olu', 'owner', '9876'],
  ];
  for (const [name, roleId, pin] of roster) people[roleId] = await signIn(t, name, roleId, pin);
});
afterAll(() => t?.stop());

describe('signing in on a till', () => {
  it('says "PIN not recognised", signs in, follows the session on every command, and signs out', async () => {
    const staff = (await t.api('GET', '/api/v1/staff/tiles')).body.staff;
    expect(staff.map((s: { name: string }) => s.name)).toEqual(['Ben', 'Cleo', 'Maria', 'Olu', 'Sam']);
    const sam = people.server!;
    const wrong = await t.api('POST', '/api/v1/staff/sign-in', { staffId: sam.staffId, pin: '0000' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ code: 'PIN_INVALID', detail: 'PIN not recognised. Try again.' });
    expect(wrong.headers.get('content-type')).toMatch(/problem\+json/);

    const me = await sam.api('GET', '/api/v1/staff/me');
    expect(me.body).toEqual({ staff: { id: sam.staffId, name: 'Sam', roleId: 'server' }, idleMinutes: 5 });
    const order = await sam.api('POST', '/api/v1/orders', {
      id: newOrderId(),
      tableId: 't3',
      lines: [{ itemId: 'lager', qty: 1 }],
    });
    expect(order.status).toBe(201);
    expect(order.body.server).toEqual({ staffId: sam.staffId, name: 'Sam' });
    const mine = await t.api('GET', `/api/v1/checks?server=${sam.staffId}`);
    expect(mine.body.checks.map((c: { id: string }) => c.id)).toContain(order.body.id);

    // A session works on the device that signed in only.
    const kds = await t.api('GET', '/api/v1/menu', undefined, t.tokens.manager, {
      'x-grow-staff': sam.session,
    });
    expect(kds.status).toBe(401);
    expect(kds.body.code).toBe('STAFF_SIGNED_OUT');

    const again = await signIn(t, 'Temp', 'server', '5555');
    expect((await again.api('POST', '/api/v1/staff/sign-out')).status).toBe(204);
    const after = await again.api('GET', '/api/v1/staff/me');
    expect(after.status).toBe(401);
    expect(after.body.detail).toMatch(/enter your PIN to sign in again/);
  });
});

/** A check with a fired lager and a beer not yet sent, paid in cash where a refund needs it. */
async function freshCheck(paid: boolean | 'and closed' = false) {
  const made = await t.api(
    'POST',
    '/api/v1/orders',
    { id: newOrderId(), tableId: 't5', lines: [{ itemId: 'lager', qty: 1 }] },
    t.tokens.manager,
  );
  const check = (
    await t.api(
      'POST',
      `/api/v1/orders/${made.body.id}/rounds`,
      { ...cmd(), lines: [{ itemId: 'ipa', qty: 1 }], send: false },
      t.tokens.manager,
    )
  ).body;
  let paymentId: string | null = null;
  if (paid) {
    paymentId = newOrderId();
    const pay = await t.api(
      'POST',
      `/api/v1/orders/${check.id}/payments`,
      { id: paymentId, method: 'cash', amount: check.total, tendered: check.total },
      t.tokens.manager,
    );
    expect(pay.status).toBe(201);
    if (paid === 'and closed')
      expect(
        (await t.api('POST', `/api/v1/orders/${check.id}/complete`, undefined, t.tokens.manager)).status,
      ).toBe(200);
  }
  return {
    id: check.id as string,
    fired: check.lines[0].id as string,
    unsent: check.lines[1].id as string,
    paymentId,
  };
}

/** Every sensitive command, as the till sends it. */
const actions: Record<
  string,
  { paid?: boolean | 'and closed'; send: (c: Awaited<ReturnType<typeof freshCheck>>) => [string, object] }
> = {
  'void.unsent': {
    send: (c) => [
      `/api/v1/orders/${c.id}/void-lines`,
      { ...cmd(), lineIds: [c.unsent], reason: 'rang twice' },
    ],
  },
  'void.fired': {
    send: (c) => [
      `/api/v1/orders/${c.id}/void-lines`,
      { ...cmd(), lineIds: [c.fired], reason: 'wrong table' },
    ],
  },
  comp: {
    send: (c) => [`/api/v1/orders/${c.id}/comp`, { ...cmd(), lineIds: [c.fired], reason: 'long wait' }],
  },
  'discount:ten-percent': {
    send: (c) => [`/api/v1/orders/${c.id}/discounts`, { ...cmd(), discountId: 'ten-percent' }],
  },
  'discount:manager-5': {
    send: (c) => [`/api/v1/orders/${c.id}/discounts`, { ...cmd(), discountId: 'manager-5' }],
  },
  'check.transfer': {
    send: (c) => [`/api/v1/orders/${c.id}/server`, { ...cmd(), staffId: people.server!.staffId }],
  },
  refund: {
    paid: true,
    send: (c) => [
      `/api/v1/payments/${c.paymentId}/refunds`,
      { id: newOrderId(), amount: 100, reason: 'spilled drink' },
    ],
  },
  'check.reopen': {
    paid: 'and closed',
    send: (c) => [`/api/v1/orders/${c.id}/reopen`, { ...cmd(), reason: 'forgot the dessert' }],
  },
  'drawer.open': {
    send: () => [
      `/api/v1/drawers/${shared.drawerId}/moves`,
      { ...cmd(), kind: 'no_sale', reason: 'change for a guest' },
    ],
  },
  'punch.edit': {
    send: () => [
      `/api/v1/punches/${shared.punchId}/edit`,
      { ...cmd(), reason: 'clocked in late by mistake' },
    ],
  },
  'day.close': { send: () => ['/api/v1/day/close', { ...cmd(), force: true }] },
};

/** A drawer open on the till and a closed punch, for the drawer and punch commands. */
const shared = { drawerId: '', punchId: '' };

describe('the permission matrix', () => {
  it('lets each role do exactly what its permissions say, and a manager override approves that one command', async () => {
    const boss = people.manager!;
    shared.drawerId = (await boss.api('POST', '/api/v1/drawers', { ...cmd(), float: 10_000 })).body.id;
    await boss.api('POST', '/api/v1/clock/in', cmd());
    shared.punchId = (await boss.api('POST', '/api/v1/clock/out', cmd())).body.id;
    const roles = (await t.api('GET', '/api/v1/roles')).body.roles as { id: string; permissions: string[] }[];
    expect(roles.map((r) => r.id)).toEqual(['server', 'bartender', 'cashier', 'manager', 'owner']);
    const holds = (roleId: string, permission: string) => {
      const p = roles.find((r) => r.id === roleId)!.permissions;
      return p.includes(permission) || (permission.startsWith('discount:') && p.includes('discount:*'));
    };
    const maria = people.manager!;
    const nobody = apiFor(t.base, t.tokens.pos);
    const seen: string[] = [];
    for (const [permission, action] of Object.entries(actions)) {
      for (const roleId of ['none', 'server', 'bartender', 'cashier', 'manager', 'owner']) {
        const api = roleId === 'none' ? nobody : people[roleId]!.api;
        const allowed = roleId !== 'none' && holds(roleId, permission);
        const [path, body] = action.send(await freshCheck(action.paid));
        const alone = await api('POST', path, body);
        expect(alone.status, `${roleId} ${permission}`).toBe(allowed ? 200 : 403);
        if (!allowed) {
          expect(alone.body).toMatchObject({ code: 'PERMISSION_REQUIRED', permission, override: true });
          // The override approves this command, recorded with the manager's name.
          const approved = await api('POST', path, {
            ...body,
            approval: { staffId: maria.staffId, pin: maria.pin },
          });
          expect(approved.status, `${roleId} ${permission} with override`).toBe(200);
          // An override by someone whose role lacks it too is refused, saying so.
          const [p2, b2] = action.send(await freshCheck(action.paid));
          const sam = people.server!;
          if (!holds('server', permission)) {
            const weak = await api('POST', p2, { ...b2, approval: { staffId: sam.staffId, pin: sam.pin } });
            expect(weak.status).toBe(403);
            expect(weak.body.detail).toMatch(/Sam \(Server\) may not .* either/);
          }
        }
        seen.push(`${roleId}:${permission}:${allowed ? 'yes' : 'override'}`);
      }
    }
    expect(seen).toHaveLength(Object.keys(actions).length * 6);
    // The defaults: servers void what is not sent and apply the open discounts; managers do all.
    expect(seen.filter((s) => s.endsWith(':yes')).sort()).toEqual(
      [
        ...['server', 'bartender', 'cashier', 'manager', 'owner'].map((r) => `${r}:void.unsent:yes`),
        ...['server', 'bartender', 'cashier', 'manager', 'owner'].map((r) => `${r}:discount:ten-percent:yes`),
        ...['bartender', 'cashier'].map((r) => `${r}:drawer.open:yes`),
        ...['manager', 'owner'].flatMap((r) =>
          [
            'void.fired',
            'comp',
            'discount:manager-5',
            'check.transfer',
            'refund',
            'check.reopen',
            'drawer.open',
            'punch.edit',
            'day.close',
          ].map((p) => `${r}:${p}:yes`),
        ),
      ].sort(),
    );
  });

  it('approves only the one command: the next void needs the override again', async () => {
    const sam = people.server!;
    const maria = people.manager!;
    const c = await freshCheck();
    const approved = await sam.api('POST', `/api/v1/orders/${c.id}/void-lines`, {
      ...cmd(),
      lineIds: [c.fired],
      reason: 'wrong table',
      approval: { staffId: maria.staffId, pin: maria.pin },
    });
    expect(approved.body.lines[0].void).toMatchObject({
      by: { name: 'Sam' },
      approvedBy: { name: 'Maria' },
      afterFire: true,
    });
    const c2 = await freshCheck();
    const next = await sam.api('POST', `/api/v1/orders/${c2.id}/comp`, {
      ...cmd(),
      lineIds: [c2.fired],
      reason: 'cold',
    });
    expect(next.status).toBe(403);
  });
});

describe('roles a manager edits', () => {
  it('gives a role a permission, refuses to drop a role that has staff, and audits both', async () => {
    const roles = (await t.api('GET', '/api/v1/roles')).body.roles;
    const server = roles.find((r: { id: string }) => r.id === 'server');
    const refusedByTill = await t.api('PUT', '/api/v1/roles', { roles });
    expect(refusedByTill.status).toBe(403);
    const withComp = roles.map((r: { id: string; permissions: string[] }) =>
      r.id === 'server' ? { ...r, permissions: [...server.permissions, 'comp'] } : r,
    );
    expect((await t.api('PUT', '/api/v1/roles', { roles: withComp }, t.tokens.manager)).status).toBe(200);
    const c = await freshCheck();
    const comp = await people.server!.api('POST', `/api/v1/orders/${c.id}/comp`, {
      ...cmd(),
      lineIds: [c.fired],
      reason: 'regular',
    });
    expect(comp.status).toBe(200);
    expect(comp.body.lines[0].comp).toMatchObject({ by: { name: 'Sam' }, approvedBy: null });

    const withoutBartender = roles.filter((r: { id: string }) => r.id !== 'bartender');
    const kept = await t.api('PUT', '/api/v1/roles', { roles: withoutBartender }, t.tokens.manager);
    expect(kept.status).toBe(400);
    expect(kept.body.detail).toMatch(/Role "bartender" still has staff \(Ben\)/);
    const typo = await t.api(
      'PUT',
      '/api/v1/roles',
      { roles: [{ id: 'x', name: 'X', permissions: ['void.everything'] }] },
      t.tokens.manager,
    );
    expect(typo.status).toBe(400);
    expect(typo.body.errors[0].field).toMatch(/^roles\[0\]\.permissions\[0\]/);
    expect((await t.api('PUT', '/api/v1/roles', { roles }, t.tokens.manager)).status).toBe(200);
  });
});

describe('the audit trail', () => {
  it('keeps every sensitive action with who, device, reason and approver, filtered for a manager', async () => {
    const sam = people.server!;
    const overrides = await t.api(
      'GET',
      `/api/v1/audit?overrides=true&staffId=${sam.staffId}`,
      undefined,
      t.tokens.manager,
    );
    expect(overrides.status).toBe(200);
    const entries = overrides.body.entries as {
      action: string;
      staff: { name: string } | null;
      approver: { name: string } | null;
      reason: string | null;
      deviceId: string;
      detail: string;
    }[];
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) {
      expect(e.approver).not.toBeNull();
      expect(e.staff?.name === 'Sam' || e.approver?.name === 'Sam').toBe(true);
    }
    const voidBySam = entries.find(
      (e) => e.action === 'void' && e.reason === 'wrong table' && e.staff?.name === 'Sam',
    );
    expect(voidBySam).toMatchObject({ approver: { name: 'Maria' } });
    expect(voidBySam!.detail).toMatch(/^Check #\d+: voided "House Lager" \(\$7\.00\)/);

    const refunds = await t.api('GET', '/api/v1/audit?action=refund&limit=2', undefined, t.tokens.manager);
    expect(refunds.body.entries).toHaveLength(2);
    expect(refunds.body.entries.every((e: { action: string }) => e.action === 'refund')).toBe(true);
    const page2 = await t.api(
      'GET',
      `/api/v1/audit?action=refund&limit=2&before=${refunds.body.next}`,
      undefined,
      t.tokens.manager,
    );
    expect(page2.body.entries[0].seq).toBeLessThan(refunds.body.entries[1].seq);
    // A whole check voided on the admin page is on the trail too.
    const whole = await freshCheck();
    await t.api('POST', `/api/v1/orders/${whole.id}/void`, { reason: 'walked out' }, t.tokens.manager);
    const voids = (await t.api('GET', '/api/v1/audit?action=void&limit=1', undefined, t.tokens.manager)).body
      .entries;
    expect(voids[0]).toMatchObject({ orderId: whole.id, reason: 'walked out', staff: null });
    expect(voids[0].detail).toMatch(/voided whole/);
    const roles = await t.api('GET', '/api/v1/audit?action=roles.changed', undefined, t.tokens.manager);
    expect(roles.body.entries.length).toBeGreaterThanOrEqual(2);

    // The trail is events too: they stream and sync like every other.
    const events = t.hub.store.db
      .prepare("SELECT count(*) FROM events WHERE type = 'audit.recorded'")
      .pluck()
      .get() as number;
    const rows = t.hub.store.db.prepare('SELECT count(*) FROM audit').pluck().get() as number;
    expect(events).toBe(rows);
    expect((await t.api('GET', '/api/v1/audit')).status).toBe(403);
  });
});

describe('a hub upgraded from before staff reached the cloud', () => {
  it('announces its existing staff once, without PINs', async () => {
    const { dir, remove } = tempDir();
    try {
      let hub = await startHub({}, dir);
      await hub.api(
        'POST',
        '/api/v1/staff',
        { name: 'Old Tom', roleId: 'server', pin: '1357' },
        hub.tokens.manager,
      );
      await hub.hub.stop();
      // As a hub of the version before: staff rows, and no announcement made.
      const { Store } = await import('../hub/store/index.ts');
      const store = Store.open(`${dir}/hub.db`);
      store.db.prepare("DELETE FROM hub_meta WHERE key = 'staff-announced'").run();
      store.close();
      const count = (h: TestHub) =>
        h.hub.store.db
          .prepare("SELECT count(*) FROM events WHERE type = 'staff.updated'")
          .pluck()
          .get() as number;
      hub = await startHub({}, dir);
      expect(count(hub)).toBe(2); // the add, and the announcement
      const last = hub.hub.store.db
        .prepare("SELECT data FROM events WHERE type = 'staff.updated' ORDER BY seq DESC LIMIT 1")
        .pluck()
        .get() as string;
      expect(JSON.parse(last).staff).toMatchObject({ name: 'Old Tom', roleId: 'server' });
      expect(last).not.toMatch(/scrypt|pin/i);
      await hub.hub.stop();
      hub = await startHub({}, dir);
      expect(count(hub)).toBe(2); // once
      await hub.hub.stop();
    } finally {
      remove();
    }
  });
});
