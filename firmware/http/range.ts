/**
 * Range requests for resumable firmware download (RFC 9110 section 14;
 * shared/reference/protocols.md section 6). One range per request, so a 206 is always
 * single-part; the answer is checked against what was asked before a byte is written.
 *
 * Outcomes the caller (the OTA download) acts on:
 * - partial  206: the body is bytes first..last; write them at `first`.
 * - full     200: the range was ignored (or If-Range did not match): the body is the whole
 *            representation from byte 0. Restart the slot write at 0 and the SHA-256, adopt the
 *            new ETag and length; never append it at the resume offset (15.3.7.3).
 * - complete 416 with `bytes * /N` and N == first: a resume at exactly the end; nothing is missing.
 * Anything else: ERR_HTTP_RANGE (unsatisfiable, or a Content-Range that does not match) or
 * ERR_HTTP_STATUS.
 */
import { FirmwareError } from '../errors.js';
import type { HttpHeaders } from './head.js';
import { expectStatus, type HttpClient, type HttpRequest, type HttpResponse } from './client.js';

/** Inclusive, 0-based; no `last` = to the end. */
export interface ByteRange {
  first: number;
  last?: number;
}

export type ContentRange =
  | { satisfied: true; first: number; last: number; complete: number | undefined }
  | { satisfied: false; complete: number };

export type RangeOutcome =
  | { kind: 'partial'; first: number; last: number; complete: number | undefined }
  | { kind: 'full'; length: number | undefined }
  | { kind: 'complete'; length: number };

const rangeError = (detail: string, details?: Record<string, unknown>): FirmwareError => new FirmwareError('ERR_HTTP_RANGE', detail, details);
const isOffset = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

/** `bytes=first-last` or `bytes=first-` (RFC 9110 14.1.2). */
export function rangeHeader(range: ByteRange): string {
  if (!isOffset(range.first) || (range.last !== undefined && (!isOffset(range.last) || range.last < range.first))) {
    throw new FirmwareError('ERR_ARGUMENT', `byte range ${range.first}-${String(range.last ?? '')}`);
  }
  return `bytes=${range.first}-${range.last ?? ''}`;
}

/** `bytes=-N`: the last N bytes (RFC 9110 14.1.2). */
export function suffixRangeHeader(length: number): string {
  if (!isOffset(length) || length === 0) throw new FirmwareError('ERR_ARGUMENT', `suffix length ${length}`);
  return `bytes=-${length}`;
}

/** Content-Range: `bytes first-last/complete`, `bytes first-last/*` or `bytes * /complete` (RFC 9110 14.4). */
export function parseContentRange(value: string | undefined): ContentRange {
  if (value === undefined) throw rangeError('206 or 416 without Content-Range');
  const m = /^bytes[ ]+(?:([0-9]{1,15})-([0-9]{1,15})|(\*))\/([0-9]{1,15}|\*)$/.exec(value.trim());
  if (m === null) throw rangeError(`bad Content-Range ${JSON.stringify(value.slice(0, 60))}`);
  const complete = m[4] === '*' ? undefined : Number(m[4]);
  if (m[3] === '*') {
    if (complete === undefined) throw rangeError('Content-Range bytes */*');
    return { satisfied: false, complete };
  }
  const first = Number(m[1]);
  const last = Number(m[2]);
  // RFC 9110 14.4: invalid if last < first, or complete <= last.
  if (last < first || (complete !== undefined && complete <= last)) throw rangeError(`inconsistent Content-Range ${value}`);
  return { satisfied: true, first, last, complete };
}

/** Strong entity tag (RFC 9110 8.8.3): quoted, not W/-prefixed. Only these go in If-Range (13.1.5). */
export function isStrongEtag(etag: string | undefined): etag is string {
  return etag !== undefined && /^"[\x21\x23-\x7e\x80-\xff]*"$/.test(etag);
}

/** Checks a response to a single-range request (protocols.md section 6 "Validate"). */
export function classifyRangeResponse(range: ByteRange, response: { status: number; headers: HttpHeaders }, knownLength?: number): RangeOutcome {
  const { status, headers } = response;
  const declared = headers.get('content-length');
  const length = declared === undefined || !/^[0-9]{1,15}$/.test(declared.trim()) ? undefined : Number(declared.trim());
  if (status === 200) return { kind: 'full', length };
  if (status === 416) {
    const cr = parseContentRange(headers.get('content-range'));
    const complete = cr.complete;
    if (!cr.satisfied && complete === range.first && (knownLength === undefined || knownLength === complete)) return { kind: 'complete', length: complete };
    throw rangeError(`range ${rangeHeader(range)} not satisfiable`, { complete });
  }
  if (status !== 206) throw new FirmwareError('ERR_HTTP_STATUS', `${status} to a range request`, { status });
  if ((headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/byteranges')) throw rangeError('multipart answer to a single range');
  const cr = parseContentRange(headers.get('content-range'));
  if (!cr.satisfied) throw rangeError('206 with an unsatisfied Content-Range');
  const end = range.last ?? (cr.complete ?? knownLength ?? Number.MAX_SAFE_INTEGER) - 1;
  if (cr.first !== range.first) throw rangeError(`asked from ${range.first}, got from ${cr.first}`);
  if (cr.last > end) throw rangeError(`asked up to ${end}, got up to ${cr.last}`);
  if (knownLength !== undefined && cr.complete !== undefined && cr.complete !== knownLength) {
    throw rangeError(`representation is ${cr.complete} bytes, expected ${knownLength}`);
  }
  if (length !== undefined && length !== cr.last - cr.first + 1) throw rangeError(`Content-Length ${length} for ${cr.last - cr.first + 1} range bytes`);
  return { kind: 'partial', first: cr.first, last: cr.last, complete: cr.complete };
}

/**
 * GET with `Range` (and `If-Range` when a strong ETag is known), then classify the answer. The
 * response is returned open for its body (closed on `complete` and on errors).
 */
export async function requestRange(
  client: HttpClient,
  request: Omit<HttpRequest, 'method' | 'body'>,
  range: ByteRange,
  options: { etag?: string; knownLength?: number } = {},
): Promise<{ response: HttpResponse; outcome: RangeOutcome }> {
  const headers: Record<string, string> = { ...request.headers, Range: rangeHeader(range) };
  if (isStrongEtag(options.etag)) headers['If-Range'] = options.etag;
  const response = await client.request({ ...request, method: 'GET', headers });
  try {
    expectStatus(response, 200, 206, 416);
    const outcome = classifyRangeResponse(range, response, options.knownLength);
    if (outcome.kind === 'complete') response.close();
    return { response, outcome };
  } catch (error) {
    response.close();
    throw error;
  }
}
