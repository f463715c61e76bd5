/**
 * The words of menu search that need no model and no database, shared by the hub and the POS's
 * offline search: splitting text into words, what guests say → what menus write (aliases), typo
 * correction against the menu's own words, and name matches. Pure.
 */

/** Lower-case words of a text, accents removed: "Crème Brûlée!" → ["creme", "brulee"]. */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/**
 * Words that say nothing about a dish, left out where words are matched one by one (the word
 * matching of menu search, the evaluation's no-shared-word check): "something for a vegan"
 * shares "a" with half the menu.
 */
export const stopWords: ReadonlySet<string> = new Set(
  'a an and the of or in on at to for with from by over into some something anything any me my i we our please like want get have has is are be one two three four five six eight twelve oz'.split(
    ' ',
  ),
);

/** The words of a text that can say what it is about. */
export function contentWords(text: string): string[] {
  return words(text).filter((w) => !stopWords.has(w) && !/^\d+$/.test(w));
}

/**
 * What guests and staff say → what menus write. Applied to the query before both the lexical and
 * the vector search. Small on purpose: the embedding model covers most synonyms; this list covers
 * the regionalisms and slang GloVe places badly.
 */
const aliasList: Readonly<Record<string, string>> = {
  soda: 'soft drink cola lemon lime soda',
  pop: 'soft drink cola soda',
  fizzy: 'soft drink sparkling soda',
  coke: 'cola',
  sprite: 'lemon lime soda',
  chips: 'fries',
  crisps: 'fries',
  fries: 'fries',
  veggie: 'vegetarian vegetable',
  vegan: 'vegan vegetable',
  booze: 'beer wine cocktail',
  pint: 'beer lager ale',
  vino: 'wine',
  bubbly: 'prosecco sparkling wine',
  java: 'coffee espresso',
  joe: 'coffee',
  cuppa: 'tea',
  pud: 'dessert pudding',
  afters: 'dessert',
  sweet: 'dessert',
  starter: 'starter appetizer',
  appetizer: 'starter',
  app: 'starter',
  sarnie: 'sandwich',
  butty: 'sandwich',
  bangers: 'sausage',
  steak: 'steak ribeye',
  shrimp: 'shrimp prawn',
  prawns: 'shrimp',
  kids: 'small',
};

// A Map, not the object: "constructor" or "__proto__" typed into search must find no alias.
const aliases: ReadonlyMap<string, string> = new Map(Object.entries(aliasList));

export function expandAliases(words: readonly string[]): string[] {
  return words.flatMap((w) => {
    const alias = aliases.get(w);
    return alias ? [w, ...alias.split(' ')] : [w];
  });
}

/** What a one-word query stands for when its alias is one word too ("coke" → "cola"), for name matches. */
export function oneWordAliases(query: readonly string[]): string[] {
  const alias = query.length === 1 ? aliases.get(query[0]!) : undefined;
  return alias && !alias.includes(' ') ? [alias] : [];
}

/** Damerau–Levenshtein distance (optimal string alignment), stopping early past `max`. */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const prev2 = new Array<number>(b.length + 1).fill(0);
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, prev2[j - 2]! + 1);
      cur.push(v);
      best = Math.min(best, v);
    }
    if (best > max) return max + 1;
    for (let j = 0; j <= b.length; j++) prev2[j] = prev[j]!;
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Typo tolerance for the lexical side: a query word the menu never uses is replaced by the menu
 * words within one edit (two for long words), e.g. `buger` → `burger`, `expreso` → `espresso`.
 */
export function correct(word: string, menuWords: ReadonlySet<string>): string[] {
  if (menuWords.has(word) || word.length < 4) return [word];
  const max = word.length >= 7 ? 2 : 1;
  const near = [...menuWords].filter((m) => m.length >= 3 && editDistance(word, m, max) <= max);
  return near.length > 0 ? near : [word];
}

/**
 * Name matches: a guest who says "cola" or "coke" means Cola, not Diet Cola, however similar the
 * two are on every other signal. Names are prepared once per menu; a query compares strings.
 */
const singular = (w: string) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w);

export class NameIndex {
  private readonly names: { id: string; exact: string; singular: string }[];

  constructor(items: readonly { id: string; name: string }[]) {
    this.names = items.map((i) => {
      const w = words(i.name);
      return { id: i.id, exact: w.join(' '), singular: w.map(singular).join(' ') };
    });
  }

  /**
   * Per item whose name matches: 1 when its name (as words) is the query or one of its one-word
   * aliases ("coke" → "cola"); 0.5 when it nearly is (a plural, or one typo in a name of five
   * letters or more).
   */
  match(query: string): Map<string, number> {
    const said = words(query);
    const exact = said.join(' ');
    const plural = said.map(singular).join(' ');
    const aliases = oneWordAliases(said);
    const out = new Map<string, number>();
    for (const n of this.names) {
      if (n.exact === exact || aliases.includes(n.exact)) out.set(n.id, 1);
      else if (
        n.singular === plural ||
        (n.exact.length >= 5 &&
          n.exact[0] === exact[0] && // a typo in the first letter is rare; this skips most names
          Math.abs(n.exact.length - exact.length) <= 1 &&
          editDistance(exact, n.exact, 1) <= 1)
      )
        out.set(n.id, 0.5);
    }
    return out;
  }
}
