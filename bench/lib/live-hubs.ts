/**
 * Simulated hubs for the cloud's live-ingest load. Each sends what a real hub sends on a busy
 * night: the events of real meals (captured once from a real hub, then copied with fresh ids),
 * in ingest_batch requests at the hub's own cadence (a batch after each linger, a heartbeat every
 * menu poll), through the real PostgREST, as the sync engine calls it.
 */
import { randomUUID } from 'node:crypto';
import { signIn, startHub } from '../../test/support/hub.ts';

export interface MealEvent {
  type: string;
  entityId: string;
  at: string;
  /** The event's data as JSON text, ids still the captured ones. */
  data: string;
}

/**
 * One table's meal on a real hub, as the events each command logged: a check for three with three
 * lines, a round, a void after firing, a cash payment with a tip. Returned as templates to copy.
 */
export async function captureMeal(): Promise<MealEvent[][]> {
  const t = await startHub();
  try {
    const api = (await signIn(t, 'Sam', 'server', '1111')).api;
    const post = async (path: string, body: unknown, token?: string) => {
      const res = await api('POST', path, body, token);
      if (res.status >= 300) throw new Error(`${path}: ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const commands: MealEvent[][] = [];
    let from = t.hub.store.events.headSeq();
    const logged = () => {
      commands.push(
        t.hub.store.events
          .after(from, 10_000)
          .map((e) => ({ type: e.type, entityId: e.entityId, at: e.at, data: e.data })),
      );
      from = t.hub.store.events.headSeq();
    };
    const check = await post('/api/v1/orders', {
      id: randomUUID(),
      tableId: 't4',
      guests: 3,
      lines: [
        { itemId: 'lager', qty: 2 },
        { itemId: 'classic-burger', qty: 1 },
        { itemId: 'veg-curry', qty: 1 },
      ],
    });
    logged();
    const more = await post(`/api/v1/orders/${check.id}/rounds`, {
      commandId: randomUUID(),
      lines: [{ itemId: 'brownie', qty: 2 }],
    });
    logged();
    await post(
      `/api/v1/orders/${check.id}/void-lines`,
      { commandId: randomUUID(), lineIds: [more.lines[2].id], reason: 'burnt' },
      t.tokens.manager,
    );
    logged();
    const due = (await api('GET', `/api/v1/orders/${check.id}`)).body.total;
    await post(`/api/v1/orders/${check.id}/payments`, {
      id: randomUUID(),
      method: 'cash',
      amount: due,
      tip: 300,
    });
    logged();
    return commands;
  } finally {
    await t.stop();
  }
}

const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** The meal again with fresh ids (each captured id maps to one new id) and times shifted to `at`. */
export function copyMeal(meal: MealEvent[], at: number): Array<Omit<MealEvent, 'data'> & { data: unknown }> {
  const ids = new Map<string, string>();
  const fresh = (id: string) => {
    if (!ids.has(id)) ids.set(id, randomUUID());
    return ids.get(id)!;
  };
  const shift = at - Date.parse(meal[0]!.at);
  const iso = /"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)"/g;
  const moved = (text: string) =>
    text
      .replace(uuid, fresh)
      .replace(iso, (_m, t: string) => `"${new Date(Date.parse(t) + shift).toISOString()}"`);
  return meal.map((e) => ({
    type: e.type,
    entityId: e.entityId.replace(uuid, fresh),
    at: new Date(Date.parse(e.at) + shift).toISOString(),
    data: JSON.parse(moved(e.data)),
  }));
}

export interface Cloud {
  url: string;
  anonKey: string;
}

/** One simulated hub: its credential, its log and how far the cloud holds it. */
export class SimulatedHub {
  private readonly log: Array<{ seq: number; type: string; entityId: string; at: string; data: unknown }> =
    [];
  /** Commands of meals under way, each logged when its time comes. */
  private readonly due: Array<{ at: number; events: ReturnType<typeof copyMeal> }> = [];
  private sent = 0;
  orders = 0;
  requests = 0;
  refusals: string[] = [];

  constructor(
    private readonly cloud: Cloud,
    readonly hubId: string,
    private readonly token: string,
  ) {}

  /** A table sits down: its meal's commands come one by one over `lasting` ms. */
  seat(meal: MealEvent[][], lasting: number): void {
    const now = Date.now();
    const copied = copyMeal(meal.flat(), now);
    let k = 0;
    meal.forEach((command, i) => {
      this.due.push({
        at: now + (lasting * i) / Math.max(1, meal.length - 1),
        events: copied.slice(k, k + command.length),
      });
      k += command.length;
    });
    this.orders++;
  }

  /** Logs the commands whose time has come (all of them with `everything`). */
  release(everything = false): void {
    const now = Date.now();
    this.due.sort((a, b) => a.at - b.at);
    while (this.due.length > 0 && (everything || this.due[0]!.at <= now))
      for (const e of this.due.shift()!.events) this.log.push({ seq: this.log.length + 1, ...e });
  }

  private async call(fn: string, body: unknown): Promise<unknown> {
    this.requests++;
    const res = await fetch(`${this.cloud.url}/rest/v1/rpc/${fn}`, {
      method: 'POST',
      headers: {
        apikey: this.cloud.anonKey,
        authorization: `Bearer ${this.token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) this.refusals.push(`${fn} ${res.status}: ${text.slice(0, 200)}`);
    return res.ok ? JSON.parse(text) : null;
  }

  /**
   * Sends what the cloud does not hold yet, in one batch (the linger's worth), starting `overlap`
   * events early: what a retry after a lost answer sends.
   */
  async push(overlap = 0): Promise<void> {
    if (this.sent === this.log.length) return;
    const batch = this.log.slice(Math.max(0, this.sent - overlap));
    const answer = (await this.call('ingest_batch', {
      p_hub_id: this.hubId,
      p_from_seq: batch[0]!.seq,
      p_to_seq: batch.at(-1)!.seq,
      p_events: batch,
    })) as { synced_seq: number } | null;
    if (answer) this.sent = answer.synced_seq;
  }

  /**
   * Restored from a backup: `n` of its checks are back as they were when first changed, and the
   * hub logs them again under new seqs (their older state is now the newest the cloud hears).
   */
  restore(n: number): void {
    const older = this.log.filter((e) => e.type === 'order.updated').slice(0, n);
    for (const e of older) this.log.push({ ...e, seq: this.log.length + 1 });
  }

  heartbeat(): Promise<unknown> {
    return this.call('hub_heartbeat', { p_hub_id: this.hubId });
  }

  get pending(): number {
    return this.log.length - this.sent + this.due.length;
  }
}
