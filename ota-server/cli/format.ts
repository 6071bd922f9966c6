/** Plain-text tables and values for people (scripts use --json). */

export function table(rows: ReadonlyArray<Record<string, unknown>>, columns: readonly string[]): string {
  if (rows.length === 0) return '(none)\n';
  const cells = rows.map((r) => columns.map((c) => show(r[c], c)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: readonly string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map(heading)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n') + '\n';
}

/** lastSeenAtMs -> LAST SEEN AT */
function heading(key: string): string {
  return key.replace(/AtMs$/, 'At').replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toUpperCase();
}

export function pairs(record: Record<string, unknown>, keys: readonly string[] = Object.keys(record)): string {
  const width = Math.max(...keys.map((k) => k.length));
  return keys.map((k) => `${k.padEnd(width)}  ${show(record[k], k)}`).join('\n') + '\n';
}

/** `...AtMs` fields are UTC milliseconds: shown as ISO 8601. */
export function show(value: unknown, key = ''): string {
  if (value === null || value === undefined) return '-';
  if (Array.isArray(value)) return value.map((v) => show(v)).join(',');
  if (typeof value === 'number' && key.endsWith('AtMs')) return new Date(value).toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
