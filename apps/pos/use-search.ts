import { useEffect, useState } from 'preact/hooks';
import { api } from '../shared/session.ts';

/**
 * Item ids ranked by the hub's menu search for `query`, or null: no query, or the hub is away
 * (the menu browser then filters the cached menu locally).
 */
export function useSearch(query: string): string[] | null {
  const [ranked, setRanked] = useState<string[] | null>(null);
  useEffect(() => {
    setRanked(null);
    if (!query.trim()) return;
    const timer = setTimeout(async () => {
      try {
        const res = await api<{ results: { itemId: string }[] }>(
          'GET',
          `/api/v1/menu/search?q=${encodeURIComponent(query)}&limit=24`,
        );
        if (res.ok) setRanked(res.body.results.map((r) => r.itemId));
      } catch {
        // the hub is away: the local filter keeps search working
      }
    }, 150);
    return () => clearTimeout(timer);
  }, [query]);
  return ranked;
}
