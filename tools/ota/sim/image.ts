/**
 * The simulated device's firmware images: what the bootloader loads and what the "app" does.
 * Layout (little-endian), loosely after an ESP-IDF app image (magic 0xe9, appended SHA-256):
 *   0   u8  0xe9 magic      1..3 "SIM"
 *   4   u32 total length (header, filler and the trailing digest)
 *   8   u8  behaviour (0 healthy, 1 fails its health check, 2 crashes at every boot)
 *   12  u32 security version
 *   16  32 bytes version (ASCII, zero padded)   48  32 bytes board (ASCII, zero padded)
 *   80  filler (deterministic from the version)
 *   L-32 SHA-256 of bytes 0..L-32: the bootloader's image check
 * One definition for the OTA sweep (tools/ota/sim) and the fleet simulator (sim/); pure code over a
 * CryptoPort, so it runs on Node and inside XS alike.
 */

import type { CryptoPort, FlashArea } from '../../../firmware/index.js';

export type ImageBehaviour = 'healthy' | 'fails-health' | 'crashes';
const BEHAVIOURS: readonly ImageBehaviour[] = Object.freeze(['healthy', 'fails-health', 'crashes']);
const HEADER = 80;
const MAGIC = [0xe9, 0x53, 0x49, 0x4d];

export interface ImageInfo {
  version: string;
  securityVersion: number;
  board: string;
  behaviour: ImageBehaviour;
  length: number;
}

function ascii(s: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < s.length && i < size; i++) out[i] = s.charCodeAt(i) & 0x7f;
  return out;
}

function unascii(b: Uint8Array): string {
  let s = '';
  for (const c of b) {
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

function digest(crypto: CryptoPort, bytes: Uint8Array): Uint8Array {
  const h = crypto.sha256();
  h.update(bytes);
  return h.digest();
}

export function buildImage(info: ImageInfo, crypto: CryptoPort): Uint8Array {
  const { length } = info;
  if (length < HEADER + 32) throw new RangeError('image too small');
  const image = new Uint8Array(length);
  const v = new DataView(image.buffer);
  image.set(MAGIC);
  v.setUint32(4, length, true);
  image[8] = BEHAVIOURS.indexOf(info.behaviour);
  v.setUint32(12, info.securityVersion, true);
  image.set(ascii(info.version, 32), 16);
  image.set(ascii(info.board, 32), 48);
  let x = 7;
  for (let i = 0; i < info.version.length; i++) x = (Math.imul(x, 31) + info.version.charCodeAt(i)) >>> 0;
  for (let i = HEADER; i < length - 32; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    image[i] = x >>> 24;
  }
  image.set(digest(crypto, image.subarray(0, length - 32)), length - 32);
  return image;
}

/** The bootloader's check: header sane and digest right; undefined when the slot holds no loadable image. */
export function inspectImage(read: (offset: number, length: number) => Uint8Array, slotSize: number, crypto: CryptoPort): ImageInfo | undefined {
  const head = read(0, HEADER);
  for (let i = 0; i < 4; i++) if (head[i] !== MAGIC[i]) return undefined;
  const v = new DataView(head.buffer, head.byteOffset, HEADER);
  const length = v.getUint32(4, true);
  const behaviour = BEHAVIOURS[head[8]!];
  if (length < HEADER + 32 || length > slotSize || behaviour === undefined) return undefined;
  const all = read(0, length);
  const want = all.subarray(length - 32);
  const got = digest(crypto, all.subarray(0, length - 32));
  for (let i = 0; i < 32; i++) if (got[i] !== want[i]) return undefined;
  return {
    version: unascii(head.subarray(16, 48)),
    securityVersion: v.getUint32(12, true),
    board: unascii(head.subarray(48, 80)),
    behaviour,
    length,
  };
}

/**
 * Factory programming: `image` at the start of an app slot, its sectors erased first and the tail
 * padded with erased bytes to the write unit (the flash takes aligned writes only).
 */
export function programImage(area: FlashArea, image: Uint8Array): void {
  const sector = area.eraseSize();
  const align = area.writeAlign();
  area.erase(0, Math.ceil(image.length / sector) * sector);
  if (image.length % align === 0) {
    area.write(0, image);
    return;
  }
  const padded = new Uint8Array(Math.ceil(image.length / align) * align).fill(area.erasedValue());
  padded.set(image);
  area.write(0, padded);
}
