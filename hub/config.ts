// Long because the hub has many settings, not because it does many things: every setting,
// its default and why, in one table, from which parsing and docs/configuration.md both come.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { fieldPath } from '../protocol/errors.ts';

const bool = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
]);
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Every setting the hub reads, with its default and why. Sources, later wins:
 * defaults < `<dataDir>/config.json` or `--config FILE` < `GROW_*` env < command-line flags.
 * The configuration table in docs/configuration.md is generated from this object (`grow-hub config --markdown`) and checked against it by hub/config.test.ts.
 */
export const configFields = {
  port: {
    schema: int(0, 65_535).default(8080),
    doc: 'TCP port for HTTP and WebSocket (0 picks a free one).',
  },
  host: { schema: z.string().default('0.0.0.0'), doc: 'Address to listen on; 0.0.0.0 serves the LAN.' },
  dataDir: { schema: z.string().min(1).default('./data'), doc: 'Folder for hub.db, its WAL and backups.' },
  demo: { schema: bool.default(false), doc: 'Load the demo restaurant menu when the hub has none.' },
  logLevel: {
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    doc: 'pino log level.',
  },
  bodyLimitBytes: { schema: int(1_024, 10_485_760).default(262_144), doc: 'Largest accepted request body.' },
  requestTimeoutMs: {
    schema: int(1_000, 300_000).default(15_000),
    doc: 'Deadline for receiving a whole request, body included; slower clients get 408.',
  },
  headersTimeoutMs: {
    schema: int(1_000, 300_000).default(10_000),
    doc: "Deadline for a request's headers from the moment the connection opens (a connection that sends nothing is closed then).",
  },
  keepAliveTimeoutMs: {
    schema: int(1_000, 300_000).default(10_000),
    doc: 'How long an idle HTTP connection is kept open between requests.',
  },
  maxConnections: {
    schema: int(16, 1_000_000).default(4_096),
    doc: 'Most TCP connections at once (lowered to fit the open-file limit); past it the oldest connection that never showed a device token is closed.',
  },
  maxConnectionsPerAddress: {
    schema: int(1, 100_000).default(64),
    doc: "Most TCP connections from one address; past it that address's oldest connection that never showed a device token is closed.",
  },
  shutdownTimeoutMs: {
    schema: int(500, 120_000).default(10_000),
    doc: 'How long a graceful shutdown waits for in-flight requests before closing anyway.',
  },
  commitBatchMax: {
    schema: int(1, 10_000).default(256),
    doc: 'Most commands grouped into one SQLite transaction (one fsync).',
  },
  commitQueueMax: {
    schema: int(1, 100_000).default(4_096),
    doc: 'Commands waiting to commit before new ones are shed with 503.',
  },
  sqliteBusyTimeoutMs: {
    schema: int(100, 60_000).default(5_000),
    doc: 'How long a statement waits on a lock held by another process (CLI, backup).',
  },
  walCheckpointMs: {
    schema: int(100, 600_000).default(1_000),
    doc: 'How often a worker thread folds the WAL into hub.db (kept off the request path).',
  },
  stallTrace: {
    schema: bool.default(false),
    doc: 'Record a timeline of GC pauses, event-loop stalls, commits, WAL flushes, checkpoints and embedding calls for `GET /api/v1/status/stalls` (a diagnostic: it wakes the loop every millisecond).',
  },
  wsHeartbeatMs: {
    schema: int(1_000, 30_000).default(20_000),
    doc: 'Ping interval; a socket that misses one pong is closed.',
  },
  wsSendBufferBytes: {
    schema: int(16_384, 67_108_864).default(1_048_576),
    doc: 'Per-socket send-buffer limit; a slower socket is closed and resumes by seq.',
  },
  wsMaxReplayEvents: {
    schema: int(100, 10_000_000).default(50_000),
    doc: 'A device further behind than this gets a snapshot instead of a replay.',
  },
  wsMaxSockets: {
    schema: int(1, 100_000).default(2_000),
    doc: 'Most open WebSockets; more are refused with 503.',
  },
  tlsEnabled: {
    schema: bool.default(false),
    doc: 'Serve HTTPS and WSS with a certificate the hub makes on first start (devices pin its fingerprint at pairing).',
  },
  wsMaxSocketsPerDevice: {
    schema: int(1, 1_000).default(4),
    doc: 'Most open WebSockets one device may hold; more are refused with 429 (a tablet needs one).',
  },
  wsHandshakesPerDevicePerMinute: {
    schema: int(1, 100_000).default(30),
    doc: "New WebSockets one device may open per minute, so one device's reconnect loop cannot spend everyone's handshake budget.",
  },
  wsSnapshotsPerDevicePerMinute: {
    schema: int(1, 10_000).default(4),
    doc: 'Full snapshots (a device far behind, or ahead after a restore) one device may ask for per minute; each can be large.',
  },
  readsPerMinute: {
    schema: int(1, 100_000_000).default(1_200),
    doc: 'Read cost one device may spend per sliding minute before 429 (most reads cost 1; long lists cost one per 20 rows).',
  },
  rateLimitCommandsPerMinute: {
    schema: int(1, 100_000_000).default(600),
    doc: 'Commands (POST/PUT/PATCH) one device may send per sliding minute before 429.',
  },
  authFailuresBeforeLockout: {
    schema: int(1, 1_000_000).default(20),
    doc: 'Bad device tokens from one address before it is locked out (1 s, doubling to 15 min).',
  },
  pairingTtlMs: {
    schema: int(10_000, 86_400_000).default(600_000),
    doc: 'How long a pairing code stays valid.',
  },
  embeddingModelDir: {
    schema: z.string().min(1).optional(),
    doc: 'A sentence-transformers ONNX export (model.onnx + tokenizer.json) to use instead of the shipped model.',
  },
  embedTimeoutMs: {
    schema: int(100, 120_000).default(5_000),
    doc: 'Deadline for one call to the embedding process; past it the process is replaced and search is lexical meanwhile.',
  },
  embedderMaxHeapMb: {
    schema: int(32, 8_192).default(256),
    doc: "The embedding process's JavaScript heap cap (MB); if it runs out, it alone restarts.",
  },
  searchIndexBudgetBytes: {
    schema: int(65_536, 1_073_741_824).default(33_554_432),
    doc: 'Memory the in-memory vector index may use (a 1,000-item menu needs 400 kB).',
  },
  backupIntervalMs: {
    schema: int(0, 604_800_000).default(21_600_000),
    doc: 'How often the hub makes an online backup into <dataDir>/backups (0 turns scheduled backups off).',
  },
  backupKeep: {
    schema: int(1, 1_000).default(14),
    doc: 'Backups kept; older ones are deleted after each new one.',
  },
  readyMinDiskBytes: {
    schema: int(0, 1_099_511_627_776).default(209_715_200),
    doc: 'Free space below which /ready answers 503 (orders need room in the WAL).',
  },
  readyMaxSyncLagMs: {
    schema: int(1_000, 604_800_000).default(3_600_000),
    doc: 'Sync backlog older than this is reported as lagging by /ready (it never makes the hub unready).',
  },
  wsHandshakesPerSecond: {
    schema: int(1, 100_000).default(100),
    doc: 'New WebSockets accepted per second; beyond it a device is told when to come back (close 4029 with its slot at this pace).',
  },
  stripeSecretKey: {
    schema: z.string().min(10).optional(),
    doc: 'Stripe secret key for card payments on Terminal readers. Unset: cash and standalone-terminal cards only. Secret.',
  },
  stripeApiBase: {
    schema: z.url().default('https://api.stripe.com'),
    doc: "Stripe's API address (tests point it at a local emulator).",
  },
  stripeTimeoutMs: {
    schema: int(100, 120_000).default(10_000),
    doc: 'Deadline for each Stripe call (stripe-node retries twice).',
  },
  paymentMaxAmount: {
    schema: int(1, 1_000_000_000).default(1_000_000),
    doc: 'Largest amount (or cash tendered) one payment may carry, in minor units ($10,000): a slip of the finger is refused, not recorded.',
  },
  paymentMaxTip: {
    schema: int(0, 1_000_000_000).default(50_000),
    doc: 'Largest tip on one payment, in minor units ($500).',
  },
  stripeBreakerCooldownMs: {
    schema: int(100, 3_600_000).default(15_000),
    doc: 'After 3 Stripe calls in a row go unanswered, card payments on the reader are refused at once (CARD_UNAVAILABLE) for this long, then one call probes Stripe.',
  },
  cardWaitMs: {
    schema: int(1_000, 600_000).default(60_000),
    doc: "How long the reader waits for the guest's card before the hub stops it (nothing is charged).",
  },
  cardPollMs: {
    schema: int(50, 5_000).default(500),
    doc: 'How often the hub asks Stripe what the reader is doing during a card payment.',
  },
  standaloneCardLimitPerTransaction: {
    schema: int(0, 100_000_000).default(20_000),
    doc: 'Largest card payment taken on a standalone terminal (no authorisation the hub sees), in minor units ($200).',
  },
  standaloneCardLimitTotal: {
    schema: int(0, 1_000_000_000).default(200_000),
    doc: 'Most standalone-terminal card payments not yet verified by a manager, in total, in minor units ($2,000).',
  },
  reconcileIntervalMs: {
    schema: int(1_000, 86_400_000).default(10_000),
    doc: 'How often the hub looks for card payments due a check with Stripe (each backs off on its own: 5 s, 15 s, 1 min, then 5 min, for 7 days).',
  },
  printBackupAfterMs: {
    schema: int(1_000, 600_000).default(15_000),
    doc: "A kitchen ticket its printer cannot print within this long moves to the station's backup printer, stamped BACKUP FROM <printer>.",
  },
  printConnectTimeoutMs: {
    schema: int(100, 60_000).default(2_000),
    doc: 'How long a printer may take to accept a connection.',
  },
  printReplyTimeoutMs: {
    schema: int(100, 60_000).default(3_000),
    doc: 'How long a printer may take to answer a status request (and to confirm a job it read).',
  },
  printRetryMaxMs: {
    schema: int(100, 600_000).default(10_000),
    doc: 'Longest wait between two tries of a job on a printer that fails (the wait doubles from 0.5 s).',
  },
  printStatusEveryMs: {
    schema: int(200, 3_600_000).default(30_000),
    doc: 'How often an idle printer is asked for its state (paper, cover, reachable), so the admin page stays true between jobs.',
  },
  kdsAwayPrintAfterMs: {
    schema: int(1_000, 3_600_000).default(60_000),
    doc: 'A station set to print "when_kds_offline" prints once its screen has been away this long (and its open tickets then).',
  },
  businessName: {
    schema: z.string().min(1).max(80).default('Grow Hub Demo Restaurant'),
    doc: 'The name at the top of bills and receipts.',
  },
  businessAddress: {
    schema: z.string().min(1).max(160).optional(),
    doc: 'The address under the name on bills and receipts.',
  },
  businessTaxId: {
    schema: z.string().min(1).max(40).optional(),
    doc: 'The tax or VAT number printed on bills and receipts.',
  },
  locale: {
    schema: z.string().min(2).max(35).default('en-US'),
    doc: 'How printed amounts, dates and times are written (a BCP 47 tag: en-US, de-DE, fr-FR).',
  },
  cloudUrl: {
    schema: z.url().optional(),
    doc: 'Supabase project URL (https://<ref>.supabase.co). Unset: the hub runs standalone.',
  },
  cloudAnonKey: {
    schema: z.string().min(20).optional(),
    doc: "The project's anon (public) API key. Secret.",
  },
  cloudHubToken: {
    schema: z.string().min(20).optional(),
    doc: "This hub's cloud credential: a JWT with grow_role=hub, hub_id, restaurant_id (see Cloud sync). Secret.",
  },
  syncBatchMaxEvents: {
    schema: int(1, 50_000).default(5_000),
    doc: 'Most events in one ingest_batch request.',
  },
  syncBatchMaxBytes: {
    schema: int(16_384, 64 * 1_048_576).default(4 * 1_048_576),
    doc: 'Most bytes of event data in one ingest_batch request.',
  },
  syncLingerMs: {
    schema: int(0, 60_000).default(2_000),
    doc: 'After a new event, wait at most this long for more before sending a batch (HQ lags by this much).',
  },
  syncTimeoutMs: { schema: int(500, 300_000).default(15_000), doc: 'Deadline for each cloud call.' },
  syncBackoffBaseMs: {
    schema: int(10, 600_000).default(1_000),
    doc: 'First retry delay ceiling (full jitter).',
  },
  syncBackoffCapMs: {
    schema: int(100, 3_600_000).default(60_000),
    doc: 'Longest retry delay; also the pace while the credential is refused.',
  },
  syncBreakerFailures: {
    schema: int(1, 1_000).default(5),
    doc: 'Consecutive cloud failures that open the breaker.',
  },
  syncBreakerCooldownMs: {
    schema: int(100, 3_600_000).default(30_000),
    doc: 'How long an open breaker waits before one probe call.',
  },
  syncMenuPollMs: {
    schema: int(100, 86_400_000).default(30_000),
    doc: 'How often to ask the cloud for a newer menu (and report the hub alive).',
  },
  boxName: {
    schema: z.string().min(1).max(60).optional(),
    doc: "What staff and HQ call this box when there are two (e.g. 'counter PC', 'office PC'); unset: the computer's host name.",
  },
  publicUrl: {
    schema: z.string().url().optional(),
    doc: "How devices and the other hub reach this box (e.g. http://10.0.0.3:8080); unset: http on this computer's first LAN address and the port.",
  },
  standbyOf: {
    schema: z.string().url().optional(),
    doc: 'Run as the standby of the primary hub at this URL (e.g. http://10.0.0.2:8080): follow its data, serve nothing that writes, take over when it is gone. Unset: this hub is a primary.',
  },
  standbyToken: {
    schema: z.string().min(20).optional(),
    doc: "The pairing token from `grow-hub standby pair` on the primary; the standby shows it to follow the primary's data.",
  },
  standbyAckTimeoutMs: {
    schema: int(10, 60_000).default(500),
    doc: "How long the primary waits for its standby to hold a commit before answering without it (then it carries on alone and raises the 'standby lagging' alarm).",
  },
  standbyLeaseMs: {
    schema: int(200, 600_000).default(2_000),
    doc: "How long the primary's lease lasts: a standby that has heard nothing from it for this long, and holds everything it acknowledged, takes over.",
  },
  standbyAutoTakeover: {
    schema: bool.default(true),
    doc: 'Whether the standby takes over by itself when the lease expires; false: only `grow-hub standby promote`.',
  },
  standbyBacklogMax: {
    schema: int(1_000, 100_000_000).default(2_000_000),
    doc: 'Most row changes the primary keeps for a standby that is away; one further behind copies the whole database again.',
  },
} as const;

/** Settings that are secrets: never printed, never logged, never sent to devices. */
const secretConfigKeys = ['cloudAnonKey', 'cloudHubToken', 'stripeSecretKey', 'standbyToken'] as const;

type Fields = typeof configFields;
export type HubConfig = { [K in keyof Fields]: z.output<Fields[K]['schema']> };
export type HubConfigInput = { [K in keyof Fields]?: z.input<Fields[K]['schema']> };

const ConfigSchema = z.strictObject(
  Object.fromEntries(Object.entries(configFields).map(([k, f]) => [k, f.schema])) as {
    [K in keyof Fields]: Fields[K]['schema'];
  },
);

export const envName = (key: string) => `GROW_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

export class ConfigError extends Error {}

/** Parse and validate; a bad value fails with a message that names its key and its source. */
export function parseConfig(input: Record<string, unknown>, source = 'config'): HubConfig {
  const result = ConfigSchema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const key = fieldPath(i.path);
      return `  ${key || '(root)'} (${envName(key)}): ${i.message}`;
    });
    throw new ConfigError(`Invalid ${source}:\n${lines.join('\n')}`);
  }
  const config = result.data as HubConfig;
  const cloudKeys = ['cloudUrl', 'cloudAnonKey', 'cloudHubToken'] as const;
  const missing = cloudKeys.filter((k) => config[k] === undefined);
  if (missing.length > 0 && missing.length < cloudKeys.length) {
    throw new ConfigError(
      `Invalid ${source}: cloud sync needs all of ${cloudKeys.map(envName).join(', ')}; missing ${missing.map(envName).join(', ')}.`,
    );
  }
  return config;
}

function configFromEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(configFields)) {
    const value = env[envName(key)];
    if (value !== undefined && value !== '') out[key] = value;
  }
  return out;
}

/** Merge defaults, file, env and flags; `flags` keys are config keys (the CLI maps them). */
export function loadConfig(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): HubConfig {
  const fromEnv = configFromEnv(env);
  const dataDir = String(flags.dataDir ?? fromEnv.dataDir ?? configFields.dataDir.schema.parse(undefined));
  const explicitFile = typeof flags.config === 'string' ? flags.config : env.GROW_CONFIG;
  const file = explicitFile ?? join(dataDir, 'config.json');
  let fromFile: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`Config file ${resolve(file)} is not valid JSON: ${(err as Error).message}`);
    }
  } else if (explicitFile) {
    throw new ConfigError(`Config file ${resolve(explicitFile)} does not exist.`);
  }
  const { config: _ignored, ...rest } = flags;
  const merged = { ...fromFile, ...fromEnv, ...definedOnly(rest) };
  return parseConfig(merged, `configuration (file ${file}, GROW_* env, flags)`);
}

function definedOnly(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** The config with secrets masked, for `grow-hub config` and logs. */
export function redactConfig(config: HubConfig): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const key of secretConfigKeys) if (out[key] !== undefined) out[key] = '(set, hidden)';
  return out;
}

const defaultCell = (value: unknown) => (value === undefined ? 'unset' : `\`${JSON.stringify(value)}\``);

/** The table in docs/configuration.md, generated from the schema (`grow-hub config --markdown`). */
export function configMarkdown(): string {
  const defaults = parseConfig({});
  const rows = Object.entries(configFields).map(
    ([key, f]) =>
      `| \`${key}\` | \`${envName(key)}\` | ${defaultCell(defaults[key as keyof HubConfig])} | ${f.doc} |`,
  );
  return ['| key | environment | default | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
