import type { ChildProcess } from 'node:child_process';
import {
  apiFor,
  burgerOrder,
  exited,
  productionEntry,
  runCli,
  spawnHub,
  tempDir,
} from '../../test/support/hub.ts';
import type { Target } from './http-load.ts';
import { serverCpus } from './placement.ts';

export interface RunningHub {
  child: ChildProcess;
  base: string;
  port: number;
  dir: string;
  tokens: { pos: string; kds: string; manager: string };
  stop: () => Promise<void>;
}

/** A hub in its own process (as in production), on a fresh data dir with device tokens. */
export async function hubProcess(
  env: Record<string, string> = {},
  existing?: { dir: string; tokens: RunningHub['tokens'] },
  port = 0,
  launch: Omit<Parameters<typeof spawnHub>[4], 'cpus'> = {},
): Promise<RunningHub> {
  const tmp = existing ? { dir: existing.dir, remove: () => {} } : tempDir('grow-bench-');
  let tokens = existing?.tokens;
  if (!tokens) {
    const make = async (role: string) =>
      JSON.parse(
        (await runCli(['device', 'create', '--data-dir', tmp.dir, '--role', role, '--name', `bench ${role}`]))
          .stdout,
      ).token as string;
    tokens = { pos: await make('pos'), kds: await make('kds'), manager: await make('manager') };
  }
  const { child, base } = await spawnHub(
    tmp.dir,
    ['--demo', '--port', String(port)],
    { GROW_LOG_LEVEL: 'error', ...env },
    productionEntry,
    { ...launch, cpus: serverCpus() },
  );
  return {
    child,
    base,
    port: Number(new URL(base).port),
    dir: tmp.dir,
    tokens,
    stop: async () => {
      child.kill('SIGTERM');
      await exited(child);
      if (!existing) tmp.remove();
    },
  };
}

export const orderTarget = (hub: RunningHub): Target => ({
  port: hub.port,
  path: '/api/v1/orders',
  method: 'POST',
  headers: { authorization: `Bearer ${hub.tokens.pos}` },
  body: () => JSON.stringify(burgerOrder()),
});

/** One of the hub's histograms (cumulative counts by upper bound, seconds), from /metrics. */
export async function histogram(
  hub: RunningHub,
  name: string,
): Promise<{ total: number; le: Map<number, number> }> {
  const text = (await apiFor(hub.base, hub.tokens.manager)('GET', '/metrics')).body as string;
  const le = new Map<number, number>();
  let total = 0;
  for (const m of text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)$`, 'gm'))) {
    if (m[1] === '+Inf') total = Number(m[2]);
    else le.set(Number(m[1]), Number(m[2]));
  }
  return { total, le };
}

export function diffHistogram(
  after: { total: number; le: Map<number, number> },
  before: { total: number; le: Map<number, number> },
) {
  return {
    total: after.total - before.total,
    le: new Map([...after.le].map(([k, v]) => [k, v - (before.le.get(k) ?? 0)])),
  };
}
