import {
  type Discount,
  DiscountList,
  type FloorPlan,
  FloorPlan as FloorPlanSchema,
  type FloorTable,
  ServiceSettings,
} from '../../protocol/checks.ts';
import type { FieldError } from '../../protocol/errors.ts';
import { HubError } from '../errors.ts';
import type { GroupCommitter } from '../store/committer.ts';
import type { Store } from '../store/index.ts';

const keys = { floor: 'floor-plan', discounts: 'discounts', service: 'service' } as const;

/** Until a manager draws one: a small room so a new hub can seat a table at once. */
const starterFloor: FloorPlan = {
  areas: [
    {
      id: 'dining',
      name: 'Dining room',
      tables: Array.from({ length: 12 }, (_, i) => ({
        id: `t${i + 1}`,
        name: `${i + 1}`,
        seats: i < 8 ? 4 : 6,
        shape: i < 8 ? ('square' as const) : ('round' as const),
        x: (i % 4) * 3,
        y: Math.floor(i / 4) * 3,
      })),
    },
    {
      id: 'bar',
      name: 'Bar',
      tables: Array.from({ length: 6 }, (_, i) => ({
        id: `b${i + 1}`,
        name: `Bar ${i + 1}`,
        seats: 1,
        shape: 'stool' as const,
        x: i * 2,
        y: 0,
      })),
    },
  ],
};

// Who may apply each is a permission on the roles (`discount:<id>`, hub/store/migrations.ts).
const starterDiscounts: Discount[] = [
  {
    id: 'staff-meal',
    name: 'Staff meal 50 %',
    kind: 'percent',
    value: 5_000,
    scope: 'check',
  },
  { id: 'ten-percent', name: '10 % off', kind: 'percent', value: 1_000, scope: 'either' },
  {
    id: 'manager-5',
    name: '$5 off (manager)',
    kind: 'amount',
    value: 500,
    scope: 'either',
  },
];

/**
 * A manager's set-up of the service: the floor plan (areas and tables), the discounts servers may
 * apply, and service settings. Stored as documents; each change is an event so tills redraw.
 */
export class ServiceSetup {
  /** The documents as parsed, read once: the service settings are asked on every bump. */
  private readonly cache = new Map<string, unknown>();

  constructor(
    private readonly store: Store,
    private readonly committer: GroupCommitter,
  ) {}

  private read<T>(key: string, parse: (stored: unknown) => T): T {
    if (!this.cache.has(key)) this.cache.set(key, parse(this.store.settings.get(key)));
    return this.cache.get(key) as T;
  }

  floorPlan(): FloorPlan {
    return this.read(keys.floor, (stored) => (stored ? FloorPlanSchema.parse(stored) : starterFloor));
  }

  table(id: string): FloorTable {
    for (const area of this.floorPlan().areas) {
      const table = area.tables.find((t) => t.id === id);
      if (table) return table;
    }
    throw new HubError(
      'TABLE_NOT_FOUND',
      `No table "${id}" on the floor plan; pick one from the floor plan, or add it in the admin page.`,
      [{ field: 'tableId', message: `no table "${id}"` }],
    );
  }

  setFloorPlan(plan: FloorPlan): Promise<FloorPlan> {
    const errors: FieldError[] = [];
    const seen = new Set<string>();
    for (const [ai, a] of plan.areas.entries()) {
      for (const [ti, t] of a.tables.entries()) {
        if (seen.has(t.id))
          errors.push({
            field: `areas[${ai}].tables[${ti}].id`,
            message: `table id "${t.id}" is used twice`,
          });
        seen.add(t.id);
      }
    }
    if (errors.length > 0)
      throw new HubError(
        'VALIDATION_FAILED',
        `Invalid body: ${errors[0]!.field} ${errors[0]!.message}`,
        errors,
      );
    return this.put(keys.floor, plan);
  }

  discounts(): Discount[] {
    return this.read(keys.discounts, (stored) =>
      stored ? DiscountList.parse(stored).discounts : starterDiscounts,
    );
  }

  discount(id: string): Discount {
    const found = this.discounts().find((d) => d.id === id);
    if (!found) {
      const known = this.discounts().map((d) => d.id);
      throw new HubError(
        'DISCOUNT_NOT_FOUND',
        `No discount "${id}"; this hub has ${known.join(', ') || 'none'}.`,
        [{ field: 'discountId', message: `no discount "${id}"` }],
      );
    }
    return found;
  }

  setDiscounts(list: DiscountList): Promise<DiscountList> {
    const ids = list.discounts.map((d) => d.id);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice) {
      throw new HubError('VALIDATION_FAILED', `Invalid body: discount id "${twice}" is used twice.`, [
        { field: `discounts[${ids.lastIndexOf(twice)}].id`, message: 'is used twice' },
      ]);
    }
    return this.put(keys.discounts, list);
  }

  service(): ServiceSettings {
    return this.read(keys.service, (stored) => ServiceSettings.parse(stored ?? {}));
  }

  setService(settings: ServiceSettings): Promise<ServiceSettings> {
    return this.put(keys.service, settings, { dayStartsAt: settings.dayStartsAt });
  }

  /** Stores a document; `said` is what the change event tells beyond its key. */
  private put<T>(key: string, value: T, said: { dayStartsAt?: string } = {}): Promise<T> {
    return this.committer.run((ctx) => {
      this.store.settings.put(key, value, ctx.at);
      // Read again from the store next time (after the commit, or after a rollback alike).
      this.cache.delete(key);
      ctx.emit({ type: 'settings.changed', topic: 'orders', entityId: key, data: { key, ...said } });
      return value;
    });
  }
}
