import { existsSync, readFileSync } from 'node:fs';

/** The package's version, from the sources (hub/) or the compiled build (dist/hub/). */
const file = [
  new URL('../package.json', import.meta.url),
  new URL('../../package.json', import.meta.url),
].find((u) => existsSync(u))!;
export const hubVersion: string = JSON.parse(readFileSync(file, 'utf8')).version;
