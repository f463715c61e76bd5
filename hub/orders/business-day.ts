import { businessDateAt } from '../../rules/day.ts';
import type { Store } from '../store/index.ts';
import type { ServiceSetup } from './setup.ts';

/** Which business day a moment belongs to: the day boundary setting, and the last Z. */
export class BusinessDay {
  /** The day the last Z closed, read once: every order asks (undefined: not read yet). */
  private lastClosed: string | null | undefined;

  constructor(
    private readonly store: Store,
    private readonly setup: ServiceSetup,
  ) {}

  dateOf(at: string): string {
    if (this.lastClosed === undefined) this.lastClosed = this.store.day.lastZ()?.businessDate ?? null;
    return businessDateAt(at, this.setup.service().dayStartsAt, this.lastClosed);
  }

  /** A Z was written (or rolled back): read the last closed day again. */
  forget(): void {
    this.lastClosed = undefined;
  }
}
