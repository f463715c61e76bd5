import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { Account, type Answer, error } from './account.ts';
import { type EndpointName, endpointOf, endpoints, parseForm, unknownParam } from './params.ts';

type StripeClient = import('stripe').default;
const Stripe = createRequire(import.meta.url)('stripe') as typeof import('stripe').default;

/** The API version the emulator models; the hub pins the same one. */
export const emulatedVersion = '2026-10-28.endive';

type Fault = { mode: 'down' | 'error500' | 'hangAfterCommit'; path: string; remaining: number };

export interface LoggedRequest {
  endpoint: EndpointName | null;
  method: string;
  path: string;
  params: Record<string, unknown>;
  idempotencyKey: string | null;
  version: string | null;
  status: number;
}

/**
 * Stripe, as strict as Stripe on what the hub uses, on 127.0.0.1 for the `stripe` package
 * (unmodified) to talk to. Each request is checked before it runs: the Stripe-Version header,
 * each parameter against the endpoint's list (params.ts; unknown ones are `parameter_unknown`),
 * the parameters endive removed. Idempotency follows Stripe's documentation: a result is saved
 * only once the endpoint started executing (a refused parameter saves nothing, a 500 is saved and
 * replayed), a replay with other parameters is an `idempotency_error`, and a request whose key is
 * still executing gets 409. Faults: connections cut, 500s, answers that never arrive.
 */
export class StripeEmulator {
  readonly account = new Account();
  readonly log: LoggedRequest[] = [];
  private readonly keys = new Map<string, { fingerprint: string; answer: Answer } | 'executing'>();
  private faults: Fault[] = [];
  private server: Server | null = null;
  private readonly hanging = new Set<ServerResponse>();
  /** Extra time each endpoint takes, to make requests overlap. */
  readonly delays = new Map<EndpointName, number>();
  port = 0;

  constructor(readers: readonly string[] = ['tmr_front', 'tmr_bar']) {
    for (const id of readers) this.account.addReader(id);
  }

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

  /**
   * A card presented on a simulated reader, through stripe-node's own test helper
   * (`testHelpers.terminal.readers.presentPaymentMethod`), as a test against Stripe would do it.
   * 4242… is approved; 4000000000000002 and 4000000000009995 are declined. Resolves to Stripe's
   * answer, or rejects with its error (a tap with nothing to pay).
   */
  present(readerId: string, number = '4242424242424242') {
    this.client ??= new Stripe('sk_test_test_helper', {
      host: '127.0.0.1',
      port: this.port,
      protocol: 'http',
      maxNetworkRetries: 0,
    });
    return this.client.testHelpers.terminal.readers.presentPaymentMethod(readerId, {
      card_present: { number },
    });
  }

  private client: StripeClient | null = null;

  intentsFor(paymentId: string) {
    return [...this.account.intents.values()].filter((pi) => pi.metadata.payment_id === paymentId);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://stripe');
    const fault = this.faults.find((f) => f.remaining > 0 && url.pathname.includes(f.path));
    if (fault) fault.remaining--;
    if (fault?.mode === 'down') return void req.socket.destroy();
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const method = req.method ?? 'GET';
    const params = parseForm(method === 'GET' ? url.search.slice(1) : raw);
    const key = typeof req.headers['idempotency-key'] === 'string' ? req.headers['idempotency-key'] : null;
    const version = typeof req.headers['stripe-version'] === 'string' ? req.headers['stripe-version'] : null;
    const secretKey = /^Bearer (sk_test_\w+)$/.exec(req.headers.authorization ?? '')?.[1] ?? null;
    const found = endpointOf(method, url.pathname);
    const logged: LoggedRequest = {
      endpoint: found?.name ?? null,
      method,
      path: url.pathname,
      params,
      idempotencyKey: key,
      version,
      status: 0,
    };
    this.log.push(logged);
    const answer = secretKey
      ? await this.answer(found, method, url.pathname, params, key, version, fault, res)
      : error(401, { type: 'invalid_request_error', message: 'Invalid API Key provided.' });
    logged.status = answer[0];
    if (fault?.mode === 'hangAfterCommit') {
      this.hanging.add(res); // applied, never answered: the caller's timeout must fire
      return;
    }
    const text = JSON.stringify(answer[1]);
    res.writeHead(answer[0], {
      'content-type': 'application/json',
      'request-id': `req_${randomBytes(8).toString('hex')}`,
      'stripe-version': version ?? emulatedVersion,
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  private async answer(
    found: ReturnType<typeof endpointOf>,
    method: string,
    path: string,
    params: Record<string, unknown>,
    key: string | null,
    version: string | null,
    fault: Fault | undefined,
    res: ServerResponse,
  ): Promise<Answer> {
    // Checked before anything runs, so nothing is saved under the key (Stripe's idempotency docs).
    if (!found)
      return error(404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${method}: ${path}).`,
      });
    if (version !== null && version !== emulatedVersion)
      return error(400, {
        type: 'invalid_request_error',
        message: `This emulator models API version ${emulatedVersion} only; the request asked for ${version}.`,
      });
    if (found.name === 'createIntent' && 'payment_method_types' in params)
      return error(400, {
        type: 'invalid_request_error',
        code: 'payment_method_types_no_longer_supported',
        param: 'payment_method_types',
        message:
          'payment_method_types is no longer supported on PaymentIntent creation; use allowed_payment_method_types.',
      });
    const unknown = unknownParam(endpoints[found.name], params);
    if (unknown)
      return error(400, {
        type: 'invalid_request_error',
        code: 'parameter_unknown',
        param: unknown,
        message: `Received unknown parameter: ${unknown}`,
      });
    const invalid = this.account.validate(found.name, params);
    if (invalid) return invalid;
    const stored = method === 'POST' && key ? this.keys.get(key) : undefined;
    const fingerprint = createHash('sha256')
      .update(`${method} ${path} ${JSON.stringify(params)}`)
      .digest('hex');
    if (stored === 'executing')
      return error(409, {
        type: 'idempotency_error',
        code: 'idempotency_key_in_use',
        message: `There is currently another in-progress request using this Idempotency Key (${key}).`,
      });
    if (stored) {
      if (stored.fingerprint !== fingerprint)
        return error(400, {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
        });
      res.setHeader('idempotent-replayed', 'true');
      return stored.answer;
    }
    if (method === 'POST' && key) this.keys.set(key, 'executing');
    const delay = this.delays.get(found.name);
    if (delay) await sleep(delay);
    // An injected 500 stands for a failure after the endpoint started: it is saved and replayed.
    const answer: Answer =
      fault?.mode === 'error500'
        ? error(500, { type: 'api_error', message: 'An unknown error occurred (injected).' })
        : this.account.run(found.name, found.id, params);
    if (method === 'POST' && key) this.keys.set(key, { fingerprint, answer });
    return answer;
  }
}
