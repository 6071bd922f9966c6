/**
 * A/B firmware slots (ESP-IDF ota_0/ota_1 + otadata, rollback enabled). Owned by the device OTA
 * issue (#4). The calls follow esp_ota_ops.h so the ESP32 host maps each to one ESP-IDF call
 * (or to a read of the "otadata" partition parsed with firmware/ota/otadata.ts):
 *
 * | port call              | ESP-IDF                                                         |
 * |------------------------|-----------------------------------------------------------------|
 * | running()              | esp_ota_get_running_partition()                                 |
 * | entry(slot)            | esp_ota_get_state_partition() plus the entry's ota_seq          |
 * | runningState()         | esp_ota_get_state_partition(running)                            |
 * | slotSize(), eraseSize(), writeAlign() | partition size, SPI_FLASH_SEC_SIZE, write unit    |
 * | eraseInactive/writeInactive/readInactive | esp_partition_erase_range/write/read on        |
 * |                        | esp_ota_get_next_update_partition() (Flash "nextota")           |
 * | activateInactive()     | esp_ota_set_boot_partition(next): otadata entry, state NEW      |
 * | markValid()            | esp_ota_mark_app_valid_cancel_rollback()                        |
 * | rollbackPossible()     | esp_ota_check_rollback_is_possible()                            |
 * | markInvalidAndRollBack() | esp_ota_mark_app_invalid_rollback (the caller then restarts)  |
 *
 * Writing the inactive slot is refused (ERR_OTA_STATE) while the running image is pending
 * verification, as esp_ota_begin refuses it: the slot being written is the only way back.
 */
export type SlotIndex = 0 | 1;
export type BootState = 'new' | 'pending-verify' | 'valid' | 'invalid' | 'aborted' | 'undefined';

/** The otadata entry that selects a slot: a larger seq is newer. */
export interface SlotEntry {
  seq: number;
  state: BootState;
}

export interface FirmwareSlotsPort {
  /** The slot the running image was loaded from. */
  running(): SlotIndex;
  /** State of the running image's entry; 'undefined' when no intact entry selects it. */
  runningState(): BootState;
  /** The intact otadata entry that selects `slot`, if any. */
  entry(slot: SlotIndex): SlotEntry | undefined;
  /** Bytes in one slot (both are equal). */
  slotSize(): number;
  /** Erase granularity (flash sector) of the slots. */
  eraseSize(): number;
  /** Write granularity: write offsets and lengths are multiples of it. */
  writeAlign(): number;
  /** Erases whole sectors of the inactive slot. */
  eraseInactive(offset: number, length: number): void;
  /** Writes erased bytes of the inactive slot at an offset (resumable, any order). */
  writeInactive(offset: number, bytes: Uint8Array): void;
  readInactive(offset: number, length: number): Uint8Array;
  /** Selects the inactive slot for the next boot, state NEW (the bootloader makes it PENDING_VERIFY). */
  activateInactive(): void;
  /** The running image confirms itself (PENDING_VERIFY -> VALID). */
  markValid(): void;
  /** Whether the other slot holds a bootable entry to return to. */
  rollbackPossible(): boolean;
  /**
   * Marks the running image INVALID so the next boot returns to the other slot; the caller
   * restarts. Throws ERR_OTA_ROLLBACK_FAILED (nothing written) when there is no other slot.
   */
  markInvalidAndRollBack(): void;
}
