/**
 * Firmware log counts by code, summed over devices, workers or hosts. Pure, so the XS worker
 * entry (sim/xs/entry.ts) uses it as well as the Node side.
 */
export function mergeCounts(all: Iterable<Readonly<Record<string, number>>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of all) for (const [k, v] of Object.entries(c)) out[k] = (out[k] ?? 0) + v;
  return out;
}
