import { readFileSync } from 'node:fs';
import type { Server } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../../protocol/logger.ts';

export interface ConnectionLimits {
  maxConnections: number;
  maxConnectionsPerAddress: number;
}

/** Descriptors the hub needs besides connections: SQLite, its WAL, workers, the embedder's pipes. */
const descriptorsReserved = 256;

/**
 * The connection cap the process can actually honour: `wanted`, or less when the operating
 * system's open-file limit is lower (past it, every new connection, a paired till's too, fails).
 */
export function connectionCap(wanted: number, log: Logger): number {
  let limit: number | null = null;
  try {
    const line = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    limit = line ? Number(line[1]) : null;
  } catch {
    limit = null; // not Linux: trust the configured cap
  }
  if (limit === null || limit - descriptorsReserved >= wanted) return wanted;
  const cap = Math.max(64, limit - descriptorsReserved);
  log.warn(
    { wanted, openFileLimit: limit, cap },
    `the open-file limit (${limit}) is below maxConnections; capping connections at ${cap} (raise it with LimitNOFILE= or ulimit -n)`,
  );
  return cap;
}

interface Open {
  address: string;
  trusted: boolean;
}

type Socket = Duplex & { remoteAddress?: string; remotePort?: number };

/**
 * TCP connections are a resource a stranger on the LAN can exhaust without any token. Every
 * connection counts against a total and a per-address cap. A connection becomes *trusted* once a
 * request or handshake on it presents a valid device token; when a cap is reached, the oldest
 * untrusted connection is closed to make room, so while a flood of idle connections is on,
 * paired devices still get in and keep their connections. Slow and idle ones are closed by the
 * server's header and request timeouts.
 */
export class ConnectionGate {
  private readonly open = new Map<string, Open>();
  /** Untrusted connections, oldest first (Map order), overall and per address. */
  private readonly untrusted = new Map<string, Socket>();
  private readonly untrustedByAddress = new Map<string, Map<string, Socket>>();
  private readonly perAddress = new Map<string, number>();
  /** Connections closed to make room, and connections refused because only trusted ones were open. */
  readonly stats = { evicted: 0, refused: 0 };

  constructor(private readonly limits: ConnectionLimits) {}

  /** Count every connection `server` accepts (for TLS, the raw TCP connection, before its handshake). */
  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.admit(socket));
  }

  get size(): number {
    return this.open.size;
  }

  /** A request or handshake on this connection carried a valid device token. */
  trust(socket: Socket): void {
    const key = keyOf(socket);
    const entry = this.open.get(key);
    if (!entry || entry.trusted) return;
    entry.trusted = true;
    this.untrusted.delete(key);
    this.untrustedByAddress.get(entry.address)?.delete(key);
  }

  private admit(socket: Socket): void {
    if (!socket.remoteAddress) {
      socket.destroy(); // already gone
      return;
    }
    const key = keyOf(socket);
    const address = socket.remoteAddress;
    const fromAddress = this.perAddress.get(address) ?? 0;
    const full =
      (fromAddress >= this.limits.maxConnectionsPerAddress &&
        !this.evict(this.untrustedByAddress.get(address))) ||
      (this.open.size >= this.limits.maxConnections && !this.evict(this.untrusted));
    if (full) {
      this.stats.refused++;
      socket.destroy();
      return;
    }
    this.open.set(key, { address, trusted: false });
    this.untrusted.set(key, socket);
    if (!this.untrustedByAddress.has(address)) this.untrustedByAddress.set(address, new Map());
    this.untrustedByAddress.get(address)!.set(key, socket);
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    socket.once('close', () => this.forget(key, address));
  }

  /** Close the oldest untrusted connection of `pool`; false when there is none. */
  private evict(pool: Map<string, Socket> | undefined): boolean {
    const oldest = pool?.entries().next().value;
    if (!oldest) return false;
    const [key, socket] = oldest;
    const entry = this.open.get(key);
    if (entry) this.forget(key, entry.address);
    socket.destroy();
    this.stats.evicted++;
    return true;
  }

  private forget(key: string, address: string): void {
    if (!this.open.delete(key)) return;
    this.untrusted.delete(key);
    const byAddress = this.untrustedByAddress.get(address);
    byAddress?.delete(key);
    if (byAddress?.size === 0) this.untrustedByAddress.delete(address);
    const n = (this.perAddress.get(address) ?? 1) - 1;
    if (n <= 0) this.perAddress.delete(address);
    else this.perAddress.set(address, n);
  }
}

/** A connection by its peer's address and port: the same for the TCP socket and a TLS socket over it. */
const keyOf = (s: Socket) => `${s.remoteAddress}|${s.remotePort}`;
