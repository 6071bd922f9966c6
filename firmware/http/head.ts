/**
 * HTTP/1.1 message heads (RFC 9112): the request line and headers the client writes, and the
 * status line and header section it reads. Field names are tokens (RFC 9110 5.1), values carry
 * no CR, LF or NUL (RFC 9110 5.5); obsolete line folding is refused (RFC 9112 5.2). Header bytes
 * are ASCII; obs-text bytes are read as Latin-1 and never interpreted.
 */
import { FirmwareError } from '../errors.js';

/** Response headers by lower-case name; repeated fields joined with ", " (RFC 9110 5.3). */
export type HttpHeaders = ReadonlyMap<string, string>;

export interface ResponseHead {
  status: number;
  statusText: string;
  headers: HttpHeaders;
  /** Set-Cookie-like repeated fields are not joined safely; none matters to a device. */
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
const METHOD = TOKEN;
const REQUEST_TARGET = /^\/[!-~]*$/;

function protocolError(detail: string): FirmwareError {
  return new FirmwareError('ERR_HTTP_PROTOCOL', detail);
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i += 1024) s += String.fromCharCode.apply(null, Array.from(bytes.subarray(i, Math.min(end, i + 1024))));
  return s;
}

/** Bytes of head text (Latin-1, one byte per character): request lines, headers, chunk lines. */
export function latin1Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new FirmwareError('ERR_ARGUMENT', 'HTTP head must be Latin-1');
    out[i] = c;
  }
  return out;
}

/** Bytes of a request line and header section, ending with the empty line. */
export function formatRequestHead(method: string, target: string, headers: readonly (readonly [string, string])[]): Uint8Array {
  if (!METHOD.test(method)) throw new FirmwareError('ERR_ARGUMENT', `HTTP method ${JSON.stringify(method)}`);
  if (!REQUEST_TARGET.test(target)) throw new FirmwareError('ERR_ARGUMENT', `HTTP request target ${JSON.stringify(target)}`);
  let text = `${method} ${target} HTTP/1.1\r\n`;
  for (const [name, value] of headers) {
    if (!TOKEN.test(name)) throw new FirmwareError('ERR_ARGUMENT', `HTTP header name ${JSON.stringify(name)}`);
    if (!FIELD_VALUE.test(value)) throw new FirmwareError('ERR_ARGUMENT', `HTTP header ${name} has CR, LF or a control character`);
    text += `${name}: ${value.trim()}\r\n`;
  }
  return latin1Bytes(`${text}\r\n`);
}

/** Index just past the first CRLF CRLF at or after `from`, or -1. */
export function endOfHead(bytes: Uint8Array, from: number): number {
  for (let i = Math.max(0, from - 3); i + 3 < bytes.length; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10 && bytes[i + 2] === 13 && bytes[i + 3] === 10) return i + 4;
  }
  return -1;
}

/** Parses a header section's lines (after the start line) into a map. */
export function parseFieldLines(lines: readonly string[], into: Map<string, string>): void {
  for (const line of lines) {
    if (line.length === 0) continue;
    if (line[0] === ' ' || line[0] === '\t') throw protocolError('obsolete header line folding'); // RFC 9112 5.2
    const colon = line.indexOf(':');
    if (colon <= 0) throw protocolError(`header line without a name: ${JSON.stringify(line.slice(0, 40))}`);
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) throw protocolError(`invalid header name ${JSON.stringify(name.slice(0, 40))}`); // RFC 9112 5.1: no space before ':'
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    if (!FIELD_VALUE.test(value)) throw protocolError(`control character in header ${name}`);
    const key = name.toLowerCase();
    const before = into.get(key);
    into.set(key, before === undefined ? value : `${before}, ${value}`);
  }
}

/** Parses a response head (status line and headers, without the final empty line). */
export function parseResponseHead(bytes: Uint8Array, start: number, end: number): ResponseHead {
  const lines = latin1(bytes, start, end).split('\r\n');
  const statusLine = lines[0]!;
  // RFC 9112 4: HTTP-version SP status-code SP [reason-phrase]; tolerate a missing final SP.
  const m = /^HTTP\/1\.([01]) ([0-9]{3})(?: ([\t\x20-\x7e\x80-\xff]*))?$/.exec(statusLine);
  if (m === null) throw protocolError(`bad status line ${JSON.stringify(statusLine.slice(0, 60))}`);
  for (const line of lines.slice(1)) if (line.includes('\n') || line.includes('\r')) throw protocolError('bare CR or LF in the header section');
  const headers = new Map<string, string>();
  parseFieldLines(lines.slice(1), headers);
  return { status: Number(m[2]), statusText: m[3] ?? '', headers };
}

/** Content-Length as a number; undefined when absent; ERR_HTTP_PROTOCOL when invalid (RFC 9112 6.3). */
export function contentLength(headers: HttpHeaders): number | undefined {
  const raw = headers.get('content-length');
  if (raw === undefined) return undefined;
  // Repeated identical values ("42, 42") are allowed; differing ones are an error.
  const values = raw.split(',').map((v) => v.trim());
  if (!values.every((v) => /^[0-9]{1,15}$/.test(v) && v === values[0])) throw protocolError(`bad Content-Length ${JSON.stringify(raw.slice(0, 40))}`);
  return Number(values[0]);
}

/** True when the last transfer coding is chunked (RFC 9112 6.3 rule 4); ERR_HTTP_PROTOCOL for others. */
export function isChunked(headers: HttpHeaders): boolean | undefined {
  const raw = headers.get('transfer-encoding');
  if (raw === undefined) return undefined;
  const codings = raw.split(',').map((c) => c.trim().toLowerCase()).filter((c) => c.length > 0);
  return codings[codings.length - 1] === 'chunked';
}
