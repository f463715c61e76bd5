import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, configFields, envName, loadConfig, parseConfig, redactConfig } from './config.ts';

describe('config', () => {
  it('has defaults for everything', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      dataDir: './data',
      demo: false,
      logLevel: 'info',
    });
  });

  it('layers env over file over defaults and flags over env', () => {
    const c = loadConfig(
      { dataDir: '/nonexistent', port: 9000 },
      { GROW_PORT: '7000', GROW_DEMO: 'true', GROW_WS_HEARTBEAT_MS: '5000' },
    );
    expect(c.port).toBe(9000);
    expect(c.demo).toBe(true);
    expect(c.wsHeartbeatMs).toBe(5000);
  });

  it('names the key and its environment variable in errors', () => {
    expect(() => parseConfig({ commitQueueMax: 0 })).toThrow(ConfigError);
    expect(() => parseConfig({ commitQueueMax: 0 })).toThrow(/commitQueueMax \(GROW_COMMIT_QUEUE_MAX\)/);
  });

  it('wants all three cloud settings or none, and hides secrets when printed', () => {
    expect(() => parseConfig({ cloudUrl: 'https://x.supabase.co' })).toThrow(
      /missing GROW_CLOUD_ANON_KEY, GROW_CLOUD_HUB_TOKEN/,
    );
    const c = parseConfig({
      cloudUrl: 'https://x.supabase.co',
      cloudAnonKey: 'a'.repeat(30),
      cloudHubToken: 'b'.repeat(30),
    });
    expect(JSON.stringify(redactConfig(c))).not.toContain('aaaa');
    expect(JSON.stringify(redactConfig(c))).not.toContain('bbbb');
  });

  it('is documented: docs/configuration.md lists every key with its env variable and default', () => {
    const readme = readFileSync(new URL('../docs/configuration.md', import.meta.url), 'utf8');
    const defaults = parseConfig({});
    for (const key of Object.keys(configFields)) {
      const row = readme.split('\n').find((l) => l.startsWith(`| \`${key}\``));
      expect(row, `docs/configuration.md row for ${key}`).toBeDefined();
      expect(row).toContain(`\`${envName(key)}\``);
      const value = defaults[key as keyof typeof defaults];
      expect(row).toContain(value === undefined ? '| unset |' : `| \`${JSON.stringify(value)}\` |`);
    }
  });
});
