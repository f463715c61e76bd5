import type { SupabaseClient } from '@supabase/supabase-js';
import { useState } from 'preact/hooks';
import { html } from '../apps/shared/ui.ts';
import { MenuSnapshot } from '../protocol/menu.ts';

/** Where a menu check failed, in the menu's words: "Item “Cola” (cola): price …" rather than `items.36.price`. */
function where(menu: unknown, path: readonly PropertyKey[]): string {
  const [list, index, ...rest] = path;
  const entry = (menu as Record<string, unknown[]>)?.[String(list)]?.[Number(index)] as
    | { id?: string; name?: string }
    | undefined;
  const kinds: Record<string, string> = {
    items: 'Item',
    categories: 'Category',
    modifierGroups: 'Modifier group',
    stations: 'Station',
    taxClasses: 'Tax class',
  };
  if (typeof index !== 'number' || !entry || !kinds[String(list)]) return path.join('.');
  const named = entry.name ? `“${entry.name}”${entry.id ? ` (${entry.id})` : ''}` : `number ${index + 1}`;
  return `${kinds[String(list)]} ${named}${rest.length ? `, ${rest.join('.')}` : ''}`;
}

/**
 * Edit a restaurant's menu and publish it, to that restaurant and any others ticked, each as its
 * next version; their hubs pull it within a minute, and the hubs table shows when each applied it.
 */
export function MenuPublisher({
  client,
  restaurants,
}: {
  client: SupabaseClient;
  restaurants: { id: string; name: string }[];
}) {
  const [restaurant, setRestaurant] = useState('');
  const [targets, setTargets] = useState<string[]>([]);
  const [text, setText] = useState('');
  const [latest, setLatest] = useState(0);
  /** The editor appears only once the current menu has loaded, so nothing typed gets overwritten. */
  const [loadedFor, setLoadedFor] = useState('');
  const [messages, setMessages] = useState<{ tone: string; text: string }[]>([]);
  const latestOf = async (id: string) => {
    const { data } = await client
      .from('menu_versions')
      .select('version, body')
      .eq('restaurant_id', id)
      .order('version', { ascending: false })
      .limit(1);
    return data?.[0] as { version: number; body: unknown } | undefined;
  };
  const pick = async (id: string) => {
    setRestaurant(id);
    setTargets(id ? [id] : []);
    setLoadedFor('');
    setMessages([]);
    const row = await latestOf(id);
    setLatest(row?.version ?? 0);
    setText(row ? JSON.stringify(row.body, null, 2) : '');
    setLoadedFor(id);
  };
  const publish = async () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      setMessages([{ tone: 'bad', text: `Not valid JSON: ${(err as Error).message}` }]);
      return;
    }
    const checked = MenuSnapshot.safeParse({ ...(parsed as object), version: 1 });
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      setMessages([{ tone: 'bad', text: `${where(parsed, issue.path)}: ${issue.message}` }]);
      return;
    }
    const said: { tone: string; text: string }[] = [];
    for (const id of targets) {
      const name = restaurants.find((r) => r.id === id)?.name ?? id;
      const version = ((await latestOf(id))?.version ?? 0) + 1;
      const { error } = await client
        .from('menu_versions')
        .insert({ restaurant_id: id, version, body: { ...checked.data, version } });
      said.push(
        error
          ? { tone: 'bad', text: `${name}: ${error.message}` }
          : {
              tone: 'ok',
              text: `${name}: published version ${version}; the hub applies it on its next pull.`,
            },
      );
      if (!error && id === restaurant) setLatest(version);
    }
    setMessages(said);
  };
  const toggle = (id: string, on: boolean) =>
    setTargets((t) => (on ? [...new Set([...t, id])] : t.filter((x) => x !== id)));
  return html`<section class="card wide" data-testid="publish">
    <h2>Publish a menu</h2>
    <div class="row">
      <select onChange=${(e: Event) => pick((e.target as HTMLSelectElement).value)} data-testid="publish-restaurant">
        <option value="">Start from the menu of…</option>
        ${restaurants.map((r) => html`<option value=${r.id}>${r.name}</option>`)}
      </select>
      ${restaurant && html`<span class="muted">${loadedFor === restaurant ? `current version ${latest || 'none'}` : 'loading…'}</span>`}
    </div>
    ${
      restaurant &&
      loadedFor === restaurant &&
      html`<textarea class="menu-json" rows="14" value=${text} onInput=${(e: Event) => setText((e.target as HTMLTextAreaElement).value)} data-testid="menu-json"></textarea>
      <div class="row targets" data-testid="publish-targets"><span>Publish to</span>
        ${restaurants.map(
          (r) => html`<label><input type="checkbox" checked=${targets.includes(r.id)} data-target=${r.id}
            onChange=${(e: Event) => toggle(r.id, (e.target as HTMLInputElement).checked)} /> ${r.name}</label>`,
        )}
      </div>
      <button class="primary" onClick=${publish} disabled=${targets.length === 0} data-testid="publish-menu">
        Publish to ${targets.length} restaurant${targets.length === 1 ? '' : 's'}</button>`
    }
    ${messages.map((m) => html`<p class="notice ${m.tone}" data-testid="publish-result">${m.text}</p>`)}
  </section>`;
}
