import { vi } from 'vitest';
import { WebSocket } from 'ws';
import type { SocketFactory } from '../../protocol/realtime-client.ts';

/**
 * RealtimeClient's `connect` in Node: a `ws` socket whose errors arrive as its close (refused
 * connections while a hub restarts are expected; the client reconnects on the close).
 */
export const nodeSocket: SocketFactory = (url) => {
  const ws = new WebSocket(url);
  ws.on('error', () => {});
  return ws as never;
};

/** A WebSocket that records every message and lets a test wait for one. */
export class RecordingSocket {
  readonly messages: any[] = [];
  closed: { code: number; reason: string } | null = null;
  readonly ws: WebSocket;

  constructor(url: string, token: string | null, query: Record<string, string | number> = {}) {
    const q = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
    this.ws = new WebSocket(`${url}?${q}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    this.ws.on('message', (data) => this.messages.push(JSON.parse(data.toString())));
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
    });
    this.ws.on('unexpected-response', (_req, res) => {
      this.closed = { code: res.statusCode ?? 0, reason: 'http' };
    });
    this.ws.on('error', () => {}); // the outcome is recorded by 'close' or 'unexpected-response'
  }

  events(): any[] {
    return this.messages.filter((m) => typeof m.seq === 'number' && m.type !== 'snapshot');
  }

  /** Wait until `check` returns something truthy (a message, usually), and return it. */
  waitFor<T>(check: () => T | undefined | false | null, timeoutMs = 10_000): Promise<T> {
    return vi.waitFor(
      () => {
        const value = check();
        if (!value) throw new Error(`not yet; last messages: ${JSON.stringify(this.messages.slice(-3))}`);
        return value;
      },
      { timeout: timeoutMs, interval: 20 },
    );
  }

  close(): void {
    this.ws.close();
  }
}
