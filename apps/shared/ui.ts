/** JSX-like templates without a compiler step: html`<div class=${x}>…</div>` (htm bound to Preact). */
export { html } from 'htm/preact';

import { money as format } from '../../rules/money.ts';

/** An amount in minor units, in the browser's own locale. */
export const money = (minor: number, currency = 'USD'): string => format(minor, currency, navigator.language);

export function age(fromIso: string, now: number): string {
  const s = Math.max(0, Math.floor((now - Date.parse(fromIso)) / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
