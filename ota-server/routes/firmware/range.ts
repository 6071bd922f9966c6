/**
 * Conditional and range requests for firmware images (RFC 9110; protocols.md section 6).
 * Images are content-addressed and never change, so the ETag is the strong validator
 * `"<sha256>"` and Last-Modified is as strong as it.
 */

export type RangeDecision =
  | { kind: 'not-modified' }
  | { kind: 'full' }
  | { kind: 'partial'; start: number; end: number }
  | { kind: 'unsatisfiable' };

/** Entity tags of an If-None-Match list; `*` matches anything. Weak comparison (RFC 9110 13.1.2). */
function noneMatch(header: string, etag: string): boolean {
  const wanted = etag.replace(/^W\//, '');
  return header.split(',').map((t) => t.trim()).some((t) => t === '*' || t.replace(/^W\//, '') === wanted);
}

/**
 * If-Range (RFC 9110 13.1.5): a strong entity tag must equal ours by strong comparison (a weak
 * tag never matches); an HTTP-date must equal Last-Modified exactly.
 */
function ifRangeHolds(header: string, etag: string, lastModifiedMs: number): boolean {
  const value = header.trim();
  if (value.startsWith('"')) return value === etag;
  if (value.startsWith('W/')) return false;
  const date = Date.parse(value);
  return Number.isFinite(date) && Math.floor(date / 1000) === Math.floor(lastModifiedMs / 1000);
}

/**
 * One byte range of `size` bytes from a Range header (RFC 9110 14.1.2): `bytes=a-b`, `bytes=a-`,
 * `bytes=-n`. Undefined means "ignore the header" (other units, several ranges, bad syntax),
 * which RFC 9110 14.2 allows; 'unsatisfiable' is 416.
 */
export function parseRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d{0,15})-(\d{0,15})$/.exec(header.trim());
  if (match === null) return undefined;
  const [, a, b] = match as unknown as [string, string, string];
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? Number.MAX_SAFE_INTEGER : Number(b);
  if (end < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end: Math.min(end, size - 1) };
}

export function decide(headers: { range?: string | undefined; ifRange?: string | undefined; ifNoneMatch?: string | undefined; method: string },
  image: { etag: string; size: number; lastModifiedMs: number }): RangeDecision {
  if (headers.ifNoneMatch !== undefined && noneMatch(headers.ifNoneMatch, image.etag)) return { kind: 'not-modified' };
  // Range is defined for GET only (RFC 9110 14.2).
  if (headers.range === undefined || headers.method !== 'GET') return { kind: 'full' };
  if (headers.ifRange !== undefined && !ifRangeHolds(headers.ifRange, image.etag, image.lastModifiedMs)) return { kind: 'full' };
  const range = parseRange(headers.range, image.size);
  if (range === undefined) return { kind: 'full' };
  if (range === 'unsatisfiable') return { kind: 'unsatisfiable' };
  return { kind: 'partial', ...range };
}
