/**
 * What each Stripe endpoint the hub calls accepts, from Stripe's API reference at the pinned
 * version (2026-10-28.endive), as far as the emulator models it. A parameter not listed is refused
 * with Stripe's `parameter_unknown`, so the hub cannot depend on something Stripe would reject.
 * `nested` lists the keys allowed under a hash parameter (null: any key, like metadata).
 */
export interface Endpoint {
  method: 'GET' | 'POST';
  /** Path with `:id` for the object id. */
  path: string;
  params: readonly string[];
  nested?: Record<string, readonly string[] | null>;
}

export const endpoints = {
  createIntent: {
    method: 'POST',
    path: '/v1/payment_intents',
    params: [
      'amount',
      'currency',
      'allowed_payment_method_types',
      'capture_method',
      'metadata',
      'description',
      'statement_descriptor',
      'expand',
    ],
    nested: { metadata: null },
  },
  listIntents: {
    method: 'GET',
    path: '/v1/payment_intents',
    params: ['created', 'customer', 'limit', 'starting_after', 'ending_before', 'expand'],
    nested: { created: ['gt', 'gte', 'lt', 'lte'] },
  },
  retrieveIntent: { method: 'GET', path: '/v1/payment_intents/:id', params: ['expand', 'client_secret'] },
  captureIntent: {
    method: 'POST',
    path: '/v1/payment_intents/:id/capture',
    params: ['amount_to_capture', 'metadata', 'expand'],
    nested: { metadata: null },
  },
  cancelIntent: {
    method: 'POST',
    path: '/v1/payment_intents/:id/cancel',
    params: ['cancellation_reason', 'expand'],
  },
  retrieveReader: { method: 'GET', path: '/v1/terminal/readers/:id', params: ['expand'] },
  processPaymentIntent: {
    method: 'POST',
    path: '/v1/terminal/readers/:id/process_payment_intent',
    params: ['payment_intent', 'process_config', 'expand'],
    nested: {
      process_config: [
        'allow_redisplay',
        'enable_customer_cancellation',
        'return_url',
        'skip_tipping',
        'tipping',
      ],
    },
  },
  cancelAction: { method: 'POST', path: '/v1/terminal/readers/:id/cancel_action', params: ['expand'] },
  createRefund: {
    method: 'POST',
    path: '/v1/refunds',
    params: ['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'expand'],
    nested: { metadata: null },
  },
  presentPaymentMethod: {
    method: 'POST',
    path: '/v1/test_helpers/terminal/readers/:id/present_payment_method',
    params: ['amount_tip', 'card_present', 'interac_present', 'type', 'expand'],
    nested: { card_present: ['number'], interac_present: ['number'] },
  },
} as const satisfies Record<string, Endpoint>;

export type EndpointName = keyof typeof endpoints;

/** The endpoint a request is for, and the object id in its path. */
export function endpointOf(method: string, path: string): { name: EndpointName; id: string | null } | null {
  for (const [name, e] of Object.entries(endpoints) as [EndpointName, Endpoint][]) {
    if (e.method !== method) continue;
    const pattern = new RegExp(`^${e.path.replace(':id', '([A-Za-z0-9_]+)')}$`);
    const m = pattern.exec(path);
    if (m) return { name, id: m[1] ?? null };
  }
  return null;
}

/** Stripe's form encoding (`metadata[order_id]=…`, `expand[0]=latest_charge`) back into objects. */
export function parseForm(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const parts = rawKey.split(/[[\]]+/).filter(Boolean);
    let node = out;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = value;
      else {
        node[part] ??= /^\d+$/.test(parts[i + 1]!) ? [] : {};
        node = node[part] as Record<string, unknown>;
      }
    });
  }
  return out;
}

/** The first parameter the endpoint does not accept, if any: `foo` or `created[sometime]`. */
export function unknownParam(e: Endpoint, params: Record<string, unknown>): string | null {
  for (const [key, value] of Object.entries(params)) {
    if (!e.params.includes(key)) return key;
    const allowed = e.nested?.[key];
    if (allowed && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const extra = Object.keys(value).find((k) => !allowed.includes(k));
      if (extra) return `${key}[${extra}]`;
    }
  }
  return null;
}
