import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the committed search model lives (models/: the embedding model and the food lexicon),
 * from the sources or from the compiled build in dist/; a packaged desktop app ships it as an
 * extra resource and says where (GROW_MODELS_DIR).
 */
export const modelsDir =
  process.env.GROW_MODELS_DIR ??
  [join(import.meta.dirname, '../../models'), join(import.meta.dirname, '../../../models')].find((d) =>
    existsSync(join(d, 'menu-embed.json')),
  ) ??
  join(import.meta.dirname, '../../models');
