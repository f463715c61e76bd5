import { createRequire } from 'node:module';
import type { SupabaseClient } from '@supabase/supabase-js';
import { WebSocket } from 'ws';
import { eventWire } from '../protocol/events.ts';
import { type EventBatch, IngestAck } from '../protocol/sync.ts';
import type { CloudFailure } from './classify.ts';

export type CloudResult<T> = { ok: true; value: T } | { ok: false; failure: CloudFailure };

export interface PublishedMenu {
  version: number;
  body: unknown;
}

/** The cloud as the sync engine sees it: three RPCs, each bounded by a timeout. */
/** What a primary of a pair of hubs tells the cloud about itself (HQ shows it per hub). */
export interface PairReport {
  box: string;
  epoch: number;
  standby: { state: string; box: string | null };
}

export interface CloudClient {
  ingest(hubId: string, batch: EventBatch): Promise<CloudResult<IngestAck>>;
  menuSince(version: number): Promise<CloudResult<PublishedMenu | null>>;
  /** Alive; with `pair`, which box of a pair is primary and how its standby stands. */
  heartbeat(hubId: string, pair?: PairReport | null): Promise<CloudResult<unknown>>;
  /** Offers the hub's current menu; kept as version 1 only where HQ has none (null: not kept). */
  offerMenu(hubId: string, body: unknown): Promise<CloudResult<number | null>>;
}

export interface SupabaseCloudOptions {
  /** The project URL, e.g. https://xyz.supabase.co (supabase-js adds /rest/v1). */
  url: string;
  anonKey: string;
  /** The hub's credential: a JWT with grow_role=hub, hub_id and restaurant_id claims. */
  hubToken: string;
  timeoutMs: number;
}

interface RpcAnswer {
  data: unknown;
  error: { message: string; code?: string; details?: string | null } | null;
  status: number;
}

/** supabase-js, unmodified, with the hub's JWT as the Authorization for every call. */
export function supabaseCloud(options: SupabaseCloudOptions): CloudClient {
  // Required on first use: a standalone hub (no cloud configured) never loads supabase-js.
  const { createClient } = createRequire(import.meta.url)(
    '@supabase/supabase-js',
  ) as typeof import('@supabase/supabase-js');
  // A batch's events go as the JSON text the hub stored them as: supabase-js serialises the call's
  // arguments with a placeholder string for them, and this fetch splices the text in. Parsing and
  // re-serialising 4 MB of events per batch was 30-45 ms of the hub's event loop each (bench).
  const rawBodies = new Map<string, string>();
  let nextRaw = 0;
  const fetchWithRaw: typeof fetch = (input, init) => {
    let body = init?.body;
    if (typeof body === 'string') {
      for (const [placeholder, raw] of rawBodies) {
        if (body.includes(placeholder)) body = body.replace(`"${placeholder}"`, () => raw);
      }
    }
    return fetch(input, { ...init, body });
  };
  const client: SupabaseClient = createClient(options.url, options.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    global: { headers: { Authorization: `Bearer ${options.hubToken}` }, fetch: fetchWithRaw },
    realtime: { transport: WebSocket as never },
  });
  const call = async <T>(
    fn: string,
    args: Record<string, unknown>,
    read: (data: unknown) => T,
  ): Promise<CloudResult<T>> => {
    let answer: RpcAnswer;
    try {
      answer = (await client.rpc(fn, args).abortSignal(AbortSignal.timeout(options.timeoutMs))) as RpcAnswer;
    } catch (err) {
      return { ok: false, failure: { status: 0, message: `${fn}: ${(err as Error).message}` } };
    }
    if (answer.error) {
      return {
        ok: false,
        failure: {
          status: answer.status ?? 0,
          code: answer.error.code,
          message: `${fn}: ${answer.error.message}`,
          details: answer.error.details ?? null,
        },
      };
    }
    try {
      return { ok: true, value: read(answer.data) };
    } catch (err) {
      return {
        ok: false,
        failure: { status: 502, message: `${fn}: unexpected answer: ${(err as Error).message}` },
      };
    }
  };
  return {
    ingest: async (hubId, batch) => {
      // The other arguments are a uuid and numbers: this string cannot occur in them.
      const placeholder = `grow-raw-events-${nextRaw++}`;
      rawBodies.set(placeholder, `[${batch.events.map(eventWire).join(',')}]`);
      try {
        return await call(
          'ingest_batch',
          { p_hub_id: hubId, p_from_seq: batch.fromSeq, p_to_seq: batch.toSeq, p_events: placeholder },
          (data) => IngestAck.parse(data),
        );
      } finally {
        rawBodies.delete(placeholder);
      }
    },
    menuSince: (version) =>
      call('menu_since', { p_version: version }, (data) => {
        const rows = data as PublishedMenu[] | null;
        return rows && rows.length > 0 ? { version: rows[0]!.version, body: rows[0]!.body } : null;
      }),
    heartbeat: (hubId, pair) =>
      call('hub_heartbeat', pair ? { p_hub_id: hubId, p_pair: pair } : { p_hub_id: hubId }, (data) => data),
    offerMenu: (hubId, body) =>
      call('hub_offer_menu', { p_hub_id: hubId, p_body: body }, (data) => (data as number | null) ?? null),
  };
}
