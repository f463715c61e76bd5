import { execFileSync } from 'node:child_process';

/**
 * A small LAN of the test's own: Linux network namespaces (one per box), each with a veth pair
 * whose other end is on a bridge in the test's namespace, where the test's tills live. Cutting a
 * box off is `ip link set <its cable> down`, as pulling its network cable would. Needs root and
 * iproute2; made and removed by the test, with names unique to this process.
 */
export interface Lan {
  hosts: { ns: string; ip: string; cable: string }[];
  /** The command prefix that runs a program on host `i`. */
  wrap(i: number): string[];
  cut(i: number): void;
  mend(i: number): void;
  remove(): void;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

export function makeLan(count: number): Lan {
  const id = `${process.pid % 10_000}${Math.floor(Math.random() * 100)}`;
  const net = `10.${20 + (process.pid % 200)}.${Math.floor(Math.random() * 250)}`;
  const bridge = `ghb${id}`;
  const hosts = Array.from({ length: count }, (_, i) => ({
    ns: `gh${id}n${i}`,
    ip: `${net}.${i + 2}`,
    cable: `ghv${id}${i}`,
  }));
  const remove = () => {
    for (const h of hosts) {
      try {
        ip('netns', 'del', h.ns);
      } catch {}
    }
    try {
      ip('link', 'del', bridge);
    } catch {}
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${net}.1/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    for (const h of hosts) {
      ip('netns', 'add', h.ns);
      ip('link', 'add', h.cable, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', h.ns);
      ip('link', 'set', h.cable, 'master', bridge, 'up');
      ip('netns', 'exec', h.ns, 'ip', 'addr', 'add', `${h.ip}/24`, 'dev', 'eth0');
      ip('netns', 'exec', h.ns, 'ip', 'link', 'set', 'eth0', 'up');
      ip('netns', 'exec', h.ns, 'ip', 'link', 'set', 'lo', 'up');
    }
  } catch (err) {
    remove();
    throw err;
  }
  return {
    hosts,
    wrap: (i) => ['ip', 'netns', 'exec', hosts[i]!.ns],
    cut: (i) => ip('link', 'set', hosts[i]!.cable, 'down'),
    mend: (i) => ip('link', 'set', hosts[i]!.cable, 'up'),
    remove,
  };
}

/** A LAN of network namespaces where this machine allows one; null (and why) where it does not. */
export function tryLan(count: number): { lan: Lan | null; why: string } {
  if (process.getuid?.() !== 0) return { lan: null, why: 'not root' };
  try {
    return { lan: makeLan(count), why: '' };
  } catch (err) {
    return { lan: null, why: (err as Error).message.split('\n')[0]! };
  }
}
