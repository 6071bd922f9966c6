/**
 * Node host flash model: NOR flash stricter than silicon, with power cuts (style items 1-2,
 * after MCUboot's sim/ flash).
 *
 * - Erase works on whole sectors and sets them to 0xff.
 * - A write unit (writeAlign bytes) is programmed at most once per erase, and only over erased
 *   bytes: writing twice, or over anything but 0xff, throws ERR_FLASH_NOT_ERASED (silicon would
 *   let some of these through; code that passes here passes there).
 * - Offsets and lengths are aligned (ERR_FLASH_ALIGN) and inside the partition (ERR_FLASH_RANGE).
 * - Every write and erase counts as one operation. cutAfter(n) makes the n-th operation from
 *   now tear: a write leaves a prefix of its bytes programmed and the next byte partly
 *   programmed; an erase leaves a prefix of the sector erased and the next byte partly erased.
 *   cutAfter(n, 'before' | 'after') cuts just before or just after it instead. That operation
 *   throws PowerCut, and the flash stays unpowered (every call throws PowerCut) until
 *   powerOn(): nothing runs on after a cut.
 */
import { FirmwareError, type FlashArea, type FlashPort } from '../../firmware/index.js';

/** The simulated loss of power. Code under test must not catch it (it is ERR_POWER_CUT). */
export class PowerCut extends FirmwareError {
  constructor(detail: string) {
    super('ERR_POWER_CUT', detail);
  }
}

export interface PartitionSpec {
  label: string;
  offset: number;
  size: number;
}

export interface SimFlashOptions {
  partitions: readonly PartitionSpec[];
  /** Total bytes; defaults to the end of the last partition. */
  size?: number;
  sectorSize?: number;
  writeAlign?: number;
  /** Seed of the tear pattern (which prefix survives, which bits of the next byte). */
  seed?: number;
}

/** Where in the n-th operation power goes: before it starts, in the middle (torn), after it ends. */
export type CutMode = 'before' | 'torn' | 'after';

export type FlashOp = { kind: 'write' | 'erase'; label: string; offset: number; length: number; index: number; torn: boolean };

/** mulberry32: small seeded PRNG so that a torn operation is reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SimFlash implements FlashPort {
  readonly sectorSize: number;
  readonly align: number;
  readonly partitions: readonly PartitionSpec[];
  #bytes: Uint8Array;
  /** One flag per write unit: programmed since its sector was last erased. */
  #programmed: Uint8Array;
  #random: () => number;
  #ops = 0;
  #cutAt: number | undefined;
  #cutMode: CutMode = 'torn';
  #powered = true;
  #areas = new Map<string, FlashArea>();
  /** Called after each counted operation (tests and the sweep's trace). */
  onOperation: ((op: FlashOp) => void) | undefined;
  readonly counts = { reads: 0, writes: 0, erases: 0, torn: 0 };

  constructor(options: SimFlashOptions) {
    this.sectorSize = options.sectorSize ?? 4096;
    this.align = options.writeAlign ?? 4;
    if (this.sectorSize % this.align !== 0) throw new RangeError('sector size must be a multiple of the write unit');
    this.partitions = options.partitions.map((p) => ({ ...p }));
    const end = Math.max(0, ...this.partitions.map((p) => p.offset + p.size));
    const size = options.size ?? end;
    for (const p of this.partitions) {
      if (p.offset % this.sectorSize !== 0 || p.size % this.sectorSize !== 0 || p.size <= 0 || p.offset + p.size > size) {
        throw new RangeError(`partition ${p.label} is not sector aligned or does not fit`);
      }
      for (const q of this.partitions) {
        if (q !== p && p.offset < q.offset + q.size && q.offset < p.offset + p.size) throw new RangeError(`${p.label} overlaps ${q.label}`);
      }
    }
    // Fresh flash reads erased; the programmed flags start clear (as after a chip erase).
    this.#bytes = new Uint8Array(size).fill(0xff);
    this.#programmed = new Uint8Array(size / this.align);
    this.#random = mulberry32(options.seed ?? 1);
  }

  /** Writes and erases so far (the operation index of the last one). */
  get operations(): number {
    return this.#ops;
  }

  get powered(): boolean {
    return this.#powered;
  }

  /**
   * Power goes at the n-th write or erase from now (n >= 1): by default in its middle (torn);
   * 'before' leaves it undone, 'after' lets it complete (a cut between two operations).
   */
  cutAfter(n: number, mode: CutMode = 'torn'): void {
    if (!Number.isInteger(n) || n < 1) throw new RangeError('cutAfter(n) needs n >= 1');
    this.#cutAt = this.#ops + n;
    this.#cutMode = mode;
  }

  /** Cancels a pending cut. */
  noCut(): void {
    this.#cutAt = undefined;
  }

  /** Power returns after a cut (the device reboots). */
  powerOn(): void {
    this.#powered = true;
  }

  labels(): readonly string[] {
    return this.partitions.map((p) => p.label);
  }

  area(label: string): FlashArea {
    let area = this.#areas.get(label);
    if (area === undefined) {
      const spec = this.partitions.find((p) => p.label === label);
      if (spec === undefined) throw new FirmwareError('ERR_FLASH_RANGE', `no partition ${label}`);
      area = this.#makeArea(spec);
      this.#areas.set(label, area);
    }
    return area;
  }

  /** A deep copy (same contents, flags, seed state is fresh) for replaying from a saved state. */
  clone(seed?: number): SimFlash {
    const copy = new SimFlash({ partitions: this.partitions, size: this.#bytes.length, sectorSize: this.sectorSize, writeAlign: this.align, seed });
    copy.#bytes.set(this.#bytes);
    copy.#programmed.set(this.#programmed);
    return copy;
  }

  /** Raw bytes of a partition (test inspection; not counted, works unpowered). */
  peek(label: string, offset = 0, length?: number): Uint8Array {
    const spec = this.partitions.find((p) => p.label === label);
    if (spec === undefined) throw new FirmwareError('ERR_FLASH_RANGE', `no partition ${label}`);
    return this.#bytes.slice(spec.offset + offset, spec.offset + offset + (length ?? spec.size - offset));
  }

  #checkPower(): void {
    if (!this.#powered) throw new PowerCut('flash is unpowered');
  }

  #nextOp(): boolean {
    this.#ops++;
    if (this.#cutAt !== undefined && this.#ops === this.#cutAt) {
      this.#cutAt = undefined;
      this.#powered = false;
      this.counts.torn++;
      return true;
    }
    return false;
  }

  /** Bytes an interrupted operation of `length` bytes completes. */
  #tearLength(length: number): number {
    if (this.#cutMode === 'before') return 0;
    if (this.#cutMode === 'after') return length;
    return Math.floor(this.#random() * length);
  }

  #range(spec: PartitionSpec, offset: number, length: number): number {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > spec.size) {
      throw new FirmwareError('ERR_FLASH_RANGE', `${spec.label}: ${offset}+${length} outside ${spec.size}`);
    }
    return spec.offset + offset;
  }

  #makeArea(spec: PartitionSpec): FlashArea {
    const flash = this;
    return Object.freeze({
      label: spec.label,
      size: () => spec.size,
      eraseSize: () => flash.sectorSize,
      writeAlign: () => flash.align,
      erasedValue: () => 0xff,
      read(offset: number, length: number): Uint8Array {
        flash.#checkPower();
        const at = flash.#range(spec, offset, length);
        flash.counts.reads++;
        return flash.#bytes.slice(at, at + length);
      },
      write(offset: number, bytes: Uint8Array): void {
        flash.#checkPower();
        const at = flash.#range(spec, offset, bytes.length);
        if (offset % flash.align !== 0 || bytes.length % flash.align !== 0) {
          throw new FirmwareError('ERR_FLASH_ALIGN', `${spec.label}: write ${offset}+${bytes.length} not aligned to ${flash.align}`);
        }
        for (let u = at / flash.align; u < (at + bytes.length) / flash.align; u++) {
          if (flash.#programmed[u] !== 0) throw new FirmwareError('ERR_FLASH_NOT_ERASED', `${spec.label}: unit at ${u * flash.align - spec.offset} already written`);
        }
        for (let i = 0; i < bytes.length; i++) {
          if (flash.#bytes[at + i] !== 0xff) throw new FirmwareError('ERR_FLASH_NOT_ERASED', `${spec.label}: byte ${offset + i} not erased`);
        }
        const torn = flash.#nextOp();
        const whole = !torn ? bytes.length : flash.#tearLength(bytes.length);
        for (let i = 0; i < whole; i++) flash.#bytes[at + i] = bytes[i]!;
        let touched = whole;
        if (torn && flash.#cutMode === 'torn' && whole < bytes.length) {
          // The byte being programmed when power went: some of its bits cleared.
          const mask = Math.floor(flash.#random() * 256);
          flash.#bytes[at + whole] = 0xff & (bytes[whole]! | mask);
          touched = whole + 1;
        }
        for (let u = at / flash.align; u < (at + touched) / flash.align; u++) flash.#programmed[Math.floor(u)] = 1;
        flash.counts.writes++;
        flash.onOperation?.({ kind: 'write', label: spec.label, offset, length: bytes.length, index: flash.#ops, torn });
        if (torn) throw new PowerCut(`torn write ${spec.label}@${offset} (${whole}/${bytes.length} bytes)`);
      },
      erase(offset: number, length: number): void {
        flash.#checkPower();
        const at = flash.#range(spec, offset, length);
        if (offset % flash.sectorSize !== 0 || length % flash.sectorSize !== 0) {
          throw new FirmwareError('ERR_FLASH_ALIGN', `${spec.label}: erase ${offset}+${length} not sector aligned`);
        }
        // One operation per sector, as the chip erases sector by sector.
        for (let s = at; s < at + length; s += flash.sectorSize) {
          const torn = flash.#nextOp();
          const whole = !torn ? flash.sectorSize : flash.#tearLength(flash.sectorSize);
          flash.#bytes.fill(0xff, s, s + whole);
          const unitsErased = Math.floor(whole / flash.align);
          flash.#programmed.fill(0, s / flash.align, s / flash.align + unitsErased);
          if (torn && flash.#cutMode === 'torn' && whole < flash.sectorSize) {
            flash.#bytes[s + whole] = 0xff & (flash.#bytes[s + whole]! | Math.floor(flash.#random() * 256));
          }
          flash.counts.erases++;
          flash.onOperation?.({ kind: 'erase', label: spec.label, offset: s - spec.offset, length: flash.sectorSize, index: flash.#ops, torn });
          if (torn) throw new PowerCut(`torn erase ${spec.label}@${s - spec.offset} (${whole}/${flash.sectorSize} bytes)`);
        }
      },
    });
  }
}

export interface OtaFlashLayout {
  slotSize: number;
  kvSectors: number;
  sectorSize: number;
}

/**
 * A two-slot layout in the order of ESP-IDF's partitions_two_ota.csv (nvs, otadata, ota_0,
 * ota_1), scaled down for tests: otadata is two sectors, slots are equal.
 */
export function otaPartitions(layout: Partial<OtaFlashLayout> = {}): PartitionSpec[] {
  const sector = layout.sectorSize ?? 4096;
  const slot = layout.slotSize ?? 64 * 1024;
  const kv = (layout.kvSectors ?? 4) * sector;
  return [
    { label: 'nvs', offset: 0, size: kv },
    { label: 'otadata', offset: kv, size: 2 * sector },
    { label: 'ota_0', offset: kv + 2 * sector, size: slot },
    { label: 'ota_1', offset: kv + 2 * sector + slot, size: slot },
  ];
}

export function createOtaFlash(layout: Partial<OtaFlashLayout> & { seed?: number; writeAlign?: number } = {}): SimFlash {
  return new SimFlash({ partitions: otaPartitions(layout), sectorSize: layout.sectorSize, writeAlign: layout.writeAlign, seed: layout.seed });
}
