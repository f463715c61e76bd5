const formats = new Map<string, Intl.NumberFormat>();

/**
 * An amount in minor units (cents) as people read it: `$39.51`. The currency's own number of
 * decimals is used (none for JPY), so minor units are never assumed to be hundredths.
 */
export function money(minor: number, currency = 'USD', locale = 'en-US'): string {
  const key = `${locale}:${currency}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    formats.set(key, format);
  }
  return format.format(minor / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
}
