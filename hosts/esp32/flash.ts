/**
 * FlashPort on embedded:storage/flash: ESP-IDF partitions by label. App slots cannot be opened
 * by label on ESP32 (flash-esp32.c opens data partitions by label), so ota_N maps to "running"
 * for the running slot (read-only) and to "nextota" for the other one.
 *
 * Offsets, lengths and alignment are checked here with the port's codes. Silicon does not
 * refuse a write over bytes that are not erased: the node model (hosts/node/flash.ts) does, so
 * code tested there keeps the rule here.
 */
import { FirmwareError, type FlashArea, type FlashPort } from '../esp32-core.js';
import type { FlashPartition, FlashStorage } from './moddable-types.js';

/** Write unit: 16 bytes keeps writes valid with flash encryption on (AES blocks). */
export const WRITE_ALIGN = 16;

export interface Esp32FlashOptions {
  /** Slot of the running image (native sn_ota_running_slot). */
  runningSlot: () => number;
}

function checkRange(label: string, size: number, offset: number, length: number): void {
  if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new FirmwareError('ERR_FLASH_RANGE', `${label}: ${offset}+${length} outside ${size}`);
  }
}

export function createFlashArea(label: string, partition: FlashPartition, readOnly: boolean): FlashArea {
  const status = partition.status();
  const size = status.size;
  const sector = status.blockLength;
  return Object.freeze({
    label,
    size: () => size,
    eraseSize: () => sector,
    writeAlign: () => WRITE_ALIGN,
    erasedValue: () => 0xff,
    read(offset: number, length: number): Uint8Array {
      checkRange(label, size, offset, length);
      // read(n, offset) returns a fresh ArrayBuffer: the caller owns it.
      return length === 0 ? new Uint8Array(0) : new Uint8Array(partition.read(length, offset));
    },
    write(offset: number, bytes: Uint8Array): void {
      checkRange(label, size, offset, bytes.length);
      if (offset % WRITE_ALIGN !== 0 || bytes.length % WRITE_ALIGN !== 0) {
        throw new FirmwareError('ERR_FLASH_ALIGN', `${label}: write ${offset}+${bytes.length} not aligned to ${WRITE_ALIGN}`);
      }
      if (readOnly) throw new FirmwareError('ERR_FLASH_RANGE', `${label} is the running image`);
      if (bytes.length > 0) partition.write(bytes, offset);
    },
    erase(offset: number, length: number): void {
      checkRange(label, size, offset, length);
      if (offset % sector !== 0 || length % sector !== 0) throw new FirmwareError('ERR_FLASH_ALIGN', `${label}: erase ${offset}+${length} not sector aligned`);
      if (readOnly) throw new FirmwareError('ERR_FLASH_RANGE', `${label} is the running image`);
      if (length > 0) partition.eraseBlock(offset / sector, (offset + length) / sector);
    },
  });
}

export function createEsp32Flash(storage: FlashStorage & { [Symbol.iterator]?: () => Iterator<string> }, options: Esp32FlashOptions): FlashPort {
  const areas = new Map<string, FlashArea>();
  return {
    area(label) {
      let area = areas.get(label);
      if (area !== undefined) return area;
      const slot = /^ota_(\d+)$/.exec(label);
      const running = slot !== null && Number(slot[1]) === options.runningSlot();
      // ota_N: the running slot, or the one updates go to (two slots: the other one).
      const path = slot === null ? label : running ? 'running' : 'nextota';
      let partition: FlashPartition;
      try {
        partition = storage.open({ path, mode: running ? 'r' : 'r+' });
      } catch (error) {
        throw new FirmwareError('ERR_FLASH_RANGE', `no partition ${label} (${(error as Error).message})`);
      }
      area = createFlashArea(label, partition, running);
      areas.set(label, area);
      return area;
    },
    labels() {
      const out: string[] = [];
      const iterate = storage[Symbol.iterator];
      if (iterate === undefined) return out;
      const it = iterate.call(storage);
      for (let r = it.next(); r.done !== true; r = it.next()) out.push(r.value);
      return out;
    },
  };
}
