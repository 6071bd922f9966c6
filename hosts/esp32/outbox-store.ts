/**
 * OutboxStorePort on a flash partition (the "outbox" data partition of our table), log-
 * structured so that a power cut at any write or erase keeps every record appended before it.
 *
 * The partition is two banks (halves). A bank is a 16-byte header then frames in append order:
 *   header = "OBX2" | u32 generation | u32 crc32(first 8 bytes) | 4 x 0xff
 *   frame  = u16 length | u16 ~length | u32 crc32(generation, length bytes, payload) | payload
 *            | zero padding to the write unit
 * The active bank has a valid header and the larger generation. append() writes one frame
 * (one flash write: a torn one fails its CRC and is dropped at the next open). rewrite() and a
 * full or torn bank move to the other bank: erase what the records need, write them, then the
 * header, which commits the new generation; a cut before that leaves the old bank in charge.
 *
 * Erasing is lazy: only the sectors a bank's content reaches are erased, and an append that
 * crosses into the next sector erases it first. Sectors further on may hold frames of older
 * generations; the generation in every frame's CRC keeps them from reading as records.
 *
 * After a reset that may have cut a write short (anything but a deep-sleep wake or our own
 * restart: `mayBeTorn`), the first append moves to the other bank. A torn write can leave a
 * write unit programmed that still reads 0xff, and programming it again is not safe.
 */
import { crc32, FirmwareError, type FlashArea, type OutboxStorePort } from '../esp32-core.js';

const MAGIC = 0x3258424f; // "OBX2" little-endian
const HEADER = 16;
const FRAME_HEAD = 8;
export const DEFAULT_MAX_RECORD_BYTES = 4096;

export interface FlashOutboxOptions {
  maxRecordBytes?: number;
  /** The last reset may have interrupted a write (power-on, brown-out, panic, watchdog). */
  mayBeTorn?: boolean;
}

export interface FlashOutboxStore extends OutboxStorePort {
  /** Bytes one bank holds (header included): the most size() can reach. */
  readonly capacityBytes: number;
}

interface Bank { index: 0 | 1; generation: number }

function le32(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, true);
  return b;
}

export function createFlashOutboxStore(area: FlashArea, options: FlashOutboxOptions = {}): FlashOutboxStore {
  const sector = area.eraseSize();
  const align = area.writeAlign();
  const sectors = area.size() / sector;
  if (!Number.isInteger(sectors) || sectors < 2 || sectors % 2 !== 0) {
    throw new FirmwareError('ERR_FLASH_RANGE', `${area.label}: the outbox needs an even number (>= 2) of sectors`);
  }
  const bankSize = area.size() / 2;
  // Default: 4 KiB, or what one bank holds beside its header when banks are smaller.
  const maxRecordBytes = options.maxRecordBytes ?? Math.min(DEFAULT_MAX_RECORD_BYTES, Math.floor((bankSize - HEADER) / align) * align - FRAME_HEAD);
  if (frameSize(maxRecordBytes) + HEADER > bankSize || maxRecordBytes > 0xffff) {
    throw new FirmwareError('ERR_ARGUMENT', `maxRecordBytes ${maxRecordBytes} does not fit a bank of ${bankSize} bytes`);
  }

  let active: Bank | undefined;
  let records: Uint8Array[] = [];
  /** Next frame offset in the active bank. */
  let tail = HEADER;
  /** Bytes of the active bank known erased or written this generation (a sector multiple). */
  let erasedEnd = 0;
  /** Appending in place is not safe (torn tail, or a reset that may have cut a write). */
  let dirty = options.mayBeTorn === true;

  function frameSize(length: number): number {
    return Math.ceil((FRAME_HEAD + length) / align) * align;
  }

  function encodeFrame(generation: number, payload: Uint8Array): Uint8Array {
    const out = new Uint8Array(frameSize(payload.length));
    const v = new DataView(out.buffer);
    v.setUint16(0, payload.length, true);
    v.setUint16(2, ~payload.length & 0xffff, true);
    out.set(payload, FRAME_HEAD);
    v.setUint32(4, crc32(payload, crc32(out.subarray(0, 4), crc32(le32(generation)))), true);
    return out;
  }

  function encodeHeader(generation: number): Uint8Array {
    const out = new Uint8Array(HEADER).fill(0xff);
    const v = new DataView(out.buffer);
    v.setUint32(0, MAGIC, true);
    v.setUint32(4, generation >>> 0, true);
    v.setUint32(8, crc32(out.subarray(0, 8)), true);
    return out;
  }

  function readHeader(index: 0 | 1): Bank | undefined {
    const h = area.read(index * bankSize, HEADER);
    const v = new DataView(h.buffer, h.byteOffset, HEADER);
    if (v.getUint32(0, true) !== MAGIC || v.getUint32(8, true) !== crc32(h.subarray(0, 8))) return undefined;
    return { index, generation: v.getUint32(4, true) };
  }

  function mount(): void {
    const banks = [readHeader(0), readHeader(1)].filter((b): b is Bank => b !== undefined);
    banks.sort((a, b) => b.generation - a.generation);
    active = banks[0];
    records = [];
    tail = HEADER;
    erasedEnd = 0;
    if (active === undefined) return;
    const base = active.index * bankSize;
    const generation = le32(active.generation);
    let at = HEADER;
    // Read sector by sector: the log may be long, and RAM is short on the device.
    let chunkStart = -1;
    let chunk: Uint8Array = new Uint8Array(0);
    const bytesAt = (offset: number, length: number): Uint8Array => {
      if (offset < chunkStart || offset + length > chunkStart + chunk.length) {
        chunkStart = offset;
        chunk = area.read(base + offset, Math.min(bankSize - offset, Math.max(length, sector)));
      }
      return chunk.subarray(offset - chunkStart, offset - chunkStart + length);
    };
    for (;;) {
      if (at + FRAME_HEAD > bankSize) break;
      const head = bytesAt(at, FRAME_HEAD);
      if (head.every((b) => b === 0xff)) break; // the clean end of the log
      const v = new DataView(head.buffer, head.byteOffset, FRAME_HEAD);
      const length = v.getUint16(0, true);
      const size = frameSize(length);
      const ok = length > 0 && length <= maxRecordBytes && v.getUint16(2, true) === (~length & 0xffff) && at + size <= bankSize;
      if (!ok) {
        dirty = true; // torn or foreign tail: nothing after it was committed
        break;
      }
      const crc = v.getUint32(4, true);
      const payload = bytesAt(at + FRAME_HEAD, length).slice();
      if (crc32(payload, crc32(head.subarray(0, 4), crc32(generation))) !== crc) {
        dirty = true;
        break;
      }
      records.push(payload);
      at += size;
    }
    tail = at;
    // Everything in the sector holding the tail was erased before this generation wrote there.
    erasedEnd = Math.ceil(tail / sector) * sector;
  }

  function checkRecord(record: unknown): Uint8Array {
    if (!(record instanceof Uint8Array) || record.length === 0 || record.length > maxRecordBytes) {
      throw new FirmwareError('ERR_OUTBOX_RECORD', `${record instanceof Uint8Array ? record.length : typeof record} bytes (1..${maxRecordBytes})`);
    }
    return record;
  }

  /** Writes `list` into the other bank and commits it with its header. */
  function moveTo(list: readonly Uint8Array[]): void {
    const target: 0 | 1 = active === undefined ? 0 : active.index === 0 ? 1 : 0;
    const generation = active === undefined ? 1 : (active.generation + 1) >>> 0;
    const frames = list.map((r) => encodeFrame(generation, r));
    const total = frames.reduce((n, f) => n + f.length, HEADER);
    if (total > bankSize) throw new FirmwareError('ERR_OUTBOX_FULL', `${total} bytes > bank of ${bankSize}`);
    const base = target * bankSize;
    const reach = Math.max(sector, Math.ceil(total / sector) * sector);
    area.erase(base, reach);
    if (total > HEADER) {
      const body = new Uint8Array(total - HEADER);
      let at = 0;
      for (const f of frames) {
        body.set(f, at);
        at += f.length;
      }
      area.write(base + HEADER, body);
    }
    area.write(base, encodeHeader(generation)); // the commit
    active = { index: target, generation };
    records = list.map((r) => r.slice());
    tail = total;
    erasedEnd = reach;
    dirty = false;
  }

  mount();

  return {
    maxRecordBytes,
    capacityBytes: bankSize,
    append(record) {
      const r = checkRecord(record);
      if (active === undefined || dirty) {
        moveTo([...records, r]);
        return;
      }
      const frame = encodeFrame(active.generation, r);
      if (tail + frame.length > bankSize) {
        moveTo([...records, r]);
        return;
      }
      const base = active.index * bankSize;
      const end = tail + frame.length;
      if (end > erasedEnd) {
        const reach = Math.ceil(end / sector) * sector;
        area.erase(base + erasedEnd, reach - erasedEnd);
        erasedEnd = reach;
      }
      area.write(base + tail, frame);
      tail = end;
      records.push(r.slice());
    },
    readAll: () => records.map((r) => r.slice()),
    rewrite(list) {
      if (!Array.isArray(list)) throw new FirmwareError('ERR_ARGUMENT', 'rewrite expects an array of records');
      const checked = list.map(checkRecord);
      moveTo(checked);
    },
    size: () => (active === undefined ? HEADER : tail),
  };
}
