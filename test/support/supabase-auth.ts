/**
 * A stand-in for Supabase Auth (GoTrue), which cannot be installed on the test machines (it ships
 * as a Go binary or a Docker image, neither reachable here). Like the Stripe emulator, it speaks
 * the real service's HTTP API, the part supabase-js calls, unmodified: sign-in with a password,
 * refresh-token rotation, the current user, sign-out, and the admin API the operator's CLI uses
 * (create, invite, list users). What matters for Grow is real: before it signs an access token it
 * calls `public.custom_access_token_hook` in the cloud's PostgreSQL as `supabase_auth_admin`, as
 * Supabase Auth does, so the claims HQ gets are the hook's.
 */
import { randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { jwtVerify, SignJWT } from 'jose';
import pg from 'pg';

interface User {
  id: string;
  email: string;
  /** scrypt salt and hash; null until an invited user sets a password. */
  password: { salt: Buffer; hash: Buffer } | null;
  createdAt: string;
  invitedAt: string | null;
}

export interface TestAuth {
  /** Where it listens; the gateway forwards `/auth/v1/…` here. */
  url: string;
  /** How long access tokens live (seconds); tests shorten it to see refreshes. */
  accessTokenSeconds: number;
  /** Every grant served, in order ('password', 'refresh_token'), for assertions. */
  grants: string[];
  /** Ends every session of a user (their refresh tokens stop working), as signing out everywhere does. */
  endSessions(email: string): void;
  stop(): Promise<void>;
}

const hash = (password: string, salt: Buffer) => scryptSync(password, salt, 32);

export async function startAuth(options: {
  /** A superuser's connection string to the cloud database; null runs the hook in `query` as is. */
  databaseUrl: string | null;
  query: (sql: string, params?: unknown[]) => Promise<Record<string, unknown>[]>;
  jwtSecret: string;
  port?: number;
}): Promise<TestAuth> {
  const secret = new TextEncoder().encode(options.jwtSecret);
  const users = new Map<string, User>();
  /** refresh token → the user and session it continues. */
  const refreshTokens = new Map<string, { userId: string; sessionId: string }>();
  const grants: string[] = [];
  const db = options.databaseUrl ? new pg.Client({ connectionString: options.databaseUrl }) : null;
  await db?.connect();
  // One hook call at a time on the auth connection: each is a transaction of its own.
  let queue: Promise<unknown> = Promise.resolve();

  /** The hook, run as Supabase Auth runs it: as supabase_auth_admin, in a transaction of its own. */
  const hook = (event: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const run = async () => {
      if (!db) {
        const [row] = await options.query('select public.custom_access_token_hook($1::jsonb) as event', [
          JSON.stringify(event),
        ]);
        return (row!.event as { claims: Record<string, unknown> }).claims;
      }
      await db.query('begin');
      try {
        await db.query('set local role supabase_auth_admin');
        const { rows } = await db.query('select public.custom_access_token_hook($1::jsonb) as event', [
          JSON.stringify(event),
        ]);
        await db.query('commit');
        return (rows[0].event as { claims: Record<string, unknown> }).claims;
      } catch (err) {
        await db.query('rollback');
        throw err;
      }
    };
    const next = queue.then(run, run);
    queue = next.catch(() => {});
    return next;
  };

  const userJson = (u: User) => ({
    id: u.id,
    aud: 'authenticated',
    role: 'authenticated',
    email: u.email,
    email_confirmed_at: u.password ? u.createdAt : null,
    invited_at: u.invitedAt,
    phone: '',
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: {},
    identities: [],
    created_at: u.createdAt,
    updated_at: u.createdAt,
    is_anonymous: false,
  });

  const session = async (u: User, method: 'password' | 'token_refresh', sessionId: string) => {
    const now = Math.floor(Date.now() / 1000);
    const expiresAt = now + auth.accessTokenSeconds;
    const claims = await hook({
      user_id: u.id,
      authentication_method: method,
      claims: {
        aud: 'authenticated',
        exp: expiresAt,
        iat: now,
        iss: `${auth.url}/auth/v1`,
        sub: u.id,
        email: u.email,
        phone: '',
        app_metadata: { provider: 'email', providers: ['email'] },
        user_metadata: {},
        role: 'authenticated',
        aal: 'aal1',
        amr: [{ method: 'password', timestamp: now }],
        session_id: sessionId,
        is_anonymous: false,
      },
    });
    const refresh = randomBytes(16).toString('hex');
    refreshTokens.set(refresh, { userId: u.id, sessionId });
    return {
      access_token: await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret),
      token_type: 'bearer',
      expires_in: auth.accessTokenSeconds,
      expires_at: expiresAt,
      refresh_token: refresh,
      user: userJson(u),
    };
  };

  const bearer = async (req: IncomingMessage) => {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /i, '');
    try {
      return (await jwtVerify(token, secret)).payload;
    } catch {
      return null;
    }
  };

  const create = (email: string, password: string | null): User | null => {
    if ([...users.values()].some((u) => u.email === email.toLowerCase())) return null;
    const salt = randomBytes(16);
    const u: User = {
      id: randomUUID(),
      email: email.toLowerCase(),
      password: password === null ? null : { salt, hash: hash(password, salt) },
      createdAt: new Date().toISOString(),
      invitedAt: password === null ? new Date().toISOString() : null,
    };
    users.set(u.id, u);
    return u;
  };

  const handle = async (req: IncomingMessage, body: Record<string, unknown>) => {
    const url = new URL(req.url ?? '/', 'http://auth');
    const route = `${req.method} ${url.pathname}`;
    const fail = (status: number, code: string, message: string) => ({ status, body: { code, message } });
    if (route === 'POST /token') {
      const grant = url.searchParams.get('grant_type') ?? '';
      grants.push(grant);
      if (grant === 'password') {
        const u = [...users.values()].find((x) => x.email === String(body.email ?? '').toLowerCase());
        const ok =
          u?.password && timingSafeEqual(hash(String(body.password ?? ''), u.password.salt), u.password.hash);
        if (!u || !ok) return fail(400, 'invalid_credentials', 'Invalid login credentials');
        return { status: 200, body: await session(u, 'password', randomUUID()) };
      }
      if (grant === 'refresh_token') {
        const held = refreshTokens.get(String(body.refresh_token ?? ''));
        if (!held)
          return fail(400, 'refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found');
        refreshTokens.delete(String(body.refresh_token)); // rotation: each refresh token is used once
        return { status: 200, body: await session(users.get(held.userId)!, 'token_refresh', held.sessionId) };
      }
      return fail(400, 'validation_failed', `unsupported grant_type ${grant}`);
    }
    const caller = await bearer(req);
    if (route === 'GET /user') {
      const u = caller && users.get(String(caller.sub));
      return u ? { status: 200, body: userJson(u) } : fail(401, 'bad_jwt', 'invalid JWT');
    }
    if (route === 'POST /logout') {
      for (const [token, held] of refreshTokens)
        if (held.sessionId === caller?.session_id) refreshTokens.delete(token);
      return { status: 204, body: null };
    }
    // The admin API: the service role only.
    if (caller?.role !== 'service_role') return fail(403, 'not_admin', 'User not allowed');
    if (route === 'POST /admin/users' || route === 'POST /invite') {
      const email = String(body.email ?? '');
      if (!/^[^@\s]+@[^@\s]+$/.test(email))
        return fail(400, 'validation_failed', 'Unable to validate email address: invalid format');
      const u = create(email, route === 'POST /invite' ? null : String(body.password ?? ''));
      if (!u) return fail(422, 'email_exists', 'A user with this email address has already been registered');
      return { status: 200, body: userJson(u) };
    }
    if (route === 'GET /admin/users') {
      const page = Number(url.searchParams.get('page') ?? 1);
      const perPage = Number(url.searchParams.get('per_page') ?? 50);
      const all = [...users.values()];
      return {
        status: 200,
        body: { aud: 'authenticated', users: all.slice((page - 1) * perPage, page * perPage).map(userJson) },
        headers: { 'x-total-count': String(all.length) },
      };
    }
    return fail(404, 'not_found', `no route ${route}`);
  };

  const server = createServer((req, res: ServerResponse) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      let body: Record<string, unknown> = {};
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        body = {};
      }
      handle(req, body)
        .then((r: { status: number; body: unknown; headers?: Record<string, string> }) => {
          res.writeHead(r.status, {
            'content-type': 'application/json',
            'x-supabase-api-version': '2024-01-01',
            ...r.headers,
          });
          res.end(r.body === null ? undefined : JSON.stringify(r.body));
        })
        .catch((err: Error) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ code: 'unexpected_failure', message: err.message }));
        });
    });
  });
  await new Promise<void>((r) => server.listen(options.port ?? 0, '127.0.0.1', r));
  const auth: TestAuth = {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    accessTokenSeconds: 3600,
    grants,
    endSessions: (email) => {
      const u = [...users.values()].find((x) => x.email === email.toLowerCase());
      for (const [token, held] of refreshTokens) if (held.userId === u?.id) refreshTokens.delete(token);
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await db?.end();
    },
  };
  return auth;
}
