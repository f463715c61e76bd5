import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';

/**
 * Where a run's processes execute. `shared`: the OS schedules the servers and this load generator
 * on every core, as a restaurant's box would. `pinned`: the servers (the hub with the processes it
 * starts, and each peer) on core 1, this load generator on core 0, so a figure says what the
 * server can do rather than who won the scheduler (issue 21).
 */
export type Placement = 'shared' | 'pinned';

let current: Placement = 'shared';

export const placement = (): Placement => current;

/** Move this process (every thread) to where the load generator runs under `p`. */
export function place(p: Placement): void {
  current = p;
  const all = `0-${cpus().length - 1}`;
  const result = spawnSync('taskset', ['-a', '-p', '-c', p === 'pinned' ? '0' : all, String(process.pid)]);
  if (result.error) throw new Error('taskset is not installed (util-linux); --pinned needs it');
  if (result.status !== 0) throw new Error(`taskset failed: ${result.stderr}`);
}

/** The CPUs a server process gets under the current placement (undefined: any). */
export const serverCpus = (): string | undefined => (current === 'pinned' ? '1' : undefined);

/** A server's command line under the current placement. */
export function serverCommand(command: string, args: string[]): [string, string[]] {
  const cpu = serverCpus();
  return cpu ? ['taskset', ['-c', cpu, command, ...args]] : [command, args];
}

/** What the table says about where things ran. */
export const placementNote = (p: Placement): string =>
  p === 'pinned'
    ? 'pinned: servers (hub + its helpers, each peer) on core 1, load generator on core 0'
    : `shared: every process on any of ${cpus().length} cores`;
