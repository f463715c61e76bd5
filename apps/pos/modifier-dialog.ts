import { useEffect, useRef, useState } from 'preact/hooks';
import type { MenuItem, ModifierGroup } from '../../protocol/menu.ts';
import type { Catalog } from '../../rules/catalog.ts';
import { html, money } from '../shared/ui.ts';

/** Choose an item's modifiers (each group's minimum and maximum enforced), quantity and a note. */
export function ModifierDialog({
  item,
  catalog,
  currency,
  onCancel,
  onAdd,
}: {
  item: MenuItem;
  catalog: Catalog;
  currency: string;
  onCancel: () => void;
  onAdd: (item: MenuItem, modifiers: string[], qty: number, note: string) => void;
}) {
  const groups = item.modifierGroupIds.map((id) => catalog.groups.get(id)!) as ModifierGroup[];
  const [chosen, setChosen] = useState<Record<string, string[]>>(() =>
    Object.fromEntries(
      groups.map((g) => [g.id, g.minChoices > 0 ? g.options.filter((o) => o.default).map((o) => o.id) : []]),
    ),
  );
  const [qty, setQty] = useState(1);
  const [note, setNote] = useState('');
  const box = useRef<HTMLDivElement>(null);
  // Focus moves into the dialog (its first choice), and Escape closes it, as a keyboard user expects.
  useEffect(() => {
    box.current?.querySelector<HTMLElement>('button, input')?.focus();
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onCancel();
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const toggle = (g: ModifierGroup, optionId: string) => {
    const now = chosen[g.id] ?? [];
    let next: string[];
    if (now.includes(optionId)) next = now.filter((o) => o !== optionId);
    else if (g.maxChoices === 1) next = [optionId];
    else if (now.length < g.maxChoices) next = [...now, optionId];
    else return;
    setChosen({ ...chosen, [g.id]: next });
  };
  const valid = groups.every((g) => (chosen[g.id]?.length ?? 0) >= g.minChoices);
  const unit =
    item.price +
    groups
      .flatMap((g) => g.options.filter((o) => chosen[g.id]?.includes(o.id)))
      .reduce((s, o) => s + o.priceDelta, 0);
  return html`<div class="dialog-backdrop" onClick=${(e: Event) => e.target === e.currentTarget && onCancel()}>
    <div class="dialog" role="dialog" aria-modal="true" aria-label=${item.name} data-testid="modifiers" ref=${box}>
      <h2>${item.name}</h2>
      <p class="muted">${item.description}</p>
      ${groups.map(
        (g) => html`<fieldset>
          <legend>${g.name} <small>${g.minChoices > 0 ? `choose ${g.minChoices === g.maxChoices ? g.minChoices : `${g.minChoices}–${g.maxChoices}`}` : `up to ${g.maxChoices}`}</small></legend>
          ${g.options.map(
            (
              o,
            ) => html`<button class=${chosen[g.id]?.includes(o.id) ? 'opt on' : 'opt'} onClick=${() => toggle(g, o.id)} data-option=${o.id}>
              ${o.name}${o.priceDelta !== 0 ? html` <small>${o.priceDelta > 0 ? '+' : ''}${money(o.priceDelta, currency)}</small>` : ''}
            </button>`,
          )}
        </fieldset>`,
      )}
      <label class="note-field">Note for the kitchen <input value=${note} maxlength="280" onInput=${(e: Event) => setNote((e.target as HTMLInputElement).value)} data-testid="note" /></label>
      <div class="dialog-actions">
        <div class="stepper">
          <button onClick=${() => setQty(Math.max(1, qty - 1))} aria-label="less">−</button><span data-testid="qty">${qty}</span
          ><button onClick=${() => setQty(Math.min(999, qty + 1))} aria-label="more">+</button>
        </div>
        <button onClick=${onCancel}>Cancel</button>
        <button class="primary" disabled=${!valid} onClick=${() =>
          onAdd(
            item,
            groups.flatMap((g) => chosen[g.id] ?? []),
            qty,
            note.trim(),
          )} data-testid="add">
          Add · ${money(unit * qty, currency)}
        </button>
      </div>
    </div>
  </div>`;
}
