/**
 * Base64 (RFC 4648 section 4, with padding) for bytes carried in JSON messages. XS has no atob/btoa
 * and Node's Buffer is off limits in firmware/, so a small table-driven codec lives here.
 */
import { invalid } from './guards.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function buildReverse(): Int16Array {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i;
  return table;
}
let reverse: Int16Array | undefined; // built on first use: module top level stays preload-safe

export function toBase64(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + '=';
  }
  return out;
}

/** Strict: padding required, no whitespace, non-zero trailing bits refused (RFC 4648 section 3.5). */
export function fromBase64(text: string, path = 'base64'): Uint8Array {
  if (text.length % 4 !== 0) throw invalid(path, 'base64 length is not a multiple of 4');
  reverse ??= buildReverse();
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = text.charCodeAt(i + j);
      const last = i + 4 === text.length;
      if (c === 61 /* = */ && last && j >= 4 - pad) { n <<= 6; continue; }
      const v = c < 128 ? reverse[c]! : -1;
      if (v < 0) throw invalid(path, 'invalid base64 character');
      n = (n << 6) | v;
    }
    out[o++] = (n >> 16) & 255;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  if (pad === 2 && (reverse[text.charCodeAt(text.length - 3)]! & 15) !== 0) throw invalid(path, 'non-zero base64 padding bits');
  if (pad === 1 && (reverse[text.charCodeAt(text.length - 2)]! & 3) !== 0) throw invalid(path, 'non-zero base64 padding bits');
  return out;
}
