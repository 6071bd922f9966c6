/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xedb88320) with zlib's chaining semantics:
 * crc32(data, previous) equals Node's zlib.crc32(data, previous) and Python's
 * binascii.crc32(data, previous).
 *
 * ESP-IDF's otadata CRC is esp_rom_crc32_le(UINT32_MAX, &ota_seq, 4), which equals
 * crc32(seqBytes, 0xffffffff) here (protocols.md section 5): seq 1 gives 0x4743989a.
 */
let table: Uint32Array | undefined;

function crcTable(): Uint32Array {
  // Built on first use, not at module load (preload-safe, and no RAM until needed).
  if (table === undefined) {
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      t[n] = c >>> 0;
    }
    table = t;
  }
  return table;
}

export function crc32(bytes: Uint8Array, previous = 0): number {
  const t = crcTable();
  let c = ~previous >>> 0;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}
