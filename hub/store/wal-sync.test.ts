import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/support/hub.ts';
import { WalSync } from './wal-sync.ts';

describe('WalSync', () => {
  it('shares flushes: calls during a running flush wait for one more, not one each', async () => {
    const { dir, remove } = tempDir();
    const file = join(dir, 'hub.db-wal');
    writeFileSync(file, 'frames');
    const wal = new WalSync(file);
    try {
      const first = wal.sync(); // starts at once
      appendFileSync(file, 'more frames'); // written after the first flush began…
      const later = Array.from({ length: 20 }, () => wal.sync()); // …so these need another
      await Promise.all([first, ...later]);
      expect(wal.syncs).toBe(2);
      await wal.sync(); // nothing running: a fresh flush
      expect(wal.syncs).toBe(3);
    } finally {
      await wal.close();
      remove();
    }
  });

  it('fails a flush it cannot do, and recovers once the file is there', async () => {
    const { dir, remove } = tempDir();
    const file = join(dir, 'hub.db-wal');
    const wal = new WalSync(file);
    try {
      await expect(wal.sync()).rejects.toMatchObject({ code: 'ENOENT' });
      writeFileSync(file, 'frames');
      await wal.sync();
      expect(wal.syncs).toBe(1);
    } finally {
      await wal.close();
      remove();
    }
  });
});
