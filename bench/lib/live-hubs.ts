/**
 * Simulated hubs for the cloud's live-ingest load. Each sends what a real hub sends on a busy
 * night: the events of real meals (captured once from a real hub, then copied with fresh ids),
 * in ingest_batch requests at the hub's own cadence (a batch after each linger, a heartbeat every
 * menu poll), through the real PostgREST, as the sync engine calls it.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { signCloudToken } from '../../sync/credential.ts';
import type { TestCloud } from '../../test/support/cloud.ts';
import { signIn, startHub } from '../../test/support/hub.ts';

/** The live load: this many hubs, for this long, at this many checks an hour each. */
export interface LiveLoad {
  hubs: number;
  minutes: number;
  rate: number;
}

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

/** CPU seconds each process of a name has used so far (PostgreSQL's, PostgREST), by pid. */
function cpuByPid(command: string): Map<number, number> {
  const used = new Map<number, number>();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (comm !== command) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      used.set(Number(pid), (Number(fields[11]) + Number(fields[12])) / 100); // utime + stime, USER_HZ
    } catch {
      // gone between listing and reading
    }
  }
  return used;
}

/** CPU seconds used between two samples by the pids chosen (all when none are given). */
function cpuBetween(before: Map<number, number>, after: Map<number, number>, pids?: number[]): number {
  let sum = 0;
  for (const [pid, s] of after) if (!pids || pids.includes(pid)) sum += s - (before.get(pid) ?? 0);
  return sum;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * K hubs on a busy night for `minutes`: tables sit down at `rate` an hour, each meal's four
 * commands (check, round, void, payment) come over a third of the run, and each hub sends a batch
 * after its 2-second linger and a heartbeat every 30 s. One batch in 20 overlaps what the cloud holds (a lost answer's retry), and
 * halfway one hub in ten is restored: it sends older states of some of its checks again, as a hub
 * restored from a backup does.
 */
export async function liveIngest(cloud: TestCloud, scale: LiveLoad, meal: MealEvent[][]) {
  const [org] = (await cloud.db.query<{ id: string }>(
    `insert into organisations (id, name) values (gen_random_uuid(), 'Live ingest ' || now()) returning id`,
  )) as [{ id: string }];
  const made = await cloud.db.query<{ restaurant_id: string; hub_id: string }>(
    `with r as (insert into restaurants (id, organisation_id, name, timezone)
                select gen_random_uuid(), $1, 'Live ' || n, 'Europe/London' from generate_series(1, $2) n returning id)
     insert into hubs (id, restaurant_id) select gen_random_uuid(), id from r returning restaurant_id, id as hub_id`,
    [org.id, scale.hubs],
  );
  const hubs = await Promise.all(
    made.map(
      async (m) =>
        new SimulatedHub(
          cloud,
          m.hub_id,
          await signCloudToken(
            { role: 'authenticated', grow_role: 'hub', hub_id: m.hub_id, restaurant_id: m.restaurant_id },
            cloud.jwtSecret,
          ),
        ),
    ),
  );
  const timingsFrom = cloud.stats.ingests.length;
  const pg0 = cpuByPid('postgres');
  const rest0 = cpuByPid('postgrest');
  const self0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + scale.minutes * 60_000;
  const perMs = scale.rate / 3_600_000;
  await Promise.all(
    hubs.map(async (h, i) => {
      let last = performance.now();
      let credit = Math.random(); // hubs out of step, as in life
      let nextBeat = last + Math.random() * 30_000;
      let restored = i % 10 !== 0;
      await sleep(Math.random() * 2_000);
      while (performance.now() < end) {
        const now = performance.now();
        credit += (now - last) * perMs;
        last = now;
        for (; credit >= 1; credit--) h.seat(meal, (end - t0) / 3);
        h.release();
        if (!restored && now > t0 + (end - t0) / 2) {
          h.restore(3);
          restored = true;
        }
        await h.push(Math.random() < 0.05 ? 5 : 0);
        if (now > nextBeat) {
          await h.heartbeat();
          nextBeat = now + 30_000;
        }
        await sleep(1_800 + Math.random() * 400);
      }
      h.release(true);
      while (h.pending > 0) await h.push(0);
    }),
  );
  const seconds = (performance.now() - t0) / 1_000;
  const pg1 = cpuByPid('postgres');
  const rest1 = cpuByPid('postgrest');
  const self = process.cpuUsage(self0);
  // PostgREST's pool: the backends that ran the calls, apart from the server's own background work.
  const serving = (
    await cloud.db.query<{ pid: number }>(
      `select pid from pg_stat_activity where usename = 'authenticator' and datname = current_database()`,
    )
  ).map((r) => r.pid);
  const orders = hubs.reduce((s, h) => s + h.orders, 0);
  const refusals = hubs.flatMap((h) => h.refusals);
  if (refusals.length > 0) throw new Error(`the cloud refused ${refusals.length} calls, e.g. ${refusals[0]}`);
  // Latency of the busy night itself: the last drain, when every hub sends what its tables have
  // left at once, is a burst no night has.
  const ingests = cloud.stats.ingests
    .slice(timingsFrom)
    .filter((t) => t.started < end)
    .map((t) => t.answered - t.started);
  const events = await cloud.db.query<{ n: string }>(
    'select count(*) as n from hub_events e join hubs h on h.id = e.hub_id and h.restaurant_id = e.restaurant_id join restaurants r on r.id = h.restaurant_id where r.organisation_id = $1',
    [org.id],
  );
  return {
    organisationId: org.id,
    restaurants: made.map((m) => m.restaurant_id),
    seconds,
    orders,
    events: Number(events[0]!.n),
    requests: hubs.reduce((s, h) => s + h.requests, 0),
    ingests,
    batches: cloud.stats.ingests.length - timingsFrom,
    backendCpu: cpuBetween(pg0, pg1, serving),
    postgresCpu: cpuBetween(pg0, pg1),
    postgrestCpu: cpuBetween(rest0, rest1),
    /** This process: the simulated hubs and the test cloud's proxy, on the same two cores. */
    loadCores: (self.user + self.system) / 1e6 / seconds,
  };
}
