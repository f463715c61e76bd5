import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A small stateful emulator of exactly the Stripe routes the hub calls, written from Stripe's API
 * reference, for the `stripe` package (unmodified) to talk to on 127.0.0.1:
 *   POST /v1/payment_intents, GET /v1/payment_intents/:id, POST …/:id/capture, POST …/:id/cancel,
 *   GET /v1/payment_intents/search (metadata['key']:'value'),
 *   POST /v1/terminal/readers/:id/process_payment_intent (the card is "tapped" at once; reader
 *   `tmr_declines` declines, `tmr_waits` waits for a card that never comes), POST …/cancel_action,
 *   POST /v1/refunds.
 * Idempotency-Key: a replay with the same parameters returns the first response; different
 * parameters are an idempotency_error (400), as Stripe does. Faults: `down` (connections cut),
 * `error500`, `hangAfterCommit` (the request is applied, the answer never comes) for all or the
 * next N requests whose path contains a string.
 */
export interface EmulatedIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  amount_received: number;
  currency: string;
  status: 'requires_payment_method' | 'requires_capture' | 'succeeded' | 'canceled';
  capture_method: string;
  payment_method_types: string[];
  metadata: Record<string, string>;
  created: number;
  refunded: number;
}

type Fault = { mode: 'down' | 'error500' | 'hangAfterCommit'; path: string; remaining: number };

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

/** Stripe's form encoding: `metadata[order_id]=…`, `payment_method_types[0]=card_present`. */
function parseForm(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const parts = rawKey.split(/[[\]]+/).filter(Boolean);
    let node = out as Record<string, unknown>;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = value;
      else {
        node[part] ??= {};
        node = node[part] as Record<string, unknown>;
      }
    });
  }
  return out;
}

export class StripeEmulator {
  readonly intents = new Map<string, EmulatedIntent>();
  readonly refunds: { id: string; payment_intent: string; amount: number }[] = [];
  /** Every process_payment_intent a reader was given, in order. */
  readonly readerActions: { reader: string; paymentIntent: string }[] = [];
  private readonly idempotency = new Map<string, { hash: string; status: number; body: string }>();
  private faults: Fault[] = [];
  private server: Server | null = null;
  private hanging = new Set<ServerResponse>();
  requests = 0;
  port = 0;

  get apiBase(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }

  /** Apply a fault to the next `times` requests whose path contains `path` (all, by default). */
  fault(mode: Fault['mode'], path = '/v1/', times = Number.POSITIVE_INFINITY): void {
    this.faults.push({ mode, path, remaining: times });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** What a terminal's store-and-forward does when it comes back online. */
  forwardOffline(paymentId: string, amount: number, outcome: 'succeeded' | 'canceled'): EmulatedIntent {
    const pi = this.newIntent(amount, 'usd', { payment_id: paymentId, forwarded: 'true' });
    pi.status = outcome;
    pi.amount_received = outcome === 'succeeded' ? amount : 0;
    return pi;
  }

  intentsFor(paymentId: string): EmulatedIntent[] {
    return [...this.intents.values()].filter((pi) => pi.metadata.payment_id === paymentId);
  }

  private newIntent(amount: number, currency: string, metadata: Record<string, string>): EmulatedIntent {
    const pi: EmulatedIntent = {
      id: id('pi'),
      object: 'payment_intent',
      amount,
      amount_received: 0,
      currency,
      status: 'requires_payment_method',
      capture_method: 'manual',
      payment_method_types: ['card_present'],
      metadata,
      created: Math.floor(Date.now() / 1000),
      refunded: 0,
    };
    this.intents.set(pi.id, pi);
    return pi;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    const url = new URL(req.url ?? '/', 'http://stripe');
    const fault = this.faults.find((f) => f.remaining > 0 && url.pathname.includes(f.path));
    if (fault) fault.remaining--;
    if (fault?.mode === 'down') return void req.socket.destroy();
    if (fault?.mode === 'error500')
      return this.send(res, 500, { error: { type: 'api_error', message: 'injected failure' } });
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const params = parseForm(raw);
    const key = req.headers['idempotency-key'];
    let status: number;
    let body: unknown;
    const replay = typeof key === 'string' ? this.idempotency.get(key) : undefined;
    const hash = createHash('sha256').update(`${req.method} ${url.pathname} ${raw}`).digest('hex');
    if (replay) {
      if (replay.hash !== hash) {
        status = 400;
        body = {
          error: {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
          },
        };
      } else {
        res.setHeader('idempotent-replayed', 'true');
        status = replay.status;
        body = JSON.parse(replay.body);
      }
    } else {
      [status, body] = this.route(req.method ?? 'GET', url, params);
      if (typeof key === 'string' && req.method === 'POST')
        this.idempotency.set(key, { hash, status, body: JSON.stringify(body) });
    }
    if (fault?.mode === 'hangAfterCommit') {
      this.hanging.add(res); // applied, never answered: the caller's timeout must fire
      return;
    }
    this.send(res, status, body);
  }

  private route(method: string, url: URL, p: Record<string, unknown>): [number, unknown] {
    const path = url.pathname;
    const notFound = (what: string): [number, unknown] => [
      404,
      { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such ${what}` } },
    ];
    const intentPath = /^\/v1\/payment_intents\/(pi_\w+)(\/capture|\/cancel)?$/.exec(path);
    const readerPath = /^\/v1\/terminal\/readers\/(\w+)\/process_payment_intent$/.exec(path);
    const cancelAction = /^\/v1\/terminal\/readers\/(\w+)\/cancel_action$/.exec(path);
    if (method === 'POST' && cancelAction) {
      return [200, { id: cancelAction[1], object: 'terminal.reader', action: null }];
    }
    if (method === 'POST' && path === '/v1/payment_intents') {
      const amount = Number(p.amount);
      if (!Number.isInteger(amount) || amount < 1)
        return [
          400,
          { error: { type: 'invalid_request_error', param: 'amount', message: 'Invalid integer' } },
        ];
      return [
        200,
        this.newIntent(amount, String(p.currency ?? 'usd'), (p.metadata as Record<string, string>) ?? {}),
      ];
    }
    if (method === 'GET' && path === '/v1/payment_intents/search') {
      const q = /metadata\['([^']+)'\]:'([^']+)'/.exec(url.searchParams.get('query') ?? '');
      const data = q ? [...this.intents.values()].filter((pi) => pi.metadata[q[1]!] === q[2]) : [];
      return [200, { object: 'search_result', data, has_more: false, url: '/v1/payment_intents/search' }];
    }
    if (intentPath) {
      const m = intentPath;
      const pi = this.intents.get(m[1]!);
      if (!pi) return notFound(`payment_intent: '${m[1]}'`);
      if (method === 'GET' && !m[2]) return [200, pi];
      if (method === 'POST' && m[2] === '/capture') {
        if (pi.status !== 'requires_capture') return this.unexpected(pi, 'capture');
        pi.status = 'succeeded';
        pi.amount_received = pi.amount;
        return [200, pi];
      }
      if (method === 'POST' && m[2] === '/cancel') {
        if (pi.status === 'succeeded' || pi.status === 'canceled') return this.unexpected(pi, 'cancel');
        pi.status = 'canceled';
        return [200, pi];
      }
    }
    if (method === 'POST' && readerPath) {
      const m = readerPath;
      const pi = this.intents.get(String(p.payment_intent));
      if (!pi) return notFound(`payment_intent: '${p.payment_intent}'`);
      if (m[1] === 'tmr_declines')
        return [
          402,
          {
            error: {
              type: 'card_error',
              code: 'card_declined',
              decline_code: 'insufficient_funds',
              message: 'Your card has insufficient funds.',
            },
          },
        ];
      if (pi.status !== 'requires_payment_method') return this.unexpected(pi, 'process');
      this.readerActions.push({ reader: m[1]!, paymentIntent: pi.id });
      // tmr_waits: the guest has not tapped yet; the action stays in progress until cancelled.
      if (m[1] !== 'tmr_waits') pi.status = 'requires_capture';
      return [
        200,
        {
          id: m[1],
          object: 'terminal.reader',
          action: {
            type: 'process_payment_intent',
            status: 'succeeded',
            process_payment_intent: { payment_intent: pi.id },
          },
        },
      ];
    }
    if (method === 'POST' && path === '/v1/refunds') {
      const pi = this.intents.get(String(p.payment_intent));
      if (!pi) return notFound(`payment_intent: '${p.payment_intent}'`);
      const amount = p.amount === undefined ? pi.amount_received - pi.refunded : Number(p.amount);
      if (pi.status !== 'succeeded' || amount > pi.amount_received - pi.refunded) {
        return [
          400,
          {
            error: {
              type: 'invalid_request_error',
              code: 'amount_too_large',
              message: 'Refund amount is greater than unrefunded amount on charge',
            },
          },
        ];
      }
      pi.refunded += amount;
      const refund = { id: id('re'), object: 'refund', amount, payment_intent: pi.id, status: 'succeeded' };
      this.refunds.push(refund);
      return [200, refund];
    }
    return notFound(`route ${method} ${path}`);
  }

  private unexpected(pi: EmulatedIntent, action: string): [number, unknown] {
    return [
      400,
      {
        error: {
          type: 'invalid_request_error',
          code: 'payment_intent_unexpected_state',
          message: `This PaymentIntent's status is ${pi.status}; it cannot ${action}.`,
        },
      },
    ];
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'request-id': id('req'),
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }
}
