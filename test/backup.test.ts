import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeBackup } from '../hub/backup/backups.ts';
import { Store } from '../hub/store/index.ts';
import { apiFor, burgerOrder, exited, runCli, spawnHub, startHub, tempDir } from './support/hub.ts';

describe('backups and the restore drill', () => {
  it('backs up online, refuses to restore under a running hub, restores with an integrity check, and keeps seqs moving forward', async () => {
    const { dir, remove } = tempDir();
    let hub: Awaited<ReturnType<typeof spawnHub>> | null = null;
    try {
      const token = JSON.parse(
        (await runCli(['device', 'create', '--data-dir', dir, '--role', 'manager', '--name', 'boss'])).stdout,
      ).token;
      hub = await spawnHub(dir, ['--demo']);
      let api = apiFor(hub.base, token);
      const before: string[] = [];
      for (let i = 0; i < 10; i++) before.push((await api('POST', '/api/v1/orders', burgerOrder())).body.id);
      const made = await api('POST', '/api/v1/backups');
      expect(made.status).toBe(201);
      expect(
        (await api('GET', '/api/v1/backups')).body.backups.map((b: { file: string }) => b.file),
      ).toContain(made.body.file);
      const after: string[] = [];
      for (let i = 0; i < 5; i++) after.push((await api('POST', '/api/v1/orders', burgerOrder())).body.id);
      const headBefore = (await api('GET', '/health')).body.headSeq;

      const refused = await runCli(['restore', made.body.file, '--data-dir', dir]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('is running');

      hub.child.kill('SIGTERM');
      await exited(hub.child);
      const restored = await runCli(['restore', made.body.file, '--data-dir', dir]);
      expect(restored.code).toBe(0);
      expect(JSON.parse(restored.stdout)).toMatchObject({
        restored: true,
        seqFloor: headBefore,
        keptAs: expect.stringContaining('hub.db.replaced-'),
      });

      hub = await spawnHub(dir);
      api = apiFor(hub.base, token);
      for (const id of before) expect((await api('GET', `/api/v1/orders/${id}`)).status).toBe(200);
      for (const id of after) expect((await api('GET', `/api/v1/orders/${id}`)).status).toBe(404);
      await api('POST', '/api/v1/orders', burgerOrder());
      // Seqs the replaced database had used (and the cloud may hold) are never handed out again.
      expect((await api('GET', '/health')).body.headSeq).toBeGreaterThan(headBefore);
      hub.child.kill('SIGTERM');
      await exited(hub.child);
      hub = null;
      const store = Store.open(join(dir, 'hub.db'));
      expect(store.integrityCheck()).toBe('ok');
      store.close();
    } finally {
      if (hub) {
        hub.child.kill('SIGKILL');
        await exited(hub.child);
      }
      remove();
    }
  });

  it('refuses a damaged backup and leaves the database alone', async () => {
    const { dir, remove } = tempDir();
    try {
      await runCli(['device', 'create', '--data-dir', dir, '--role', 'pos', '--name', 'x']);
      const bad = join(dir, 'not-a-backup.db');
      writeFileSync(bad, 'SQLite format 3\0 but then garbage'.repeat(200));
      const res = await runCli(['restore', bad, '--data-dir', dir]);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(/not a readable SQLite database|integrity/);
      expect(JSON.parse((await runCli(['device', 'list', '--data-dir', dir])).stdout).devices).toHaveLength(
        1,
      );
    } finally {
      remove();
    }
  });

  it('rotates: keeps the newest backupKeep', async () => {
    const t = await startHub({ backupKeep: 3 });
    try {
      const at = (minute: number) => Date.UTC(2026, 10, 29, 8, minute);
      for (let minute = 0; minute < 5; minute++) await makeBackup(t.hub.store, t.dir, 3, at(minute));
      expect(t.hub.backups.list().map((b) => b.at)).toEqual(
        [4, 3, 2].map((minute) => new Date(at(minute)).toISOString().replace('.000', '')),
      );
    } finally {
      await t.stop();
    }
  });
});
