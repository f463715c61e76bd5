import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../protocol/errors.ts';
import { errorCatalogue, errorsMarkdown, HubError, toProblem } from './errors.ts';

describe('the error catalogue', () => {
  it('has an entry for every code devices may see, and a problem+json shape for each', () => {
    expect(Object.keys(errorCatalogue).sort()).toEqual([...ErrorCode.options].sort());
    const problem = toProblem(new HubError('ITEM_UNAVAILABLE', 'Cola is out.'), '/api/v1/orders');
    expect(problem).toEqual({
      type: 'urn:grow-hub:problem:item-unavailable',
      title: errorCatalogue.ITEM_UNAVAILABLE.title,
      status: 422,
      detail: 'Cola is out.',
      code: 'ITEM_UNAVAILABLE',
      instance: '/api/v1/orders',
    });
  });

  it('is documented: docs/api.md holds the table generated from it', () => {
    const doc = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8');
    expect(doc).toContain(errorsMarkdown());
  });
});
