/**
 * ESP-IDF's OTA selection record (otadata) and the application-side operations on it, as
 * components/app_update/esp_ota_ops.c does them with CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE
 * (protocols.md section 5). Pure logic over a FlashArea: the node host runs it on the flash
 * model; on the ESP32 the same bytes are read from the "otadata" partition.
 *
 * Layout: two copies of esp_ota_select_entry_t (32 bytes, little-endian), copy 0 at offset 0,
 * copy 1 at one sector (0x1000); the rest of each sector stays erased.
 *   +0  u32 ota_seq     0xffffffff = empty; slot = (ota_seq - 1) % appCount
 *   +4  u8[20] seq_label (unused, 0xff)
 *   +24 u32 ota_state
 *   +28 u32 crc         crc32(ota_seq bytes, 0xffffffff) with zlib semantics; state not covered
 */
import { FirmwareError } from '../errors.js';
import type { FlashArea } from '../ports/flash.js';
import type { BootState, SlotIndex } from '../ports/firmware-slots.js';
import { crc32 } from '../codec/crc32.js';

export const OTA_ENTRY_SIZE = 32;
export const OTA_SEQ_EMPTY = 0xffffffff;

/** esp_ota_img_states_t (esp_flash_partitions.h). */
export const OTA_IMG = Object.freeze({
  NEW: 0,
  PENDING_VERIFY: 1,
  VALID: 2,
  INVALID: 3,
  ABORTED: 4,
  UNDEFINED: 0xffffffff,
} as const);

export interface OtaSelectEntry {
  seq: number;
  state: number;
  crc: number;
}

const STATE_NAMES: Readonly<Record<number, BootState>> = Object.freeze({
  0: 'new', 1: 'pending-verify', 2: 'valid', 3: 'invalid', 4: 'aborted', 0xffffffff: 'undefined',
});

export function bootStateName(state: number): BootState {
  return STATE_NAMES[state] ?? 'undefined';
}

/** bootloader_common_ota_select_crc. */
export function otaSeqCrc(seq: number): number {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, seq >>> 0, true);
  return crc32(b, 0xffffffff);
}

export function encodeEntry(seq: number, state: number): Uint8Array {
  const out = new Uint8Array(OTA_ENTRY_SIZE).fill(0xff);
  const v = new DataView(out.buffer);
  v.setUint32(0, seq >>> 0, true);
  v.setUint32(24, state >>> 0, true);
  v.setUint32(28, otaSeqCrc(seq), true);
  return out;
}

export function decodeEntry(bytes: Uint8Array): OtaSelectEntry {
  const v = new DataView(bytes.buffer, bytes.byteOffset, OTA_ENTRY_SIZE);
  return { seq: v.getUint32(0, true), state: v.getUint32(24, true), crc: v.getUint32(28, true) };
}

/** seq present and CRC right: the record is intact, whatever its state. */
export function entryIntact(e: OtaSelectEntry): boolean {
  return e.seq !== OTA_SEQ_EMPTY && e.crc === otaSeqCrc(e.seq);
}

/** bootloader_common_ota_select_invalid: empty, INVALID or ABORTED. */
export function entryInvalid(e: OtaSelectEntry): boolean {
  return e.seq === OTA_SEQ_EMPTY || e.state === OTA_IMG.INVALID || e.state === OTA_IMG.ABORTED;
}

/** bootloader_common_ota_select_valid: bootable candidate. */
export function entryUsable(e: OtaSelectEntry): boolean {
  return !entryInvalid(e) && e.crc === otaSeqCrc(e.seq);
}

export function slotOfSeq(seq: number, appCount: number): number {
  return (seq - 1) % appCount;
}

/** bootloader_common_read_otadata: the two copies, at offset 0 and one sector in. */
export function readOtadata(area: FlashArea): [OtaSelectEntry, OtaSelectEntry] {
  const sector = area.eraseSize();
  if (area.size() < 2 * sector) throw new FirmwareError('ERR_FLASH_RANGE', 'otadata needs two sectors');
  return [decodeEntry(area.read(0, OTA_ENTRY_SIZE)), decodeEntry(area.read(sector, OTA_ENTRY_SIZE))];
}

/** write_otadata / rewrite_ota_seq: erase the copy's sector, then write the 32-byte entry. */
export function writeOtadataCopy(area: FlashArea, index: 0 | 1, seq: number, state: number): void {
  const sector = area.eraseSize();
  area.erase(index * sector, sector);
  area.write(index * sector, encodeEntry(seq, state));
}

/** bootloader_common_get_active_otadata: the usable copy with the larger seq, or -1. */
export function activeOtadata(entries: readonly [OtaSelectEntry, OtaSelectEntry]): -1 | 0 | 1 {
  const u0 = entryUsable(entries[0]);
  const u1 = entryUsable(entries[1]);
  if (u0 && u1) return entries[0].seq >= entries[1].seq ? 0 : 1;
  if (u0) return 0;
  if (u1) return 1;
  return -1;
}

/**
 * The intact entry that selects `slot` (esp_ota_get_state_partition reads the same record);
 * with both copies on one slot, the newer one.
 */
export function entryForSlot(entries: readonly [OtaSelectEntry, OtaSelectEntry], slot: number, appCount: number): OtaSelectEntry | undefined {
  let found: OtaSelectEntry | undefined;
  for (const e of entries) {
    if (entryIntact(e) && slotOfSeq(e.seq, appCount) === slot && (found === undefined || e.seq > found.seq)) found = e;
  }
  return found;
}

/**
 * esp_ota_set_boot_partition -> esp_rewrite_ota_data: the smallest seq >= the active one that
 * maps to `target`, written with state NEW into the copy that is not active.
 */
export function setBootSlot(area: FlashArea, target: SlotIndex, appCount: number): void {
  const entries = readOtadata(area);
  const active = activeOtadata(entries);
  if (active === -1) {
    writeOtadataCopy(area, 0, target + 1, OTA_IMG.NEW);
    return;
  }
  let seq = entries[active].seq;
  while (slotOfSeq(seq, appCount) !== target) seq++;
  writeOtadataCopy(area, active === 0 ? 1 : 0, seq, OTA_IMG.NEW);
}

/**
 * esp_ota_mark_app_valid_cancel_rollback: the active copy becomes VALID (no write if it is
 * already). Call it only from the image the active copy selects (the updater checks that the
 * running image is pending verification first, as ESP-IDF's examples do).
 */
export function markActiveValid(area: FlashArea): void {
  const entries = readOtadata(area);
  const active = activeOtadata(entries);
  if (active === -1) throw new FirmwareError('ERR_OTA_STATE', 'no active otadata entry');
  if (entries[active].state === OTA_IMG.VALID) return;
  writeOtadataCopy(area, active, entries[active].seq, OTA_IMG.VALID);
}

/** esp_ota_check_rollback_is_possible for two slots: the copy that is not active is usable. */
export function rollbackPossible(area: FlashArea): boolean {
  const entries = readOtadata(area);
  const active = activeOtadata(entries);
  return active !== -1 && entryUsable(entries[active === 0 ? 1 : 0]);
}

/**
 * esp_ota_mark_app_invalid_rollback_and_reboot without the reboot: the active copy becomes
 * INVALID, only if the other copy is usable (else ERR_OTA_ROLLBACK_FAILED, nothing written).
 */
export function markActiveInvalid(area: FlashArea): void {
  const entries = readOtadata(area);
  const active = activeOtadata(entries);
  if (active === -1 || !entryUsable(entries[active === 0 ? 1 : 0])) {
    throw new FirmwareError('ERR_OTA_ROLLBACK_FAILED');
  }
  writeOtadataCopy(area, active, entries[active].seq, OTA_IMG.INVALID);
}
