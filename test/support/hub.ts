import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { envName, type HubConfigInput, parseConfig } from '../../hub/config.ts';
import { Hub } from '../../hub/hub.ts';
import type { Role } from '../../protocol/devices.ts';
import { uuidv7Source } from '../../protocol/ids.ts';

export const newOrderId = uuidv7Source();

/**
 * Tests drive thousands of orders, sockets and reads from one device and one address; the
 * per-device and per-address limits each have their own tests (test/security.test.ts).
 */
export const unlimited = {
  rateLimitCommandsPerMinute: 100_000_000,
  readsPerMinute: 100_000_000,
  wsMaxSocketsPerDevice: 1_000,
  wsHandshakesPerDevicePerMinute: 100_000,
  wsSnapshotsPerDevicePerMinute: 10_000,
  maxConnectionsPerAddress: 100_000,
};

/** The same settings as environment variables, for hubs in child processes. */
export const unlimitedEnv = Object.fromEntries(
  Object.entries(unlimited).map(([k, v]) => [envName(k), String(v)]),
);

export function tempDir(prefix = 'grow-hub-test-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export type Api = (
  method: string,
  path: string,
  body?: unknown,
  token?: string | null,
  headers?: Record<string, string>,
  timeoutMs?: number,
) => Promise<{
  status: number;
  headers: Headers;
  body: any;
}>;

export function apiFor(
  base: string,
  defaultToken: string | null,
  defaultHeaders: Record<string, string> = {},
): Api {
  return async (method, path, body, token = defaultToken, headers = {}, timeoutMs = 30_000) => {
    // The default headers belong to the default device (a staff session works on its device only).
    const h: Record<string, string> = { ...(token === defaultToken ? defaultHeaders : {}), ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(`${base}${path}`, {
      method,
      headers: h,
      body: payload,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {}
    return { status: res.status, headers: res.headers, body: parsed };
  };
}

export interface TestHub {
  hub: Hub;
  base: string;
  wsUrl: string;
  dir: string;
  tokens: Record<Role, string>;
  api: Api;
  stop: () => Promise<void>;
}

/** A real hub in this process: real SQLite file in a temp dir, real HTTP and WS on 127.0.0.1. */
export async function startHub(
  overrides: HubConfigInput = {},
  existingDir?: string,
  /** 'production' keeps the per-device and per-address limits at their defaults. */
  options: { limits?: 'unlimited' | 'production' } = {},
): Promise<TestHub> {
  const tmp = existingDir ? { dir: existingDir, remove: () => {} } : tempDir();
  const config = parseConfig({
    dataDir: tmp.dir,
    port: 0,
    host: '127.0.0.1',
    logLevel: 'silent',
    demo: true,
    ...(options.limits === 'production' ? {} : unlimited),
    ...overrides,
  });
  const hub = new Hub(config);
  await hub.loadDemoMenuIfEmpty();
  const { port } = await hub.listen();
  const tokens = {} as Record<Role, string>;
  for (const role of ['pos', 'kds', 'manager'] as const)
    tokens[role] = (await hub.devices.create(`test ${role}`, role)).token;
  const base = `http://127.0.0.1:${port}`;
  return {
    hub,
    base,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    dir: tmp.dir,
    tokens,
    api: apiFor(base, tokens.pos),
    stop: async () => {
      await hub.stop();
      tmp.remove();
    },
  };
}

/**
 * Adds a staff member (by the manager device) and signs them in on the test's POS device: `api`
 * sends their session with every request, as the till does.
 */
export async function signIn(t: TestHub, name: string, roleId: string, pin: string) {
  const made = await t.api('POST', '/api/v1/staff', { name, roleId, pin }, t.tokens.manager);
  if (made.status !== 201) throw new Error(`staff not added: ${JSON.stringify(made.body)}`);
  const signed = await t.api('POST', '/api/v1/staff/sign-in', { staffId: made.body.id, pin });
  if (signed.status !== 201) throw new Error(`not signed in: ${JSON.stringify(signed.body)}`);
  const session: string = signed.body.session;
  return {
    staffId: made.body.id as string,
    name,
    pin,
    session,
    api: apiFor(t.base, t.tokens.pos, { 'x-grow-staff': session }),
  };
}

export const burgerOrder = (id = newOrderId()) => ({
  id,
  lines: [
    { itemId: 'classic-burger', qty: 2, modifiers: ['burger-well', 'add-bacon'], note: 'no pickles' },
    { itemId: 'cola', qty: 1 },
  ],
  tableLabel: 'T4',
});

const cli = join(import.meta.dirname, '../../bin/grow-hub.js');

/** Runs the real CLI (`node bin/grow-hub.js ...`) to completion. */
export function runCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/**
 * The entry docs/operations.md's systemd unit runs (keep the two in step): the compiled build
 * (`npm run build`), so no TypeScript loader thread and no source maps sit in memory (about 50 MB).
 * Tests run the sources through `bin/grow-hub.js`.
 */
export const productionEntry = join(import.meta.dirname, '../../dist/hub/cli.js');

/** A hub in a child process (for kill -9 and signal tests); resolves once it serves HTTP. */
export async function spawnHub(
  dataDir: string,
  extraArgs: string[] = [],
  env: Record<string, string> = {},
  entry: string = cli,
  launch: {
    /** Run the hub under this open-file limit (`ulimit -n`), as a small box or a careless unit file would. */
    fdLimit?: number;
    /** Run the hub (and the processes it starts) on these CPUs only (`taskset -c`), e.g. "1". */
    cpus?: string;
    /** Run node under this command, e.g. valgrind with its options (the bench's instruction counts). */
    wrap?: string[];
    /** Options for node itself, e.g. --cpu-prof (not allowed in NODE_OPTIONS). */
    nodeArgs?: string[];
    /** How long to wait for the hub to say it listens (a hub under valgrind takes a while). */
    startTimeoutMs?: number;
  } = {},
): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  const args = [
    'start',
    '--data-dir',
    dataDir,
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--log-level',
    'warn',
    ...extraArgs,
  ];
  const node = [
    ...(launch.cpus ? ['taskset', '-c', launch.cpus] : []),
    ...(launch.wrap ?? []),
    process.execPath,
    ...(launch.nodeArgs ?? []),
  ];
  const command = launch.fdLimit
    ? ['/bin/sh', ['-c', `ulimit -n ${launch.fdLimit} && exec "$0" "$@"`, ...node, entry, ...args]]
    : [node[0]!, [...node.slice(1), entry, ...args]];
  const child = spawn(command[0] as string, command[1] as string[], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...unlimitedEnv, ...env },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`hub did not start:\n${out}`)),
      launch.startTimeoutMs ?? 30_000,
    );
    const onData = () => {
      const m = /Health (http:\/\/127\.0\.0\.1:\d+)\/health/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`hub exited with ${code}:\n${out}`)));
  });
  return { child, base, output: () => out };
}

export function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null)
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** A TCP port nothing listens on right now. */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
