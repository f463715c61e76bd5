import { useEffect, useState } from 'preact/hooks';
import type { HubEvent } from '../../protocol/events.ts';
import {
  type ConnectionState,
  RealtimeClient,
  type SnapshotPayload,
} from '../../protocol/realtime-client.ts';
import { html } from './ui.ts';

export interface LiveOptions {
  since: number;
  stations?: string[];
  onEvent: (e: HubEvent) => void;
  onSnapshot?: (s: SnapshotPayload) => void;
  onState: (s: ConnectionState) => void;
  onControl?: (m: { type: string } & Record<string, unknown>) => void;
}

/**
 * The hub's current seq, retried until the hub answers: apps start their stream from there.
 * `onMiss` hears each failed try, so a page opened while the hub is away can say so.
 */
export async function currentSeq(onMiss: (attempt: number) => void = () => {}): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch('/health', { signal: AbortSignal.timeout(3_000) });
      if (res.ok) return (await res.json()).headSeq as number;
    } catch {
      // the hub does not answer yet: try again below
    }
    onMiss(attempt);
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

/** The realtime stream for an app page: reconnects with backoff and resumes by seq. */
export function startLive(token: string, options: LiveOptions): RealtimeClient {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const client = new RealtimeClient({
    url: `${scheme}://${location.host}/ws`,
    token,
    since: options.since,
    stations: options.stations,
    connect: (url) => new WebSocket(url),
    onEvent: options.onEvent,
    onSnapshot: options.onSnapshot,
    onState: options.onState,
    onControl: options.onControl,
  });
  client.start();
  return client;
}

/** "Connected", "Reconnecting in 3 s", "Queued 2 orders": always on screen. */
export function ConnectionPill({ state, queued = 0 }: { state: ConnectionState; queued?: number }) {
  const [now, setNow] = useState(Date.now());
  const [since, setSince] = useState(() => Date.now());
  useEffect(() => setSince(Date.now()), [state]);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, []);
  let label = 'Connecting…';
  let tone = 'warn';
  if (state.status === 'connecting' && state.attempt > 0) {
    label = 'Hub unreachable · retrying…';
    tone = 'bad';
  } else if (state.status === 'live') {
    label = 'Connected';
    tone = 'ok';
  } else if (state.status === 'reconnecting') {
    const left = Math.max(0, Math.ceil((since + state.retryInMs - now) / 1000));
    label = `Hub unreachable · reconnecting${left > 0 ? ` in ${left} s` : '…'}`;
    tone = 'bad';
  } else if (state.status === 'unauthorized') {
    label = 'This device was removed · pair again';
    tone = 'bad';
  }
  return html`<div class="pill ${tone}" data-testid="connection" data-status=${state.status}>
    <span class="dot"></span>${label}${queued > 0 ? html` · <b data-testid="queued">Queued ${queued} order${queued === 1 ? '' : 's'}</b>` : ''}
  </div>`;
}
