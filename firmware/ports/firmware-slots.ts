/**
 * A/B firmware slots (ESP-IDF ota_0/ota_1 + otadata). Owned by the device OTA issue (#4).
 */
export type SlotIndex = 0 | 1;
export type BootState = 'new' | 'pending-verify' | 'valid' | 'invalid' | 'aborted' | 'undefined';

export interface SlotWriter {
  write(offset: number, bytes: Uint8Array): void;
  close(): void;
}

export interface FirmwareSlotsPort {
  running(): SlotIndex;
  runningState(): BootState;
  slotSize(): number;
  /** Opens the inactive slot for writing at offsets; `eraseFirst` erases the bytes to be written. */
  openInactive(options: { byteLength: number; eraseFirst: boolean }): SlotWriter;
  readInactive(offset: number, length: number): Uint8Array;
  /** Select the inactive slot for the next boot, state new. */
  activateInactive(): void;
  markValid(): void;
  /** Mark the running image invalid and return to the other slot at the next restart. */
  markInvalidAndRollBack(): void;
}
