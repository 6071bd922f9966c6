/**
 * Wire formats of the HTTP messages: CBOR (RFC 8949, `application/cbor`) or JSON (RFC 8259,
 * `application/json`). The device sends CBOR; JSON is for people and scripts. JSON bodies are
 * UTF-8 (RFC 8259 section 8.1).
 */
import { utf8Decode, utf8Encode } from '../codec/utf8.js';
import { invalid } from './guards.js';

export type MessageFormat = 'cbor' | 'json';

export const CONTENT_TYPE = Object.freeze({ cbor: 'application/cbor', json: 'application/json' } as const);

/** The format named by a Content-Type or Accept value; undefined for anything else. */
export function formatOf(contentType: string | undefined): MessageFormat | undefined {
  if (contentType === undefined) return undefined;
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === CONTENT_TYPE.cbor) return 'cbor';
  if (type === CONTENT_TYPE.json) return 'json';
  return undefined;
}

/** JSON text of a plain-data value. Only 'json' is handled here; CBOR goes through codec/cbor.ts. */
export function encodeBody(value: unknown, _format: 'json'): Uint8Array {
  return utf8Encode(JSON.stringify(value));
}

export function decodeBody(bytes: Uint8Array, _format: 'json'): unknown {
  let text: string;
  try {
    text = utf8Decode(bytes);
  } catch {
    throw invalid('', 'JSON body is not UTF-8');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalid('', 'malformed JSON');
  }
}
