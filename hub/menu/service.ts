import { createHash } from 'node:crypto';
import type { MenuSnapshot } from '../../protocol/menu.ts';
import { Catalog, validateSnapshot } from '../../rules/catalog.ts';
import { HubError } from '../errors.ts';
import type { GroupCommitter } from '../store/committer.ts';
import type { Store } from '../store/index.ts';

export interface MenuJson {
  body: string;
  etag: string;
}

/**
 * Owns the applied menu and the 86 flags. The in-memory Catalog changes inside the same command
 * that writes SQLite, so an order committed after a menu change is priced by the new menu.
 */
export class MenuService {
  private current: Catalog | null;
  /** The serialised menu, one entry, rebuilt on change: menu reads cost a buffer copy. */
  private json: MenuJson | null = null;

  constructor(
    private readonly store: Store,
    private readonly committer: GroupCommitter,
  ) {
    this.current = this.load();
  }

  catalog(): Catalog | null {
    return this.current;
  }

  /** The catalog, or a clear error for devices when the hub has no menu yet. */
  requireCatalog(): Catalog {
    if (!this.current) {
      throw new HubError(
        'MENU_EMPTY',
        'No menu has been applied. Start the hub with --demo or PUT a menu snapshot.',
      );
    }
    return this.current;
  }

  menuJson(): MenuJson {
    const catalog = this.requireCatalog();
    if (!this.json) {
      const body = JSON.stringify(catalog.view());
      this.json = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    }
    return this.json;
  }

  /** Apply a whole snapshot; only forward in version. Re-applying the same version is a no-op. */
  async apply(snapshot: MenuSnapshot): Promise<{ applied: boolean; version: number }> {
    const errors = validateSnapshot(snapshot);
    if (errors.length > 0)
      throw new HubError('MENU_INVALID', `The snapshot has ${errors.length} problem(s).`, errors);
    try {
      return await this.committer.run((ctx) => {
        const latest = this.current?.version ?? -1;
        if (
          snapshot.version === latest &&
          JSON.stringify(this.current?.snapshot) === JSON.stringify(snapshot)
        ) {
          return { applied: false, version: latest };
        }
        if (snapshot.version <= latest) {
          throw new HubError(
            'MENU_VERSION_STALE',
            `Version ${snapshot.version} is not newer than the applied version ${latest}.`,
          );
        }
        this.store.menu.saveSnapshot(snapshot, ctx.at);
        ctx.emit({
          type: 'menu.applied',
          topic: 'menu',
          entityId: `menu:${snapshot.version}`,
          data: { version: snapshot.version, itemCount: snapshot.items.length },
        });
        this.swap(
          new Catalog(snapshot, this.current?.unavailable ?? new Set(this.store.menu.unavailableItemIds())),
        );
        return { applied: true, version: snapshot.version };
      });
    } catch (error) {
      this.resync(error);
      throw error;
    }
  }

  /** 86 an item (available=false) or bring it back. Unchanged flags write nothing. */
  async setAvailability(itemId: string, available: boolean): Promise<{ itemId: string; available: boolean }> {
    try {
      return await this.committer.run((ctx) => {
        const catalog = this.requireCatalog();
        if (!catalog.items.has(itemId)) throw new HubError('ITEM_NOT_FOUND', `No menu item "${itemId}".`);
        if (catalog.unavailable.has(itemId) === !available) return { itemId, available };
        this.store.menu.setAvailability(itemId, available, ctx.at);
        ctx.emit({
          type: 'item.availability_changed',
          topic: 'menu',
          entityId: itemId,
          data: { itemId, available },
        });
        const next = new Set(catalog.unavailable);
        if (available) next.delete(itemId);
        else next.add(itemId);
        this.swap(catalog.withAvailability(next));
        return { itemId, available };
      });
    } catch (error) {
      this.resync(error);
      throw error;
    }
  }

  private swap(next: Catalog): void {
    this.current = next;
    this.json = null;
  }

  private load(): Catalog | null {
    const snapshot = this.store.menu.latestSnapshot();
    return snapshot ? new Catalog(snapshot, new Set(this.store.menu.unavailableItemIds())) : null;
  }

  /** A failed COMMIT undid the write after memory changed: reread what is really on disk. */
  private resync(error: unknown): void {
    if (error instanceof HubError) return;
    this.current = this.load();
    this.json = null;
  }
}
