/**
 * Rewrites the tables in docs/ that are generated from the code: the error catalogue
 * (docs/api.md), the configuration (docs/configuration.md) and what a cashier reads for each card
 * failure (docs/payments.md). Tests check that they agree.
 *
 *   npm run docs
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { configMarkdown } from '../hub/config.ts';
import { errorsMarkdown } from '../hub/errors.ts';
import { cardFailuresMarkdown } from '../hub/payments/failures.ts';

const root = new URL('../', import.meta.url);

function replaceBetween(file: string, name: string, table: string): void {
  const path = new URL(file, root);
  const text = readFileSync(path, 'utf8');
  const start = `<!-- generated: ${name} -->`;
  const end = `<!-- end generated: ${name} -->`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  if (i < 0 || j < i) throw new Error(`${file} has no ${start} … ${end} markers`);
  writeFileSync(path, `${text.slice(0, i + start.length)}\n${table}\n${text.slice(j)}`);
  console.log(`${file}: ${name} table written`);
}

replaceBetween('docs/api.md', 'errors', errorsMarkdown());
replaceBetween('docs/configuration.md', 'config', configMarkdown());
replaceBetween('docs/payments.md', 'card-failures', cardFailuresMarkdown());
