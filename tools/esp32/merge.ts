/**
 * One flashable image from the parts esptool would write at their offsets (what
 * `esptool merge-bin` does): each part at its offset from `base`, gaps filled with 0xFF (the
 * erased value of NOR flash, so writing a gap changes nothing), optionally padded to a size.
 */
export interface ImagePart {
  offset: number;
  data: Uint8Array;
  /** For messages. */
  name?: string;
}

export interface MergeOptions {
  /** Flash offset of the first byte of the output (default 0). */
  base?: number;
  /** Pad the output with 0xFF to this many bytes. */
  padTo?: number;
}

export function mergeImages(parts: readonly ImagePart[], options: MergeOptions = {}): Uint8Array {
  const base = options.base ?? 0;
  const sorted = [...parts].sort((a, b) => a.offset - b.offset);
  let end = base;
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i]!;
    const label = p.name ?? `part at 0x${p.offset.toString(16)}`;
    if (!Number.isInteger(p.offset) || p.offset < base) throw new Error(`${label}: offset 0x${p.offset.toString(16)} is below the image base 0x${base.toString(16)}`);
    const prev = sorted[i - 1];
    if (prev !== undefined && prev.offset + prev.data.length > p.offset) {
      throw new Error(`${label} overlaps ${prev.name ?? `part at 0x${prev.offset.toString(16)}`}`);
    }
    end = Math.max(end, p.offset + p.data.length);
  }
  let length = end - base;
  if (options.padTo !== undefined) {
    if (options.padTo < length) throw new Error(`the merged image is 0x${length.toString(16)} bytes, more than --pad-to 0x${options.padTo.toString(16)}`);
    length = options.padTo;
  }
  const out = new Uint8Array(length).fill(0xff);
  for (const p of sorted) out.set(p.data, p.offset - base);
  return out;
}
