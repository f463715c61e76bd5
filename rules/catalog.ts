import type { FieldError } from '../protocol/errors.ts';
import type {
  MenuItem,
  MenuSnapshot,
  MenuView,
  ModifierGroup,
  ModifierOption,
  TaxClass,
} from '../protocol/menu.ts';

/**
 * The applied menu, indexed for pricing. Built once per snapshot (bounded by the snapshot's own
 * limits: 5,000 items), never per request.
 */
export class Catalog {
  readonly items = new Map<string, MenuItem>();
  readonly groups = new Map<string, ModifierGroup>();
  readonly options = new Map<string, { option: ModifierOption; group: ModifierGroup }>();
  readonly taxClasses = new Map<string, TaxClass>();
  readonly stations = new Set<string>();
  /** Course id → its place in the firing order (0 first). */
  readonly courseOrder = new Map<string, number>();
  private readonly categoryCourse = new Map<string, string>();

  constructor(
    readonly snapshot: MenuSnapshot,
    readonly unavailable: ReadonlySet<string>,
  ) {
    for (const t of snapshot.taxClasses) this.taxClasses.set(t.id, t);
    for (const s of snapshot.stations) this.stations.add(s.id);
    for (const [i, c] of snapshot.courses.entries()) this.courseOrder.set(c.id, i);
    for (const c of snapshot.categories) if (c.courseId) this.categoryCourse.set(c.id, c.courseId);
    for (const g of snapshot.modifierGroups) {
      this.groups.set(g.id, g);
      for (const o of g.options) this.options.set(o.id, { option: o, group: g });
    }
    for (const i of snapshot.items) this.items.set(i.id, i);
  }

  /** The course an item is served in: its own, else its category's, else none (fires at once). */
  courseOf(item: MenuItem): string | null {
    return item.courseId ?? this.categoryCourse.get(item.categoryId) ?? null;
  }

  get version(): number {
    return this.snapshot.version;
  }

  withAvailability(unavailable: ReadonlySet<string>): Catalog {
    return new Catalog(this.snapshot, unavailable);
  }

  view(): MenuView {
    return {
      ...this.snapshot,
      unavailableItemIds: [...this.unavailable].filter((id) => this.items.has(id)).sort(),
    };
  }
}

/** Referential checks zod cannot express: ids unique, every reference resolves. */
export function validateSnapshot(s: MenuSnapshot): FieldError[] {
  const errors: FieldError[] = [];
  const unique = (list: { id: string }[], field: string) => {
    const seen = new Set<string>();
    list.forEach((x, i) => {
      if (seen.has(x.id)) errors.push({ field: `${field}[${i}].id`, message: `duplicate id "${x.id}"` });
      seen.add(x.id);
    });
    return seen;
  };
  const taxes = unique(s.taxClasses, 'taxClasses');
  const stations = unique(s.stations, 'stations');
  const categories = unique(s.categories, 'categories');
  const groups = unique(s.modifierGroups, 'modifierGroups');
  const courses = unique(s.courses, 'courses');
  unique(s.items, 'items');
  s.categories.forEach((c, i) => {
    if (c.courseId !== undefined && !courses.has(c.courseId))
      errors.push({ field: `categories[${i}].courseId`, message: `unknown course "${c.courseId}"` });
  });
  const optionIds = new Set<string>();
  s.modifierGroups.forEach((g, gi) => {
    g.options.forEach((o, oi) => {
      if (optionIds.has(o.id)) {
        errors.push({
          field: `modifierGroups[${gi}].options[${oi}].id`,
          message: `option id "${o.id}" is used twice`,
        });
      }
      optionIds.add(o.id);
      if (o.stationId !== undefined && !stations.has(o.stationId)) {
        errors.push({
          field: `modifierGroups[${gi}].options[${oi}].stationId`,
          message: `unknown station "${o.stationId}"`,
        });
      }
    });
    if (g.maxChoices > g.options.length) {
      errors.push({
        field: `modifierGroups[${gi}].maxChoices`,
        message: 'is more than the number of options',
      });
    }
  });
  s.items.forEach((item, i) => {
    const ref = (ok: boolean, field: string, what: string, id: string) => {
      if (!ok) errors.push({ field: `items[${i}].${field}`, message: `unknown ${what} "${id}"` });
    };
    ref(categories.has(item.categoryId), 'categoryId', 'category', item.categoryId);
    ref(taxes.has(item.taxClassId), 'taxClassId', 'tax class', item.taxClassId);
    ref(stations.has(item.stationId), 'stationId', 'station', item.stationId);
    if (item.courseId !== undefined) ref(courses.has(item.courseId), 'courseId', 'course', item.courseId);
    for (const [gi, g] of item.modifierGroupIds.entries()) {
      ref(groups.has(g), `modifierGroupIds[${gi}]`, 'modifier group', g);
    }
  });
  return errors;
}
