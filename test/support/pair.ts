import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { apiFor, burgerOrder, exited, freePort, runCli, tempDir, unlimitedEnv } from './hub.ts';

const cli_ = join(import.meta.dirname, '../../bin/grow-hub.js');

/** One box of a pair: a real `grow-hub start` process with its own data dir and port. */
export interface Box {
  name: string;
  dir: string;
  port: number;
  url: string;
  child: ChildProcess | null;
  output: string;
}

export interface PairOptions {
  leaseMs?: number;
  ackTimeoutMs?: number;
  /** Where each box listens (default 127.0.0.1; a network namespace's address otherwise). */
  hosts?: [string, string];
  /** Runs each box's command under this prefix, e.g. ['ip', 'netns', 'exec', 'ns-a']. */
  wrap?: [string[], string[]];
}

/**
 * Two hubs paired as primary and standby, as an operator sets them up (docs/operations.md):
 * `grow-hub standby pair` on the primary, then the standby started with its token. The test's
 * device token (a till) is made on the primary and reaches the standby with the data.
 */
export async function startPair(options: PairOptions = {}) {
  const hosts = options.hosts ?? ['127.0.0.1', '127.0.0.1'];
  const boxes: Box[] = await Promise.all(
    ['a', 'b'].map(async (name, i) => {
      const port = await freePort();
      return {
        name,
        dir: tempDir(`grow-pair-${name}-`).dir,
        port,
        url: `http://${hosts[i]}:${port}`,
        child: null,
        output: '',
      };
    }),
  );
  const [a, b] = boxes as [Box, Box];
  // Four tills, each its own device, as in a restaurant.
  const tillTokens: string[] = [];
  for (let i = 1; i <= 4; i++) {
    const made = await runCli([
      'device',
      'create',
      '--data-dir',
      a.dir,
      '--role',
      'pos',
      '--name',
      `till ${i}`,
    ]);
    tillTokens.push(JSON.parse(made.stdout).token as string);
  }
  const till = tillTokens[0]!;
  const manager = JSON.parse(
    (await runCli(['device', 'create', '--data-dir', a.dir, '--role', 'manager', '--name', 'office'])).stdout,
  ).token as string;
  const paired = await runCli(['standby', 'pair', '--data-dir', a.dir]);
  if (paired.code !== 0) throw new Error(paired.stderr);
  const standbyToken = JSON.parse(paired.stdout).token as string;

  const env = (box: Box) => ({
    GROW_PUBLIC_URL: box.url,
    GROW_BOX_NAME: `box-${box.name}`,
    GROW_STANDBY_LEASE_MS: String(options.leaseMs ?? 1_000),
    GROW_STANDBY_ACK_TIMEOUT_MS: String(options.ackTimeoutMs ?? 500),
    GROW_LOG_LEVEL: process.env.PAIR_LOG_LEVEL ?? 'warn',
  });
  /** Starts a box (as primary, or as the standby of `of`) and waits until it answers. */
  const run = async (box: Box, of: Box | null) => {
    const i = boxes.indexOf(box);
    // In a namespace a box listens on all its addresses (its own loopback too, for its CLI).
    const listen = options.wrap ? '0.0.0.0' : hosts[i]!;
    const args = ['start', '--data-dir', box.dir, '--port', String(box.port), '--host', listen, '--demo'];
    if (of) args.push('--standby-of', of.url, '--standby-token', standbyToken);
    const wrap = options.wrap?.[i] ?? [];
    const command = [...wrap, process.execPath, cli_, ...args];
    const child = spawn(command[0]!, command.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...unlimitedEnv, ...env(box) },
    });
    box.child = child;
    box.output = '';
    child.stdout!.on('data', (d) => (box.output += d));
    child.stderr!.on('data', (d) => (box.output += d));
    await waitFor(
      async () => (await role(box)) !== null,
      30_000,
      () => `box ${box.name} did not start:\n${box.output}`,
    );
  };
  /** What a box says it is ('primary' or 'standby'), or null when it does not answer. */
  const role = (box: Box): Promise<string | null> =>
    within(1_500, async () => {
      const res = await fetch(`${box.url}/api/v1/role`, { signal: AbortSignal.timeout(1_000) });
      if (res.headers.get('x-grow-role') === 'standby') return 'standby';
      return ((await res.json()) as { role: string }).role;
    }).catch(() => null);
  const standbyStatus = (box: Box) =>
    within(
      1_500,
      async () =>
        await (await fetch(`${box.url}/api/v1/status`, { signal: AbortSignal.timeout(1_000) })).json(),
    ) as Promise<{
      inSync: boolean;
      position: number;
      primaryHead: number | null;
    }>;
  /** Runs `grow-hub …` on a box's own computer (in its namespace), as its operator would. */
  const cli = (box: Box, args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const i = boxes.indexOf(box);
      const command = [...(options.wrap?.[i] ?? []), process.execPath, cli_, ...args];
      const child = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => (stdout += d));
      child.stderr!.on('data', (d) => (stderr += d));
      child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
  await run(a, null);
  await run(b, a);
  await waitFor(
    async () => (await standbyStatus(b).catch(() => null))?.inSync === true,
    30_000,
    () => `standby never in sync:\n${b.output}`,
  );

  return {
    a,
    b,
    till,
    /** The API of a box as till `n` (0–3) calls it. */
    api: (box: Box, n = 0) => apiFor(box.url, tillTokens[n]!),
    /** A primary's view of its standby (GET /api/v1/status, as a manager). */
    primaryStatus: async (box: Box) =>
      (
        (await apiFor(box.url, manager)('GET', '/api/v1/status')).body as {
          standby: {
            role: string;
            epoch: number;
            box: string;
            standby: { state: string; answeredAlone: number; behind: number };
          };
        }
      ).standby,
    run,
    cli,
    role,
    standbyStatus,
    kill: async (box: Box) => {
      box.child?.kill('SIGKILL');
      if (box.child) await exited(box.child);
      box.child = null;
    },
    stop: async () => {
      for (const box of boxes) {
        box.child?.kill('SIGTERM');
        if (box.child) await Promise.race([exited(box.child), new Promise((r) => setTimeout(r, 5_000))]);
        box.child?.kill('SIGKILL');
      }
    },
  };
}

export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  why: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(why());
}

/** `work()`, or a rejection after `ms` whatever it waits on (a fetch across a pulled cable). */
export function within<T>(ms: number, work: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    work().then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/**
 * Tills sending orders until stopped, following the primary across boxes as the POS outbox does:
 * an order a box fails or refuses (standby, stale, switching) goes to the other box with the same
 * id. What they saw acknowledged, when and by which box, and anything refused for good.
 */
export function tillStream(p: Awaited<ReturnType<typeof startPair>>, count: number) {
  const acked = new Map<string, { at: number; by: string }>();
  const latencies: number[] = [];
  const refused: string[] = [];
  let stop = false;
  let epochSeen = 1;
  const run = async (_: unknown, n: number) => {
    let box: Box = p.a;
    while (!stop) {
      const order = burgerOrder();
      while (!stop) {
        const started = performance.now();
        try {
          const res = await p.api(box, n % 4)(
            'POST',
            '/api/v1/orders',
            order,
            undefined,
            { 'x-grow-epoch': String(epochSeen) },
            3_000,
          );
          epochSeen = Math.max(epochSeen, Number(res.headers.get('x-grow-epoch') ?? 0));
          if (res.status === 201 || res.status === 200) {
            acked.set(order.id, { at: Date.now(), by: box.name });
            latencies.push(performance.now() - started);
            break;
          }
          if ([409, 503].includes(res.status)) {
            box = box === p.a ? p.b : p.a;
            await new Promise((r) => setTimeout(r, 20));
            continue;
          }
          refused.push(`${res.status} ${JSON.stringify(res.body)}`);
          break;
        } catch {
          box = box === p.a ? p.b : p.a;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }
  };
  const running = Array.from({ length: count }, run);
  return {
    acked,
    latencies,
    refused,
    stop: async () => {
      stop = true;
      await Promise.all(running);
    },
  };
}
