import { WebSocket } from 'ws';
import { eventWire } from '../../protocol/events.ts';
import type { OrderService } from '../orders/service.ts';
import type { Store } from '../store/index.ts';
import type { Client, Fanout } from './fanout.ts';

const replayPage = 500;

/** A device too far behind (or ahead, after a restore) gets the current state instead of a replay. */
export function needsSnapshot(since: number, headSeq: number, maxReplayEvents: number): boolean {
  return since > headSeq || headSeq - since > maxReplayEvents;
}

/**
 * Bringing a socket up to date (invariant 5): replay the log after its `since` from SQLite in
 * pages, waiting for each to drain, then go live in the same tick as the last read, so no
 * committed event can fall between replay and live. A device too far behind (or ahead, after a
 * restore) gets a snapshot of the current state first.
 */
export class Replay {
  constructor(
    private readonly store: Store,
    private readonly orders: OrderService,
    private readonly fanout: Fanout,
    private readonly maxReplayEvents: number,
  ) {}

  async catchUp(client: Client, headSeq: number): Promise<void> {
    if (needsSnapshot(client.lastSeq, headSeq, this.maxReplayEvents)) this.snapshot(client, headSeq);
    const topics = client.topics ? [...client.topics] : null;
    for (;;) {
      if (client.ws.readyState !== WebSocket.OPEN) return;
      const rows = this.store.events.after(client.lastSeq, replayPage, topics);
      for (const e of rows) this.fanout.send(client, eventWire(e));
      if (rows.length > 0) client.lastSeq = rows.at(-1)!.seq;
      if (rows.length < replayPage) {
        client.live = true;
        this.fanout.send(client, JSON.stringify({ type: 'caught_up', headSeq: client.lastSeq }));
        return;
      }
      await flushed(client.ws);
    }
  }

  private snapshot(client: Client, headSeq: number): void {
    const stations = client.topics
      ? [...client.topics].filter((t) => t.startsWith('station:')).map((t) => t.slice('station:'.length))
      : null;
    const tickets = stations
      ? stations.flatMap((station) => this.orders.tickets({ station, limit: 500 }))
      : this.orders.tickets({ limit: 500 });
    const orders = stations ? [] : this.orders.active(500);
    this.fanout.send(client, JSON.stringify({ type: 'snapshot', seq: headSeq, orders, tickets }));
    client.lastSeq = headSeq;
  }
}

/** Resolves when everything queued so far has been handed to the kernel: frames go out in order,
 * so a ping's write callback fires after the replay page before it. */
function flushed(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    if (ws.readyState !== WebSocket.OPEN) return resolve();
    ws.ping(undefined, undefined, () => resolve());
  });
}
