import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { Device } from '../../protocol/devices.ts';
import { eventWire, type StoredEvent } from '../../protocol/events.ts';
import type { Logger } from '../../protocol/logger.ts';
import { CloseCode } from '../../protocol/realtime.ts';

/** One device's socket as the gateway keeps it. */
export interface Client {
  ws: WebSocket;
  /** The TCP socket under `ws` (from the upgrade), corked around a commit's frames. */
  socket: Duplex;
  device: Device;
  /** null = every topic (POS, manager, expo). */
  topics: Set<string> | null;
  /** Highest seq this socket has been given (or skipped past by filter). */
  lastSeq: number;
  /** false while replaying from SQLite; live events are then read from the store instead. */
  live: boolean;
  alive: boolean;
}

/**
 * Sending to sockets, bounded: a socket whose send buffer passes the limit is closed, so a stalled
 * tablet costs at most that buffer and resumes by seq (invariant 5, invariant 7).
 */
export class Fanout {
  constructor(
    private readonly sendBufferBytes: number,
    private readonly log: Logger,
  ) {}

  send(client: Client, wire: string | Buffer): void {
    const { ws } = client;
    if (ws.readyState !== WebSocket.OPEN) return;
    if (ws.bufferedAmount > this.sendBufferBytes) {
      this.log.warn(
        { deviceId: client.device.id, buffered: ws.bufferedAmount },
        'slow socket closed; it will resume by seq',
      );
      client.live = false;
      ws.close(CloseCode.slowConsumer, 'send buffer full; reconnect with since');
      // A peer that stopped reading will not complete the closing handshake either.
      setTimeout(() => ws.terminate(), 1_000).unref();
      return;
    }
    ws.send(wire, { binary: false }); // a text frame, from a string or its pre-encoded bytes
  }

  /** A commit's events to every live socket that wants them: encoded once, one write per socket. */
  broadcast(clients: Iterable<Client>, events: readonly StoredEvent[]): void {
    let wires: Buffer[] | null = null;
    for (const client of clients) {
      if (!client.live) continue;
      // Encoded to UTF-8 once: ws would otherwise encode the string again for every socket.
      wires ??= events.map((e) => Buffer.from(eventWire(e)));
      // Corked, a commit's events leave in one write per socket instead of one per event: the
      // per-frame writev was the largest cost of fan-out (docs/benchmarks.md).
      client.socket.cork();
      for (const [i, e] of events.entries()) {
        if (e.seq <= client.lastSeq) continue;
        client.lastSeq = e.seq;
        if (client.topics === null || client.topics.has(e.topic)) this.send(client, wires[i]!);
      }
      client.socket.uncork();
    }
  }
}
