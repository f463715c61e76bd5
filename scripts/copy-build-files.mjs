// `npm run build` compiles TypeScript into dist/; these files are not TypeScript but ship with it.
import { copyFileSync } from 'node:fs';

for (const file of ['hub/store/checkpoint-worker.mjs', 'hub/menu/demo-menu.json', 'apps/desktop/preload.cjs'])
  copyFileSync(file, `dist/${file}`);
