/**
 * The cloud's front door on a self-hosted cloud, what Supabase's own gateway does on a hosted
 * project: one origin where supabase-js finds PostgREST under `/rest/v1` and Supabase Auth under
 * `/auth/v1`, and where HQ's dashboard is served (`/hq/`, with `/hq/config.json` telling it the
 * anon key, so an HQ user only types an email and a password). `grow-hub cloud gateway` runs it;
 * put TLS in front (Caddy, nginx) or behind a load balancer that ends it.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';

export interface GatewayOptions {
  host: string;
  port: number;
  /** PostgREST: `http://127.0.0.1:3000`, or `unix:/path/to/postgrest.sock`. */
  rest: string;
  /** Supabase Auth (GoTrue), e.g. `http://127.0.0.1:9999`; absent, sign-in answers why not. */
  auth?: string;
  /** HQ's built dashboard (`npm run build:hq` writes hq/dist); absent, /hq/ is not served. */
  hqDir?: string;
  /** The anon key HQ's sign-in page should use (sent as /hq/config.json). */
  anonKey?: string;
}

export interface Gateway {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Where an upstream is: a TCP address or a unix socket. */
function target(upstream: string): { host?: string; port?: number; socketPath?: string } {
  if (upstream.startsWith('unix:')) return { socketPath: upstream.slice('unix:'.length) };
  const u = new URL(upstream);
  return { host: u.hostname, port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
}

function problem(res: ServerResponse, status: number, title: string, detail: string, code: string): void {
  // Shaped for both readers: problem+json fields, and the `code`/`message` that supabase-js's auth
  // client reads from Supabase Auth's errors.
  res.writeHead(status, {
    'content-type': 'application/problem+json',
    'x-supabase-api-version': '2024-01-01',
  });
  res.end(JSON.stringify({ type: 'about:blank', title, status, detail, code, message: detail }));
}

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: string,
  path: string,
  name: string,
): void {
  const out = request({ ...target(upstream), path, method: req.method, headers: req.headers }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  out.on('error', (err) => {
    if (res.headersSent) return res.destroy();
    problem(
      res,
      502,
      `${name} did not answer`,
      `the gateway could not reach ${name} at ${upstream} (${err.message}): check that it runs`,
      'upstream_unreachable',
    );
  });
  req.pipe(out);
}

function serveFile(req: IncomingMessage, res: ServerResponse, dir: string, path: string) {
  const root = resolve(dir);
  const file = normalize(join(root, decodeURIComponent(path)));
  const wanted =
    file.startsWith(root) && existsSync(file) && statSync(file).isDirectory()
      ? join(file, 'index.html')
      : file;
  if (!wanted.startsWith(root) || !existsSync(wanted) || !statSync(wanted).isFile())
    return problem(res, 404, 'Not found', `no file ${path} in HQ's dashboard`, 'not_found');
  res.writeHead(200, {
    'content-type': types[extname(wanted)] ?? 'application/octet-stream',
    // index.html names its hashed assets: always fetch it again; the assets never change.
    'cache-control': wanted.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(wanted).pipe(res);
}

/** The gateway's routes: which upstream or file answers each request. */
function routeGateway(options: GatewayOptions) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '/';
    const path = url.split('?')[0]!;
    const strip = (prefix: string) => url.slice(prefix.length) || '/';
    if (path === '/rest/v1' || path.startsWith('/rest/v1/'))
      return forward(req, res, options.rest, strip('/rest/v1'), 'PostgREST');
    if (path === '/auth/v1' || path.startsWith('/auth/v1/')) {
      if (!options.auth)
        return problem(
          res,
          404,
          'No sign-in here',
          'this cloud has no Supabase Auth behind its gateway: sign in with an access token, or ask the operator to start Supabase Auth and give the gateway --auth',
          'auth_not_configured',
        );
      return forward(req, res, options.auth, strip('/auth/v1'), 'Supabase Auth');
    }
    if (options.hqDir && path === '/hq/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
      return void res.end(JSON.stringify({ anonKey: options.anonKey ?? null, auth: Boolean(options.auth) }));
    }
    if (options.hqDir && (path === '/' || path === '/hq')) {
      res.writeHead(302, { location: '/hq/' });
      return void res.end();
    }
    if (options.hqDir && path.startsWith('/hq/') && (req.method === 'GET' || req.method === 'HEAD'))
      return serveFile(req, res, options.hqDir, path.slice('/hq'.length));
    problem(
      res,
      404,
      'Not found',
      `nothing at ${path}: the API is under /rest/v1, sign-in under /auth/v1${options.hqDir ? ', HQ under /hq/' : ''}`,
      'not_found',
    );
  };
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  if (options.hqDir && !existsSync(join(options.hqDir, 'index.html')))
    throw new Error(`no HQ dashboard in ${options.hqDir}: run npm run build:hq first, or leave out --hq`);
  const server = createServer(routeGateway(options));
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port, options.host, done);
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
