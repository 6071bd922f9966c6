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
 */
import { createHash } from 'node:crypto';

export type ImageBehaviour = 'healthy' | 'fails-health' | 'crashes';
const BEHAVIOURS: readonly ImageBehaviour[] = ['healthy', 'fails-health', 'crashes'];
const HEADER = 80;

export interface ImageInfo {
  version: string;
  securityVersion: number;
  board: string;
  behaviour: ImageBehaviour;
  length: number;
}

function ascii(s: string, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < s.length && i < size; i++) out[i] = s.charCodeAt(i);
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

export function buildImage(info: Omit<ImageInfo, 'length'> & { length?: number }): Uint8Array {
  const length = info.length ?? 20_000;
  if (length < HEADER + 32) throw new RangeError('image too small');
  const image = new Uint8Array(length);
  const v = new DataView(image.buffer);
  image.set([0xe9, 0x53, 0x49, 0x4d]);
  v.setUint32(4, length, true);
  image[8] = BEHAVIOURS.indexOf(info.behaviour);
  v.setUint32(12, info.securityVersion, true);
  image.set(ascii(info.version, 32), 16);
  image.set(ascii(info.board, 32), 48);
  let x = [...info.version].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7);
  for (let i = HEADER; i < length - 32; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    image[i] = x >>> 24;
  }
  image.set(createHash('sha256').update(image.subarray(0, length - 32)).digest(), length - 32);
  return image;
}

/** The bootloader's check (esp_image_verify stand-in): header sane and digest right. */
export function inspectImage(read: (offset: number, length: number) => Uint8Array, slotSize: number): ImageInfo | undefined {
  const head = read(0, HEADER);
  if (head[0] !== 0xe9 || head[1] !== 0x53 || head[2] !== 0x49 || head[3] !== 0x4d) return undefined;
  const v = new DataView(head.buffer, head.byteOffset, HEADER);
  const length = v.getUint32(4, true);
  const behaviour = BEHAVIOURS[head[8]!];
  if (length < HEADER + 32 || length > slotSize || behaviour === undefined) return undefined;
  const all = read(0, length);
  const digest = createHash('sha256').update(all.subarray(0, length - 32)).digest();
  if (!digest.equals(all.subarray(length - 32))) return undefined;
  return {
    version: unascii(head.subarray(16, 48)),
    securityVersion: v.getUint32(12, true),
    board: unascii(head.subarray(48, 80)),
    behaviour,
    length,
  };
}
