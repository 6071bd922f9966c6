import { describe, expect, it } from 'vitest';
import { classifyRangeResponse, isStrongEtag, parseContentRange, rangeHeader, suffixRangeHeader } from '../../../../firmware/http/range.js';

const h = (entries: Record<string, string>): Map<string, string> => new Map(Object.entries(entries));
const code = (fn: () => unknown): string => {
  try { fn(); } catch (e) { return (e as { code: string }).code; }
  return 'no error';
};

describe('Range helpers (RFC 9110 section 14)', () => {
  it('formats ranges (14.1.2)', () => {
    expect(rangeHeader({ first: 0, last: 499 })).toBe('bytes=0-499');
    expect(rangeHeader({ first: 9500 })).toBe('bytes=9500-');
    expect(suffixRangeHeader(500)).toBe('bytes=-500');
    expect(code(() => rangeHeader({ first: 5, last: 4 }))).toBe('ERR_ARGUMENT');
    expect(code(() => rangeHeader({ first: -1 }))).toBe('ERR_ARGUMENT');
    expect(code(() => suffixRangeHeader(0))).toBe('ERR_ARGUMENT');
  });

  it('parses Content-Range (14.4)', () => {
    expect(parseContentRange('bytes 42-1233/1234')).toEqual({ satisfied: true, first: 42, last: 1233, complete: 1234 });
    expect(parseContentRange('bytes 42-1233/*')).toEqual({ satisfied: true, first: 42, last: 1233, complete: undefined });
    expect(parseContentRange('bytes */1234')).toEqual({ satisfied: false, complete: 1234 });
    for (const bad of ['bytes 5-4/10', 'bytes 0-10/10', 'bytes */*', 'items 0-1/2', 'bytes 0-1', 'bytes=0-1/2']) {
      expect(code(() => parseContentRange(bad)), bad).toBe('ERR_HTTP_RANGE');
    }
    expect(code(() => parseContentRange(undefined))).toBe('ERR_HTTP_RANGE');
  });

  it('strong ETags only (8.8.3)', () => {
    expect(isStrongEtag('"abc"')).toBe(true);
    expect(isStrongEtag('W/"abc"')).toBe(false);
    expect(isStrongEtag('abc')).toBe(false);
    expect(isStrongEtag(undefined)).toBe(false);
  });

  it('classifies the answers of protocols.md section 6', () => {
    const range = { first: 100 };
    expect(classifyRangeResponse(range, { status: 206, headers: h({ 'content-range': 'bytes 100-199/200', 'content-length': '100' }) }, 200))
      .toEqual({ kind: 'partial', first: 100, last: 199, complete: 200 });
    expect(classifyRangeResponse(range, { status: 200, headers: h({ 'content-length': '200' }) })).toEqual({ kind: 'full', length: 200 });
    expect(classifyRangeResponse({ first: 200 }, { status: 416, headers: h({ 'content-range': 'bytes */200' }) }, 200)).toEqual({ kind: 'complete', length: 200 });
  });

  it.each<[string, { first: number; last?: number }, number, Record<string, string>, number | undefined, string]>([
    ['206 from another offset', { first: 100 }, 206, { 'content-range': 'bytes 0-99/200' }, undefined, 'ERR_HTTP_RANGE'],
    ['206 past the asked end', { first: 100, last: 150 }, 206, { 'content-range': 'bytes 100-199/300' }, undefined, 'ERR_HTTP_RANGE'],
    ['206 for a different image size', { first: 100 }, 206, { 'content-range': 'bytes 100-199/300' }, 200, 'ERR_HTTP_RANGE'],
    ['206 whose length disagrees', { first: 100 }, 206, { 'content-range': 'bytes 100-199/200', 'content-length': '99' }, undefined, 'ERR_HTTP_RANGE'],
    ['206 without Content-Range', { first: 100 }, 206, {}, undefined, 'ERR_HTTP_RANGE'],
    ['206 multipart', { first: 100 }, 206, { 'content-type': 'multipart/byteranges; boundary=x' }, undefined, 'ERR_HTTP_RANGE'],
    ['416 not at the end', { first: 100 }, 416, { 'content-range': 'bytes */150' }, undefined, 'ERR_HTTP_RANGE'],
    ['416 at the end of another image', { first: 100 }, 416, { 'content-range': 'bytes */100' }, 300, 'ERR_HTTP_RANGE'],
    ['404', { first: 100 }, 404, {}, undefined, 'ERR_HTTP_STATUS'],
  ])('refuses %s', (_name, range, status, headers, known, expected) => {
    expect(code(() => classifyRangeResponse(range, { status, headers: h(headers) }, known))).toBe(expected);
  });
});
