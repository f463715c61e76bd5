/**
 * Menu search on the till itself, for when the hub cannot be reached: the menu the POS already
 * holds, indexed word by word, searched with the hub's own aliases, typo correction and name
 * matches (rules/menu-words.ts). No model and no concepts: "buger", "coke" and "chips" work
 * offline; "poultry" waits for the hub.
 */
import { contentWords, correct, expandAliases, NameIndex, words } from './menu-words.ts';

export interface Findable {
  id: string;
  name: string;
  description: string;
  category: string;
  /** Menu order, for ties. */
  sort: number;
}

interface IndexedItem {
  id: string;
  sort: number;
  fields: { words: ReadonlySet<string>; weight: number }[];
}

export interface OfflineIndex {
  items: IndexedItem[];
  names: NameIndex;
  /** Every word on the menu, for typo correction. */
  words: ReadonlySet<string>;
}

/** A name word counts most, then the category, then the description (as in the hub's BM25). */
const fieldWeights = { name: 3, category: 2, description: 1 };
/** A name match puts an item first, as on the hub. */
const nameBonus = 10;

export function indexMenu(items: readonly Findable[]): OfflineIndex {
  const all = new Set<string>();
  const indexed = items.map((i) => {
    const fields = (['name', 'category', 'description'] as const).map((f) => {
      const ws = new Set(words(i[f]));
      for (const w of ws) all.add(w);
      return { words: ws, weight: fieldWeights[f] };
    });
    return { id: i.id, sort: i.sort, fields };
  });
  return { items: indexed, names: new NameIndex(items), words: all };
}

/** A query term meets an item word when they are equal, or the term starts it ("burg" → burger). */
const meets = (term: string, word: string) => word === term || (term.length >= 3 && word.startsWith(term));

/** Item ids that match `query`, best first (at most `limit`); [] when nothing does. */
export function searchOffline(index: OfflineIndex, query: string, limit = 24): string[] {
  const asked = contentWords(query);
  if (asked.length === 0) return [];
  // Each word the guest said, with what it may stand for: its aliases and, for a word the menu
  // never uses, the menu words one or two typos away.
  const groups = asked.map((w) =>
    [...new Set(expandAliases([w]).flatMap((x) => correct(x, index.words)))].filter((x) => x.length > 0),
  );
  const named = index.names.match(query);
  const scored: { id: string; sort: number; score: number }[] = [];
  for (const item of index.items) {
    let score = nameBonus * (named.get(item.id) ?? 0);
    for (const group of groups) {
      let best = 0;
      for (const term of group)
        for (const f of item.fields)
          for (const w of f.words) if (f.weight > best && meets(term, w)) best = f.weight;
      score += best;
    }
    if (score > 0) scored.push({ id: item.id, sort: item.sort, score });
  }
  return scored
    .sort((a, b) => b.score - a.score || a.sort - b.sort)
    .slice(0, limit)
    .map((s) => s.id);
}
