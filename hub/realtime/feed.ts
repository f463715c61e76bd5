import type { StoredEvent } from '../../protocol/events.ts';

export type FeedListener = (events: readonly StoredEvent[]) => void;

/** Committed events, in seq order, to whoever listens (the realtime gateway, later the sync engine). */
export class EventFeed {
  private readonly listeners = new Set<FeedListener>();

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(events: readonly StoredEvent[]): void {
    for (const l of this.listeners) l(events);
  }
}
