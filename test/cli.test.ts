import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Store } from '../hub/store/index.ts';
import { latestSchemaVersion } from '../hub/store/migrations.ts';
import { CloseCode } from '../protocol/realtime.ts';
import { apiFor, burgerOrder, exited, runCli, spawnHub, tempDir } from './support/hub.ts';
import { RecordingSocket } from './support/socket.ts';

describe('grow-hub CLI', () => {
  it('creates, lists and revokes devices beside a running hub; the token works at once and stops at once', async () => {
    const { dir, remove } = tempDir();
    const { child, base, output } = await spawnHub(dir, ['--demo']);
    try {
      expect(output()).toMatch(/POS\s+http:\/\/.+\/pos/);
      expect(output()).toMatch(/KDS\s+http:\/\/.+\/kds/);
      expect(output()).toMatch(/Admin\s+http:\/\/.+\/admin/);
      expect(output()).toMatch(/manager\s+Owner\s+ghd_/);
      const made = await runCli([
        'device',
        'create',
        '--data-dir',
        dir,
        '--role',
        'kds',
        '--name',
        'Grill screen',
      ]);
      expect(made.code).toBe(0);
      const device = JSON.parse(made.stdout);
      expect(device).toMatchObject({
        name: 'Grill screen',
        role: 'kds',
        token: expect.stringMatching(/^ghd_/),
      });
      const api = apiFor(base, device.token);
      expect((await api('GET', '/api/v1/me')).body.id).toBe(device.id);
      const list = JSON.parse((await runCli(['device', 'list', '--data-dir', dir])).stdout);
      expect(list.devices.map((d: { name: string }) => d.name)).toContain('Grill screen');
      expect(JSON.stringify(list)).not.toContain(device.token);
      const revoked = await runCli(['device', 'revoke', device.id, '--data-dir', dir]);
      expect(revoked.code).toBe(0);
      expect((await api('GET', '/api/v1/me')).status).toBe(401);
    } finally {
      child.kill('SIGKILL');
      await exited(child);
      remove();
    }
  });

  it('prints status as JSON', async () => {
    const { dir, remove } = tempDir();
    try {
      await runCli(['device', 'create', '--data-dir', dir, '--role', 'pos', '--name', 'x']);
      const res = await runCli(['status', '--data-dir', dir]);
      expect(res.code).toBe(0);
      expect(JSON.parse(res.stdout)).toMatchObject({
        schemaVersion: latestSchemaVersion,
        headSeq: 0,
        pendingEvents: 0,
        devices: 1,
      });
    } finally {
      remove();
    }
  });

  it('fails at start with a message that names a bad setting, whichever source it came from', async () => {
    const { dir, remove } = tempDir();
    try {
      const flag = await runCli(['start', '--data-dir', dir, '--port', 'eighty']);
      expect(flag.code).toBe(2);
      expect(flag.stderr).toContain('port (GROW_PORT)');
      const env = await runCli(['start', '--data-dir', dir], { GROW_WS_SEND_BUFFER_BYTES: '12' });
      expect(env.code).toBe(2);
      expect(env.stderr).toContain('wsSendBufferBytes (GROW_WS_SEND_BUFFER_BYTES)');
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ logLevel: 'loud' }));
      const file = await runCli(['start', '--data-dir', dir]);
      expect(file.code).toBe(2);
      expect(file.stderr).toContain('logLevel');
      writeFileSync(join(dir, 'config.json'), JSON.stringify({ colour: 'green' }));
      expect((await runCli(['start', '--data-dir', dir])).stderr).toContain('colour');
      const role = await runCli(['device', 'create', '--data-dir', dir, '--role', 'chef', '--name', 'x']);
      expect(role.code).toBe(2);
    } finally {
      remove();
    }
  });

  it('refuses a database written by a newer hub instead of guessing', async () => {
    const { dir, remove } = tempDir();
    try {
      const store = Store.open(join(dir, 'hub.db'));
      store.db.pragma('user_version = 99');
      store.close();
      const res = await runCli(['start', '--data-dir', dir]);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('schema version 99');
      expect(res.stderr).toContain('upgrade this hub');
    } finally {
      remove();
    }
  });
});

describe('graceful shutdown', () => {
  it('on SIGTERM under load: in-flight orders finish, sockets get 1012, the WAL is checkpointed, exit 0', async () => {
    const { dir, remove } = tempDir();
    try {
      const token = JSON.parse(
        (await runCli(['device', 'create', '--data-dir', dir, '--role', 'pos', '--name', 'x'])).stdout,
      ).token;
      const { child, base } = await spawnHub(dir, ['--demo']);
      const api = apiFor(base, token);
      const socket = new RecordingSocket(`${base.replace('http', 'ws')}/ws`, token);
      await socket.waitFor(() => socket.messages.find((m) => m.type === 'caught_up'));
      const acked: string[] = [];
      let stop = false;
      const writers = Array.from({ length: 6 }, async () => {
        while (!stop) {
          const body = burgerOrder();
          const res = await api('POST', '/api/v1/orders', body).catch(() => null);
          if (res?.status === 201) acked.push(body.id);
          if (!res || res.status >= 500) return;
        }
      });
      await expect.poll(() => acked.length).toBeGreaterThan(50); // under load
      child.kill('SIGTERM');
      const { code } = await exited(child);
      stop = true;
      await Promise.all(writers);
      expect(code).toBe(0);
      await socket.waitFor(() => socket.closed);
      expect(socket.closed!.code).toBe(CloseCode.restart);
      const wal = join(dir, 'hub.db-wal');
      expect(existsSync(wal) ? statSync(wal).size : 0).toBe(0);
      const store = Store.open(join(dir, 'hub.db'));
      const has = store.db.prepare('SELECT 1 FROM orders WHERE id = ?').pluck();
      expect(acked.length).toBeGreaterThan(0);
      expect(acked.filter((id) => !has.get(id))).toEqual([]);
      store.close();
    } finally {
      remove();
    }
  });
});
