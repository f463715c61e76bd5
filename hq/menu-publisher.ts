import type { SupabaseClient } from '@supabase/supabase-js';
import { useEffect, useState } from 'preact/hooks';
import { html } from '../apps/shared/ui.ts';
import { type MenuOverride, MenuSnapshot } from '../protocol/menu.ts';
import { menuForRestaurant } from '../rules/menu-overrides.ts';
import { loadOverrides, MenuOverrides } from './menu-overrides.ts';

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

/** A menu's content without its version: what two versions are compared by. */
const content = (body: unknown) => {
  const { version: _, ...rest } = (body ?? {}) as Record<string, unknown>;
  return JSON.stringify(rest);
};

/**
 * The organisation's menu and what each restaurant changes of it. The editor starts from the
 * organisation's latest menu (or, before there is one, from a restaurant's current menu: its hub
 * offered it on first sync); publishing saves it as the organisation's next version and gives each
 * restaurant ticked its own next version (the organisation's menu with that restaurant's
 * overrides). Their hubs pull it within a minute; the hubs table shows when each applied it.
 */
export function MenuPublisher({
  client,
  restaurants,
}: {
  client: SupabaseClient;
  restaurants: { id: string; name: string }[];
}) {
  const [organisation, setOrganisation] = useState<{ version: number; body: unknown } | null | undefined>(
    undefined,
  );
  const [startedFrom, setStartedFrom] = useState('');
  const [targets, setTargets] = useState<string[]>([]);
  const [text, setText] = useState('');
  const [overrides, setOverrides] = useState<Map<string, MenuOverride[]>>(new Map());
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
  const load = async () => {
    const { data } = await client
      .from('organisation_menus')
      .select('version, body')
      .order('version', { ascending: false })
      .limit(1);
    const latest = (data?.[0] as { version: number; body: unknown } | undefined) ?? null;
    setOrganisation(latest);
    if (latest) setText(JSON.stringify(latest.body, null, 2));
    setOverrides(await loadOverrides(client));
  };
  useEffect(() => {
    void load();
  }, []);
  /** Before the organisation has a menu: start from one restaurant's. */
  const startFrom = async (id: string) => {
    setStartedFrom(id);
    setMessages([]);
    const row = id ? await latestOf(id) : undefined;
    setText(row ? JSON.stringify({ ...(row.body as object), version: undefined }, null, 2) : '');
    if (id) setTargets(restaurants.map((r) => r.id));
  };
  /** The editor's menu, checked; or what is wrong with it, naming the item. */
  const parsed = (): { menu: MenuSnapshot } | { problem: string } => {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      return { problem: `Not valid JSON: ${(err as Error).message}` };
    }
    const checked = MenuSnapshot.safeParse({ ...(raw as object), version: 1 });
    if (checked.success) return { menu: checked.data };
    const issue = checked.error.issues[0]!;
    return { problem: `${where(raw, issue.path)}: ${issue.message}` };
  };
  const editorItems = (() => {
    const p = text ? parsed() : null;
    return p && 'menu' in p ? p.menu.items : [];
  })();

  const publish = async () => {
    const p = parsed();
    if ('problem' in p) return setMessages([{ tone: 'bad', text: p.problem }]);
    const { version: _, ...body } = p.menu;
    const said: { tone: string; text: string }[] = [];
    if (organisation && content(organisation.body) === content(body)) {
      said.push({
        tone: 'muted',
        text: `Organisation menu: unchanged since version ${organisation.version}.`,
      });
    } else {
      const version = (organisation?.version ?? 0) + 1;
      const { error } = await client.from('organisation_menus').insert({ version, body });
      if (error) return setMessages([{ tone: 'bad', text: `Organisation menu: ${error.message}` }]);
      setOrganisation({ version, body });
      said.push({ tone: 'ok', text: `Organisation menu: saved as version ${version}.` });
    }
    for (const id of targets) {
      const name = restaurants.find((r) => r.id === id)?.name ?? id;
      const { menu, summary } = menuForRestaurant(body as MenuSnapshot, overrides.get(id) ?? []);
      const checked = MenuSnapshot.safeParse({ ...menu, version: 1 });
      if (!checked.success) {
        const issue = checked.error.issues[0]!;
        said.push({
          tone: 'bad',
          text: `${name}, with its overrides: ${where(menu, issue.path)}: ${issue.message}`,
        });
        continue;
      }
      const version = ((await latestOf(id))?.version ?? 0) + 1;
      const { error } = await client
        .from('menu_versions')
        .insert({ restaurant_id: id, version, body: { ...checked.data, version } });
      const own = [
        summary.prices && `${summary.prices} price${summary.prices === 1 ? '' : 's'} of its own`,
        summary.removed && `${summary.removed} not sold there`,
        summary.added && `${summary.added} only there`,
      ].filter(Boolean);
      said.push(
        error
          ? { tone: 'bad', text: `${name}: ${error.message}` }
          : {
              tone: 'ok',
              text: `${name}: published version ${version}${own.length ? ` (${own.join(', ')})` : ''}; the hub applies it on its next pull.`,
            },
      );
    }
    setMessages(said);
  };
  const toggle = (id: string, on: boolean) =>
    setTargets((t) => (on ? [...new Set([...t, id])] : t.filter((x) => x !== id)));
  const editing = organisation || startedFrom;
  return html`<section class="card wide" data-testid="publish">
    <h2>Menu</h2>
    ${
      organisation === undefined
        ? html`<p class="muted">loading…</p>`
        : organisation
          ? html`<p class="muted" data-testid="organisation-menu">Organisation menu, version ${organisation.version}</p>`
          : html`<div class="row"><span class="muted" data-testid="organisation-menu">The organisation has no menu of its own yet.</span>
            <select onChange=${(e: Event) => startFrom((e.target as HTMLSelectElement).value)} data-testid="publish-restaurant">
              <option value="">Start from the menu of…</option>
              ${restaurants.map((r) => html`<option value=${r.id}>${r.name}</option>`)}
            </select></div>`
    }
    ${
      editing &&
      html`<textarea class="menu-json" rows="14" value=${text} onInput=${(e: Event) => setText((e.target as HTMLTextAreaElement).value)} data-testid="menu-json"></textarea>
      <${MenuOverrides} client=${client} restaurants=${restaurants} items=${editorItems} overrides=${overrides}
        onSaved=${async () => setOverrides(await loadOverrides(client))} />
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
