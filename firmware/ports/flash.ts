/**
 * Flash partitions, as MCUboot's flash_area API (style item 1): the ten calls OTA needs.
 * Owned by the device OTA issue (#4).
 *
 * NOR flash rules every implementation keeps: erase works on whole sectors (eraseSize) and sets
 * every byte to erasedValue (0xff); a write can only clear bits, so a byte is written once per
 * erase; write offsets and lengths are multiples of writeAlign. The node host's model
 * (hosts/node/flash.ts) is stricter than silicon and throws on any breach; test/contract/flash.ts
 * holds every implementation to the same rules.
 *
 * An area is a handle without a lifecycle: there is no open/close pair to nest or forget
 * (MCUboot issues 1506 and 1824). On ESP32 the host maps it to embedded:storage/flash, opened
 * once per label.
 */
export interface FlashArea {
  readonly label: string;
  /** Bytes in the area (a multiple of eraseSize). */
  size(): number;
  /** Sector size: erase granularity in bytes (4096 on ESP32). */
  eraseSize(): number;
  /** Write granularity in bytes: offsets and lengths of writes are multiples of it. */
  writeAlign(): number;
  /** Value of an erased byte (0xff on NOR flash). */
  erasedValue(): number;
  read(offset: number, length: number): Uint8Array;
  /** Writes into erased bytes only (ERR_FLASH_NOT_ERASED), aligned (ERR_FLASH_ALIGN), in range (ERR_FLASH_RANGE). */
  write(offset: number, bytes: Uint8Array): void;
  /** Erases whole sectors: offset and length are multiples of eraseSize. */
  erase(offset: number, length: number): void;
}

/** Partition labels as in ESP-IDF's partition table (protocols.md section 5). */
export type PartitionLabel = 'otadata' | 'ota_0' | 'ota_1' | 'nvs' | (string & {});

export interface FlashPort {
  /** The area of a partition; throws ERR_FLASH_RANGE for an unknown label. */
  area(label: PartitionLabel): FlashArea;
  /** Labels of the partitions this flash has. */
  labels(): readonly string[];
}
