import { z } from 'zod';
import { Slug } from './ids.ts';
import { FreeText, Name } from './text.ts';

/** Money is always an integer count of the currency's minor unit (cents), never a float. */
export const MinorUnits = z.int().min(0).max(100_000_000);
export const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code like USD');

export const TaxClass = z.strictObject({
  id: Slug,
  name: Name(80),
  /** 1 basis point = 0.01 %; 825 = 8.25 %. */
  rateBasisPoints: z.int().min(0).max(10_000),
  /** Inclusive taxes (VAT) are already in the price; exclusive ones (US sales tax) are added. */
  inclusive: z.boolean().default(false),
});
export type TaxClass = z.infer<typeof TaxClass>;

export const Station = z.strictObject({
  id: Slug,
  name: Name(80),
});
export type Station = z.infer<typeof Station>;

export const ModifierOption = z.strictObject({
  id: Slug,
  name: Name(80),
  priceDelta: z.int().min(-1_000_000).max(1_000_000).default(0),
  /** Chosen when a required group is left empty by the device (e.g. "medium" for a burger). */
  default: z.boolean().default(false),
  /** A side cooked elsewhere (fries with a steak): its own line on that station's ticket. */
  stationId: Slug.optional(),
});
export type ModifierOption = z.infer<typeof ModifierOption>;

export const ModifierGroup = z
  .strictObject({
    id: Slug,
    name: Name(80),
    minChoices: z.int().min(0).max(20).default(0),
    maxChoices: z.int().min(1).max(20).default(1),
    options: z.array(ModifierOption).min(1).max(50),
  })
  .refine((g) => g.minChoices <= g.maxChoices, {
    message: 'minChoices must not exceed maxChoices',
    path: ['minChoices'],
  });
export type ModifierGroup = z.infer<typeof ModifierGroup>;

/** A course of the meal (drinks, starters, mains, desserts): listed in the order they fire. */
export const Course = z.strictObject({ id: Slug, name: Name(40) });
export type Course = z.infer<typeof Course>;

export const Category = z.strictObject({
  id: Slug,
  name: Name(80),
  sort: z.int().default(0),
  /** The course its items are served in, unless an item says otherwise. */
  courseId: Slug.optional(),
});
export type Category = z.infer<typeof Category>;

export const MenuItem = z.strictObject({
  id: Slug,
  categoryId: Slug,
  name: Name(120),
  description: FreeText(1_000).default(''),
  price: MinorUnits,
  taxClassId: Slug,
  stationId: Slug,
  modifierGroupIds: z.array(Slug).max(20).default([]),
  sort: z.int().default(0),
  courseId: Slug.optional(),
});
export type MenuItem = z.infer<typeof MenuItem>;

/**
 * A whole menu as HQ publishes it. Hubs apply snapshots atomically and only forward in version
 * (invariant 1: HQ owns the menu; the hub owns availability, kept apart).
 */
export const MenuSnapshot = z.strictObject({
  /** 0 is the demo menu's: any version HQ publishes (1 and up) replaces it. */
  version: z.int().min(0),
  currency: Currency,
  taxClasses: z.array(TaxClass).min(1).max(50),
  stations: z.array(Station).min(1).max(50),
  categories: z.array(Category).min(1).max(200),
  /** The courses in firing order; empty for a counter that sends everything at once. */
  courses: z.array(Course).max(12).default([]),
  modifierGroups: z.array(ModifierGroup).max(2_000).default([]),
  items: z.array(MenuItem).min(1).max(5_000),
});
export type MenuSnapshot = z.infer<typeof MenuSnapshot>;
export type MenuSnapshotInput = z.input<typeof MenuSnapshot>;

/**
 * What one restaurant changes of its organisation's menu, for one item (HQ's menu_overrides
 * table): a price of its own, not sold here, or an item only it sells.
 */
export const MenuOverride = z
  .strictObject({
    itemId: Slug,
    /** Its own price, or null for the organisation's. */
    price: MinorUnits.nullable().default(null),
    removed: z.boolean().default(false),
    added: MenuItem.nullable().default(null),
  })
  .refine((o) => o.added === null || o.added.id === o.itemId, {
    message: 'an added item keeps the id it overrides',
    path: ['added', 'id'],
  });
export type MenuOverride = z.infer<typeof MenuOverride>;

/** What devices read: the snapshot plus the hub's own availability (86) flags. */
export const MenuView = MenuSnapshot.extend({
  unavailableItemIds: z.array(Slug),
});
export type MenuView = z.infer<typeof MenuView>;

export const AvailabilityBody = z.strictObject({ available: z.boolean() });
export type AvailabilityBody = z.infer<typeof AvailabilityBody>;
