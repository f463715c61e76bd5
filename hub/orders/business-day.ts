import { businessDateAt } from '../../rules/day.ts';
import type { Store } from '../store/index.ts';
import type { ServiceSetup } from './setup.ts';

/** Which business day a moment belongs to: the day boundary setting, and the last Z. */
export class BusinessDay {
  constructor(
    private readonly store: Store,
    private readonly setup: ServiceSetup,
  ) {}

  dateOf(at: string): string {
    return businessDateAt(at, this.setup.service().dayStartsAt, this.store.day.lastZ()?.businessDate ?? null);
  }
}
