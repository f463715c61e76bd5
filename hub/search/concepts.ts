/**
 * Intent from food knowledge: the third signal of menu search, beside the lexical index and the
 * embedding. models/menu-lexicon.json (built from WordNet by models/build-lexicon.ts) says that
 * chicken is poultry, that tequila is liquor and liquor is alcohol, that caffeine is found in
 * coffee and tea. An item carries the food concepts of its words and their ancestors; a query
 * word carries the concepts it names or implies; an item scores by how closely its concepts meet
 * each query word's. Pure: the lexicon is data, loaded once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { words } from '../../rules/menu-words.ts';
import { modelsDir } from './models-dir.ts';

export interface Lexicon {
  /** Each concept's words, by concept id. */
  concepts: string[][];
  parents: number[][];
  /** A menu word or phrase → its food sense. */
  items: ReadonlyMap<string, number[]>;
  /** A guest's word → the concepts it names or implies, with weights. */
  query: ReadonlyMap<string, [number, number][]>;
  /** A word that is not a food → the food concepts whose definitions use it ("skewer" → kabob). */
  definedBy: ReadonlyMap<string, number[]>;
  /** Query word → concepts it rules out ("meatless" → meat). */
  without: ReadonlyMap<string, number[]>;
  /** The concept of drinks: what a word of leaving out ("meatless") does not ask for. */
  beverage: number;
}

/** What one query word asks for: concepts with weights, or concepts to be without. */
export type Asked = { kind: 'with'; concepts: [number, number][] } | { kind: 'without'; concepts: number[] };

/** How much a concept counts per step up from the word that named it: chicken → poultry 0.9. */
const climb = 0.9;
/** A dish's non-food words ("skewers", "raw") hint at what it is, less than its food words say. */
const definedByWeight = 0.5;
/** Where the item's word stands: a dish's name says more about it than one word of its description. */
const fieldWeight = { name: 1, category: 0.9, description: 0.8 };

/**
 * Word tables become Maps: a plain object would answer "constructor" or "__proto__" from its
 * prototype, and a guest may type anything.
 */
export function loadLexicon(file = join(modelsDir, 'menu-lexicon.json')): Lexicon {
  const json = JSON.parse(readFileSync(file, 'utf8'));
  const table = <T>(o: Record<string, T>) => new Map(Object.entries(o));
  return {
    concepts: json.concepts,
    parents: json.parents,
    items: table<number[]>(json.items),
    query: table<[number, number][]>(json.query),
    definedBy: table<number[]>(json.definedBy),
    without: table<number[]>(json.without),
    beverage: json.beverage,
  };
}

/**
 * The first form of `word` that `find` knows: the word, then as a singular (wings → wing,
 * dumplings → dumpling, berries → berry, dishes → dish). WordNet lists lemmas, menus write plurals.
 */
export function lemmaOf<T>(word: string, find: (lemma: string) => T | undefined): T | undefined {
  const forms = [word];
  if (word.endsWith('ies')) forms.push(`${word.slice(0, -3)}y`);
  if (word.endsWith('es')) forms.push(word.slice(0, -2));
  if (word.endsWith('s') && !word.endsWith('ss')) forms.push(word.slice(0, -1));
  for (const f of forms) {
    const found = find(f);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** An item's concepts with their weights (the best way each was reached). */
export type ItemConcepts = Map<number, number>;

export function itemConcepts(
  lexicon: Lexicon,
  fields: { name: string; category: string; description: string },
): ItemConcepts {
  const out: ItemConcepts = new Map();
  const longest = 4;
  const reach = (concept: number, w: number) => {
    if ((out.get(concept) ?? 0) >= w) return;
    out.set(concept, w);
    for (const p of lexicon.parents[concept]!) reach(p, w * climb);
  };
  for (const field of ['name', 'category', 'description'] as const) {
    const w = words(fields[field]);
    for (let i = 0; i < w.length; ) {
      let matched = 0;
      for (let n = Math.min(longest, w.length - i); n >= 1 && matched === 0; n--) {
        const senses = lemmaOf(w.slice(i, i + n).join(' '), (l) => lexicon.items.get(l));
        if (senses) {
          for (const c of senses) reach(c, fieldWeight[field]);
          // "chicken wings" is a dish of its own in WordNet, and also chicken.
          if (n > 1)
            for (const part of w.slice(i, i + n))
              for (const c of lemmaOf(part, (l) => lexicon.items.get(l)) ?? [])
                reach(c, fieldWeight[field] * climb);
          matched = n;
        }
      }
      if (matched === 0)
        for (const c of lemmaOf(w[i]!, (l) => lexicon.definedBy.get(l)) ?? [])
          reach(c, fieldWeight[field] * definedByWeight);
      i += Math.max(1, matched);
    }
  }
  return out;
}

/** What each query word asks for (words that ask nothing the lexicon knows are left out). */
export function queryConcepts(lexicon: Lexicon, query: string[]): Asked[] {
  return query.flatMap((w): Asked[] => {
    const without = lemmaOf(w, (l) => lexicon.without.get(l));
    if (without) return [{ kind: 'without', concepts: without }];
    const found = lemmaOf(w, (l) => lexicon.query.get(l));
    return found ? [{ kind: 'with', concepts: found }] : [];
  });
}

/** How well a dish without what was ruled out answers: a strong match, not a perfect one. */
const withoutScore = 0.8;

/**
 * The menu's items by concept (an inverted index), so a query costs one pass over the items that
 * carry its concepts rather than a look at every item for every concept of every word.
 */
export class ConceptIndex {
  private readonly postings = new Map<number, { ids: string[]; weights: number[] }>();

  constructor(
    private readonly lexicon: Lexicon,
    private readonly items: ReadonlyMap<string, ItemConcepts>,
  ) {
    for (const [id, concepts] of items)
      for (const [c, w] of concepts) {
        const list = this.postings.get(c) ?? { ids: [], weights: [] };
        list.ids.push(id);
        list.weights.push(w);
        this.postings.set(c, list);
      }
  }

  /**
   * 0..1 per item: for each query word, the best meeting of one of its concepts with one of the
   * item's (query weight × item weight), averaged over the query words that have concepts. A word
   * of leaving out ("meatless") is met by every dish that has none of what it rules out.
   */
  score(query: Asked[]): Map<string, number> {
    const sum = new Map<string, number>();
    for (const word of query) {
      if (word.kind === 'without') {
        for (const [id, has] of this.items) {
          if (has.size === 0 || has.has(this.lexicon.beverage) || word.concepts.some((c) => has.has(c)))
            continue;
          sum.set(id, (sum.get(id) ?? 0) + withoutScore);
        }
        continue;
      }
      const best = new Map<string, number>();
      for (const [c, wq] of word.concepts) {
        const list = this.postings.get(c);
        if (!list) continue;
        for (let i = 0; i < list.ids.length; i++) {
          const v = wq * list.weights[i]!;
          if (v > (best.get(list.ids[i]!) ?? 0)) best.set(list.ids[i]!, v);
        }
      }
      for (const [id, v] of best) sum.set(id, (sum.get(id) ?? 0) + v);
    }
    for (const [id, v] of sum) sum.set(id, v / query.length);
    return sum;
  }
}
