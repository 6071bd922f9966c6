/**
 * Boot selection as ESP-IDF's second-stage bootloader does it with
 * CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE and no factory partition
 * (bootloader_utility.c: bootloader_utility_get_selected_boot_partition,
 * bootloader_utility_load_boot_image, set_actual_ota_seq; protocols.md section 5):
 *
 * 1. every copy in PENDING_VERIFY is rewritten as ABORTED (any reset before mark-valid rolls back);
 * 2. if neither copy is usable, boot ota_0 (and, when both copies are blank or CRC-bad, write
 *    copy 0 as seq 1 VALID once ota_0 has loaded);
 * 3. else the usable copy with the larger seq selects slot (seq - 1) % appCount; a NEW entry
 *    becomes PENDING_VERIFY;
 * 4. load the image: the selected slot, then downwards, then upwards; none loads = no boot.
 *
 * On the ESP32 the real bootloader does this; this module lets the node host and the power-cut
 * sweep run the same rules. It is pure logic over a FlashArea and a loader predicate.
 */
import type { FlashArea } from '../ports/flash.js';
import type { SlotIndex } from '../ports/firmware-slots.js';
import {
  activeOtadata, entryIntact, OTA_IMG, OTA_SEQ_EMPTY, readOtadata, slotOfSeq, writeOtadataCopy, entryInvalid,
} from './otadata.js';

export interface BootDecision {
  /** The slot whose image was loaded, or undefined when no slot holds a loadable image. */
  slot: SlotIndex | undefined;
  /** The slot the otadata selected before image checks. */
  selected: SlotIndex;
  /** Whether the selected slot's entry was NEW and is now PENDING_VERIFY. */
  pendingVerify: boolean;
}

/**
 * Runs the bootloader's selection. `loadable(slot)` stands for esp_image_verify of the slot
 * (the node host checks the image's own checksum).
 */
export function selectBootSlot(otadata: FlashArea, loadable: (slot: SlotIndex) => boolean, appCount = 2): BootDecision {
  const entries = readOtadata(otadata);
  for (const i of [0, 1] as const) {
    if (entries[i].state === OTA_IMG.PENDING_VERIFY) {
      writeOtadataCopy(otadata, i, entries[i].seq, OTA_IMG.ABORTED);
      entries[i] = { ...entries[i], state: OTA_IMG.ABORTED };
    }
  }
  let selected = 0;
  let initialContents = false;
  let pendingVerify = false;
  if (entryInvalid(entries[0]) && entryInvalid(entries[1])) {
    const blank = (i: 0 | 1): boolean => entries[i].seq === OTA_SEQ_EMPTY || !entryIntact(entries[i]);
    initialContents = blank(0) && blank(1);
  } else {
    const active = activeOtadata(entries);
    if (active !== -1) {
      selected = slotOfSeq(entries[active].seq, appCount);
      if (entries[active].state === OTA_IMG.NEW) {
        writeOtadataCopy(otadata, active, entries[active].seq, OTA_IMG.PENDING_VERIFY);
        pendingVerify = true;
      }
    }
  }
  const order: number[] = [];
  for (let i = selected; i >= 0; i--) order.push(i);
  for (let i = selected + 1; i < appCount; i++) order.push(i);
  for (const index of order) {
    if (loadable(index as SlotIndex)) {
      if (initialContents) writeOtadataCopy(otadata, 0, index + 1, OTA_IMG.VALID);
      return { slot: index as SlotIndex, selected: selected as SlotIndex, pendingVerify: pendingVerify && index === selected };
    }
  }
  return { slot: undefined, selected: selected as SlotIndex, pendingVerify: false };
}
