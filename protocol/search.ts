import { z } from 'zod';
import { Slug } from './ids.ts';

/** One result of `GET /api/v1/menu/search`, best first. */
export const SearchHit = z.object({
  itemId: Slug,
  name: z.string(),
  price: z.int(),
  categoryId: Slug,
  /** false: 86'd, shown greyed out. */
  available: z.boolean(),
  score: z.number(),
  /** The parts of the score (each 0..1 before weighting), for tuning and for curious operators. */
  vector: z.number(),
  lexical: z.number(),
  concept: z.number(),
  words: z.number(),
});
export type SearchHit = z.infer<typeof SearchHit>;
