// Long because every command's flags, refusals and printed words are here, where `grow-hub --help`
// and docs/api.md can be checked against them; each command's work is in its own module (Registry,
// the gateway, StandbyFollower, backups), and a command here only parses, calls and prints.
import { hostname, networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Role } from '../protocol/devices.ts';
import { uuidv7Source } from '../protocol/ids.ts';
import { HubClaims } from '../protocol/sync.ts';
import { signCloudToken } from '../sync/credential.ts';
import { startGateway } from '../sync/gateway.ts';
import { Registry, RegistryError } from '../sync/registry.ts';
import { makeBackup, RestoreError, restoreBackup } from './backup/backups.ts';
import { ConfigError, configMarkdown, type HubConfig, loadConfig, redactConfig } from './config.ts';
import { DeviceService } from './devices/service.ts';
import { Hub, openStore } from './hub.ts';
import { hubLogger } from './server.ts';
import { StandbyFollower } from './standby/follower.ts';
import { keepStandbyToken, pairStandby, readStandbyToken, unpairStandby } from './standby/pairing.ts';
import { SchemaTooNewError } from './store/db.ts';
import { privateDir } from './store/files.ts';
import { DataDirInUse, DataDirLock } from './store/lock.ts';
import { installCapture } from './store/replication.ts';
import { ensureCertificate } from './tls.ts';

const usage = `grow-hub — the restaurant's offline-first hub

  grow-hub start [--port N] [--host ADDR] [--data-dir DIR] [--demo] [--config FILE] [--log-level L]
  grow-hub start --standby-of URL --standby-token TOKEN [--port N] [--data-dir DIR]
                               a standby: follows the primary at URL, takes over when it is gone
  grow-hub standby pair [--data-dir DIR]          on the primary: a token for its standby (shown once)
  grow-hub standby unpair [--data-dir DIR]        on the primary: forget the standby
  grow-hub standby promote [--port N]             on the standby: take over now (the primary is gone)
  grow-hub switchover [--port N]                  on the primary: hand over to the standby, then follow it
  grow-hub device create --role pos|kds|manager --name NAME [--data-dir DIR]
  grow-hub device list [--data-dir DIR]
  grow-hub device revoke DEVICE_ID [--data-dir DIR]
  grow-hub status [--data-dir DIR]
  grow-hub backup [--data-dir DIR]                 an online backup now (works while the hub runs)
  grow-hub restore BACKUP_FILE [--data-dir DIR]    replace the database with a backup (hub stopped)
  grow-hub config [--data-dir DIR] [--markdown]   effective settings (or the docs/configuration.md table)
  grow-hub cloud-credential --hub-id UUID --restaurant-id UUID   (reads GROW_SUPABASE_JWT_SECRET)
  grow-hub cloud add-organisation --name NAME
  grow-hub cloud add-restaurant --organisation-id UUID --name NAME [--timezone ZONE]
  grow-hub cloud add-hub --restaurant-id UUID [--name NAME]      prints the hub's credential
  grow-hub cloud invite --organisation-id UUID (--email EMAIL [--password P] | --user-id UUID) [--role owner|analyst]
  grow-hub cloud maintain      months of raw rows made ahead, old ones archived (daily, where pg_cron is not)
      (cloud …: GROW_CLOUD_URL, and GROW_SUPABASE_JWT_SECRET or GROW_CLOUD_SERVICE_KEY)
  grow-hub cloud keys          a self-hosted cloud's anon and service role keys, signed with GROW_SUPABASE_JWT_SECRET
  grow-hub cloud gateway --rest URL [--auth URL] [--hq DIR] [--port 8000] [--host 127.0.0.1]
      a self-hosted cloud's front door: /rest/v1 → PostgREST, /auth/v1 → Supabase Auth, /hq/ → HQ
      (GROW_CLOUD_ANON_KEY: the anon key HQ's sign-in page uses)

Settings also come from GROW_* environment variables and <data-dir>/config.json (see docs/configuration.md).`;

const options = {
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  demo: { type: 'boolean' },
  config: { type: 'string' },
  'log-level': { type: 'string' },
  role: { type: 'string' },
  name: { type: 'string' },
  markdown: { type: 'boolean' },
  'hub-id': { type: 'string' },
  'restaurant-id': { type: 'string' },
  'organisation-id': { type: 'string' },
  'user-id': { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  rest: { type: 'string' },
  auth: { type: 'string' },
  hq: { type: 'string' },
  timezone: { type: 'string' },
  'standby-of': { type: 'string' },
  'standby-token': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {}
/** Refused for a reason the operator can fix (a running hub, a bad backup): exit 2, no usage text. */
class OperatorError extends Error {}

function configFrom(values: Record<string, unknown>) {
  return loadConfig({
    port: values.port,
    host: values.host,
    dataDir: values['data-dir'],
    demo: values.demo,
    config: values.config,
    logLevel: values['log-level'],
    standbyOf: values['standby-of'],
    standbyToken: values['standby-token'],
  });
}

/** A short-lived store + committer for commands that edit the data dir beside a running hub. */
function offlineDevices(values: Record<string, unknown>) {
  const config = configFrom(values);
  const { store, committer } = openStore(config);
  return { store, devices: new DeviceService(store, committer, uuidv7Source(), config.pairingTtlMs) };
}

/**
 * `grow-hub start`: a primary, or a standby (`--standby-of`). A pair of hubs changes roles in the
 * same process: a standby that takes over starts the hub here; a primary that steps down (a
 * switchover, or a newer primary found) follows the other box as its standby.
 */
async function start(values: Record<string, unknown>): Promise<void> {
  const config = configFrom(values);
  let current: { stop(): void | Promise<void> } | null = null;
  let signals = 0;
  const shutdown = (signal: string) => {
    if (++signals > 1) process.exit(1);
    process.stderr.write(`${signal}: shutting down gracefully\n`);
    Promise.resolve(current?.stop()).then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  let following = config.standbyOf ?? null;
  for (;;) {
    if (following) {
      const ending = await runStandby(config, following, (f) => {
        current = f;
      });
      if (ending.kind === 'stopped') return;
      following = null;
    }
    const down = await runPrimary({ ...config, standbyOf: undefined }, (h) => {
      current = h;
    });
    if (!down.primary) {
      process.stderr.write(
        `This hub stepped down (${down.reason}) and does not know the new primary: stopped.\n`,
      );
      process.exit(2);
    }
    following = down.primary;
  }
}

/** The standby role until it takes over (or is stopped). */
async function runStandby(config: HubConfig, primary: string, started: (f: StandbyFollower) => void) {
  const dataDir = resolve(config.dataDir);
  privateDir(dataDir);
  const token = config.standbyToken ?? readStandbyToken(dataDir);
  if (!token)
    throw new UsageError(
      'a standby needs --standby-token: run `grow-hub standby pair` on the primary and give its token here',
    );
  keepStandbyToken(dataDir, token);
  const lock = DataDirLock.acquire(dataDir);
  const follower = new StandbyFollower({
    file: join(dataDir, 'hub.db'),
    primaryUrl: primary,
    token,
    leaseMs: config.standbyLeaseMs,
    autoTakeover: config.standbyAutoTakeover,
    box: config.boxName ?? hostname(),
    url: publicUrl(config),
    host: config.host,
    port: config.port,
    log: hubLogger(config.logLevel),
  });
  started(follower);
  const ending = follower.run();
  process.stdout.write(
    `Grow Hub standby of ${primary} (data in ${dataDir}): status on port ${config.port} at /api/v1/status; it takes over ${config.standbyAutoTakeover ? 'by itself when the primary is gone' : 'with `grow-hub standby promote`'}.\n`,
  );
  const result = await ending;
  lock.release();
  if (result.kind === 'promoted')
    process.stdout.write(`Taking over as primary (epoch ${result.epoch}): ${result.reason}.\n`);
  return result;
}

/** The primary role: runs the hub until it steps down (resolves) or the process is stopped. */
async function runPrimary(config: HubConfig, started: (h: Hub) => void) {
  const tls = config.tlsEnabled ? await ensureCertificate(resolve(config.dataDir)) : undefined;
  const hub = new Hub(config, { tls });
  if (config.demo && (await hub.loadDemoMenuIfEmpty())) hub.app.log.info('loaded the demo restaurant menu');
  const firstRun = hub.devices.list().length === 0;
  const issued = [];
  // The demo restaurant's staff, so the till's PIN pad has someone to sign in (docs/staff.md).
  const demoStaff = config.demo && hub.staff.list().length === 0 ? await hub.addDemoStaff() : [];
  if (firstRun) {
    issued.push(await hub.devices.create('Owner', 'manager'));
    if (config.demo) {
      issued.push(
        await hub.devices.create('Demo till', 'pos'),
        await hub.devices.create('Demo kitchen screen', 'kds'),
      );
    }
  }
  // Before anything is printed: a supervisor may stop the hub the moment it looks started.
  started(hub);
  const { port } = await hub.listen();
  const hosts = config.host === '0.0.0.0' ? ['127.0.0.1', ...lanAddresses()] : [config.host];
  const scheme = tls ? 'https' : 'http';
  const base = `${scheme}://${hosts.at(-1)}:${port}`;
  const lines = [
    `Grow Hub is running (data in ${hub.store.file}).`,
    `  POS    ${base}/pos`,
    `  KDS    ${base}/kds`,
    `  Admin  ${base}/admin`,
    `  API    ${hosts.map((h) => `${scheme}://${h}:${port}/api/v1`).join('  ')}`,
    `  Health ${scheme}://127.0.0.1:${port}/health`,
  ];
  if (tls) lines.push(`  TLS certificate SHA-256 (devices pin it): ${tls.fingerprint}`);
  if (issued.length > 0) {
    lines.push(
      'First start: device tokens (shown once; keep them, or make new ones with `grow-hub device create`):',
    );
    for (const d of issued) lines.push(`  ${d.role.padEnd(8)} ${d.name.padEnd(20)} ${d.token}`);
  }
  if (demoStaff.length > 0)
    lines.push(`Demo staff PINs: ${demoStaff.map((s) => `${s.name} (${s.roleId}) ${s.pin}`).join(', ')}`);
  lines.push('Stop with Ctrl+C (finishes in-flight orders first).');
  process.stdout.write(`${lines.join('\n')}\n`);
  const down = await hub.steppedDown;
  // The refusal that told a device (or the switchover request's answer) goes out first.
  await new Promise((r) => setTimeout(r, 200));
  await hub.stop();
  return down;
}

function lanAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
}

async function device(
  sub: string | undefined,
  rest: string[],
  values: Record<string, unknown>,
): Promise<void> {
  const { store, devices } = offlineDevices(values);
  try {
    if (sub === 'create') {
      const role = Role.safeParse(values.role);
      if (!role.success) throw new UsageError('--role must be one of pos, kds, manager');
      const name = String(values.name ?? '').trim();
      if (!name) throw new UsageError('--name is required (what staff call this device, e.g. "Till 1")');
      print(await devices.create(name, role.data));
    } else if (sub === 'list') {
      print({ devices: devices.list() });
    } else if (sub === 'revoke') {
      if (!rest[0]) throw new UsageError('device revoke needs the DEVICE_ID (see `grow-hub device list`)');
      print(await devices.revoke(rest[0]));
    } else {
      throw new UsageError(`unknown device command "${sub ?? ''}"`);
    }
  } finally {
    store.close();
  }
}

function status(values: Record<string, unknown>): void {
  const config = configFrom(values);
  const { store } = openStore(config);
  try {
    const cursor = store.sync.cursor();
    const headSeq = store.events.headSeq();
    print({
      dataFile: store.file,
      schemaVersion: store.schemaVersion(),
      headSeq,
      syncedSeq: cursor.syncedSeq,
      pendingEvents: headSeq - cursor.syncedSeq,
      menuVersion: store.menu.latestSnapshot()?.version ?? null,
      devices: store.devices.all().filter((d) => !d.revokedAt).length,
    });
  } finally {
    store.close();
  }
}

/**
 * Mints a hub's cloud credential: a JWT signed with the Supabase project's JWT secret, carrying
 * the claims the cloud's row level security checks. The secret comes from the environment so it
 * stays out of shell history; the credential goes in GROW_CLOUD_HUB_TOKEN on that hub.
 */
async function cloudCredential(values: Record<string, unknown>): Promise<void> {
  const secret = process.env.GROW_SUPABASE_JWT_SECRET ?? '';
  if (secret.length < 32)
    throw new UsageError('set GROW_SUPABASE_JWT_SECRET to the project JWT secret (at least 32 characters)');
  const claims = HubClaims.safeParse({
    role: 'authenticated',
    grow_role: 'hub',
    hub_id: values['hub-id'],
    restaurant_id: values['restaurant-id'],
  });
  if (!claims.success)
    throw new UsageError(
      '--hub-id and --restaurant-id must be the UUIDs of rows in the cloud hubs and restaurants tables',
    );
  print({ ...claims.data, token: await signCloudToken(claims.data, secret) });
}

/** `grow-hub cloud …`: the operator registers restaurants and hubs and invites HQ users. */
async function cloud(sub: string | undefined, values: Record<string, unknown>): Promise<void> {
  const need = (flag: string, what: string) => {
    const v = values[flag];
    if (typeof v !== 'string' || !v) throw new UsageError(`cloud ${sub} needs --${flag} (${what})`);
    return v;
  };
  const uuid = (flag: string, what: string) => {
    const v = need(flag, what);
    if (!/^[0-9a-f-]{36}$/i.test(v)) throw new UsageError(`--${flag} must be a UUID (${what})`);
    return v;
  };
  if (sub === 'gateway') return gateway(values);
  if (sub === 'keys') return keys();
  const registry = await Registry.connect({
    url: process.env.GROW_CLOUD_URL ?? '',
    serviceKey: process.env.GROW_CLOUD_SERVICE_KEY,
    jwtSecret: process.env.GROW_SUPABASE_JWT_SECRET,
  }).catch((err) => {
    throw err instanceof RegistryError ? new UsageError(err.message) : err;
  });
  try {
    if (sub === 'add-organisation')
      return print(await registry.addOrganisation(need('name', 'what HQ calls it')));
    if (sub === 'add-restaurant')
      return print(
        await registry.addRestaurant(
          uuid('organisation-id', 'from cloud add-organisation'),
          need('name', 'what HQ calls it'),
          typeof values.timezone === 'string' ? values.timezone : undefined,
        ),
      );
    if (sub === 'add-hub')
      return print(
        await registry.addHub(
          uuid('restaurant-id', 'from cloud add-restaurant'),
          typeof values.name === 'string' ? values.name : undefined,
        ),
      );
    if (sub === 'maintain') return print(await registry.maintain());
    if (sub === 'invite') {
      const role = values.role === undefined ? 'analyst' : values.role;
      if (role !== 'owner' && role !== 'analyst') throw new UsageError('--role is owner or analyst');
      const organisationId = uuid('organisation-id', 'from cloud add-organisation');
      if (typeof values.email === 'string' && typeof values['user-id'] === 'string')
        throw new UsageError('give --email or --user-id, not both');
      if (typeof values.email === 'string')
        return print(
          await registry.inviteByEmail(
            organisationId,
            values.email,
            typeof values.password === 'string' ? values.password : undefined,
            role,
          ),
        );
      return print(
        await registry.invite(
          organisationId,
          uuid('user-id', "the user's id in Supabase Auth, or give --email instead"),
          role,
        ),
      );
    }
  } catch (err) {
    if (err instanceof RegistryError) throw new OperatorError(err.message);
    throw err;
  }
  throw new UsageError(
    `unknown cloud command "${sub ?? ''}": add-organisation, add-restaurant, add-hub, invite, maintain, keys or gateway`,
  );
}

/**
 * A self-hosted cloud's API keys, as a Supabase project shows them in its settings: JWTs of the
 * anon and service_role roles signed with the project's secret (ten years, like Supabase's).
 */
async function keys(): Promise<void> {
  const secret = process.env.GROW_SUPABASE_JWT_SECRET ?? '';
  if (secret.length < 32)
    throw new UsageError(
      'set GROW_SUPABASE_JWT_SECRET to the JWT secret PostgREST and Supabase Auth use (32+ characters)',
    );
  print({
    anonKey: await signCloudToken({ role: 'anon' }, secret),
    serviceRoleKey: await signCloudToken({ role: 'service_role' }, secret),
  });
}

/** `grow-hub cloud gateway`: serves until stopped (Ctrl-C or SIGTERM). */
async function gateway(values: Record<string, unknown>): Promise<void> {
  const rest = values.rest;
  if (typeof rest !== 'string' || !/^(https?:\/\/|unix:)/.test(rest))
    throw new UsageError(
      'cloud gateway needs --rest: where PostgREST listens (http://127.0.0.1:3000 or unix:/path)',
    );
  const auth = typeof values.auth === 'string' ? values.auth : undefined;
  if (auth && !/^https?:\/\//.test(auth))
    throw new UsageError('--auth is where Supabase Auth listens, e.g. http://127.0.0.1:9999');
  const port = values.port === undefined ? 8000 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError('--port is a TCP port (0–65535)');
  const g = await startGateway({
    host: typeof values.host === 'string' ? values.host : '127.0.0.1',
    port,
    rest,
    auth,
    hqDir: typeof values.hq === 'string' ? resolve(values.hq) : undefined,
    anonKey: process.env.GROW_CLOUD_ANON_KEY || undefined,
  }).catch((err: Error) => {
    throw new OperatorError(err.message);
  });
  process.stdout.write(
    `Cloud gateway on ${g.url}\n  API      ${g.url}/rest/v1 → ${rest}\n  sign-in  ${g.url}/auth/v1 → ${auth ?? '(none: add --auth)'}\n` +
      (typeof values.hq === 'string' ? `  HQ       ${g.url}/hq/\n` : ''),
  );
  await new Promise<void>((done) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => done());
  });
  await g.close();
}

/** `grow-hub standby pair | unpair | promote`. */
async function standby(sub: string | undefined, values: Record<string, unknown>): Promise<void> {
  const config = configFrom(values);
  if (sub === 'promote') return print(await localPost(config.port, '/api/v1/standby/promote'));
  if (sub !== 'pair' && sub !== 'unpair')
    throw new UsageError(`unknown standby command "${sub ?? ''}": pair, unpair or promote`);
  const { store } = openStore(config);
  try {
    if (sub === 'unpair') {
      unpairStandby(store);
      return print({ unpaired: true });
    }
    const { token } = pairStandby(store);
    installCapture(store.db); // changes are logged from now, even before the hub restarts
    keepStandbyToken(resolve(config.dataDir), token);
    print({
      token,
      next: `on the standby's computer: grow-hub start --standby-of ${publicUrl(config)} --standby-token ${token}`,
    });
  } finally {
    store.close();
  }
}

/** `grow-hub switchover`: asks the primary on this computer to hand over to its standby. */
async function switchover(values: Record<string, unknown>): Promise<void> {
  const config = configFrom(values);
  print(await localPost(config.port, '/api/v1/standby/switchover'));
}

/** A POST to the hub on this computer; its problem+json refusal becomes the operator's error. */
async function localPost(port: number, path: string): Promise<unknown> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST' }).catch((err: Error) => {
    throw new OperatorError(
      `no hub answers on port ${port} of this computer (${err.message}): is it running? (--port)`,
    );
  });
  const body = (await res.json().catch(() => ({}))) as { detail?: string };
  if (!res.ok) throw new OperatorError(body.detail ?? `the hub answered ${res.status}`);
  return body;
}

/** How devices and the other hub reach this box. */
function publicUrl(config: HubConfig): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/$/, '');
  const host = config.host === '0.0.0.0' ? (lanAddresses()[0] ?? '127.0.0.1') : config.host;
  return `${config.tlsEnabled ? 'https' : 'http'}://${host}:${config.port}`;
}

async function backup(values: Record<string, unknown>): Promise<void> {
  const config = configFrom(values);
  const { store } = openStore(config);
  try {
    print(await makeBackup(store, resolve(config.dataDir), config.backupKeep));
  } finally {
    store.close();
  }
}

function restore(file: string | undefined, values: Record<string, unknown>): void {
  const config = configFrom(values);
  if (!file)
    throw new UsageError('restore needs the backup file (see <data-dir>/backups, or GET /api/v1/backups)');
  if (DataDirLock.held(resolve(config.dataDir)))
    throw new OperatorError(`a hub is running on ${resolve(config.dataDir)}: stop it first, then restore`);
  try {
    print({ restored: true, ...restoreBackup(resolve(config.dataDir), resolve(file)) });
  } catch (err) {
    if (err instanceof RestoreError) throw new OperatorError(err.message);
    throw err;
  }
}

function print(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  const [command, sub, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  if (command === 'start') return start(values);
  if (command === 'device') return device(sub, rest, values);
  if (command === 'status') return status(values);
  if (command === 'cloud-credential') return cloudCredential(values);
  if (command === 'cloud') return cloud(sub, values);
  if (command === 'standby') return standby(sub, values);
  if (command === 'switchover') return switchover(values);
  if (command === 'backup') return backup(values);
  if (command === 'restore') return restore(sub, values);
  if (command === 'config') {
    if (values.markdown) process.stdout.write(`${configMarkdown()}\n`);
    else print(redactConfig(configFrom(values)));
    return;
  }
  throw new UsageError(`unknown command "${command}"`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (
    err instanceof ConfigError ||
    err instanceof SchemaTooNewError ||
    err instanceof UsageError ||
    err instanceof OperatorError ||
    err instanceof DataDirInUse
  ) {
    process.stderr.write(`grow-hub: ${err.message}\n${err instanceof UsageError ? `\n${usage}\n` : ''}`);
    process.exit(2);
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`grow-hub: ${message}\n`);
  process.exit(1);
});
