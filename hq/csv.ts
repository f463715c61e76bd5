import { html } from '../apps/shared/ui.ts';

const field = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Cents as a plain decimal for a spreadsheet: 27657 → "276.57" (strings and nulls count as numbers). */
export const decimal = (cents: unknown) => (Number(cents ?? 0) / 100).toFixed(2);

/** Rows as CSV text: a header line, then one line per row; fields quoted where they need it. */
export function toCsv(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return `${[header, ...rows].map((r) => r.map(field).join(',')).join('\n')}\n`;
}

/** Saves text as a file the browser downloads. */
export function download(filename: string, text: string): void {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  link.download = filename;
  link.click();
  URL.revokeObjectURL(link.href);
}

/** "Download CSV" for one of the dashboard's tables. */
export function CsvButton({
  filename,
  header,
  rows,
  testid,
}: {
  filename: string;
  header: readonly string[];
  rows: () => readonly (readonly unknown[])[];
  testid: string;
}) {
  return html`<button class="csv" onClick=${() => download(filename, toCsv(header, rows()))} data-testid=${testid}>Download CSV</button>`;
}
