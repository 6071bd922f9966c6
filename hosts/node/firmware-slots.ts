/**
 * FirmwareSlotsPort over a FlashPort with ESP-IDF's partitions (otadata, ota_0, ota_1), using
 * the same otadata rules as the firmware (firmware/ota/otadata.ts). The running slot is what
 * the bootloader (firmware/ota/boot.ts, run by the simulated device) loaded.
 */
import { FirmwareError, type BootState, type FirmwareSlotsPort, type FlashArea, type FlashPort, type SlotEntry, type SlotIndex } from '../../firmware/index.js';
import {
  activeOtadata, bootStateName, entryForSlot, slotOfSeq, markActiveInvalid, markActiveValid, readOtadata, rollbackPossible, setBootSlot,
} from '../../firmware/ota/otadata.js';

const APP_COUNT = 2;

export class FlashFirmwareSlots implements FirmwareSlotsPort {
  readonly #otadata: FlashArea;
  readonly #slots: readonly [FlashArea, FlashArea];
  readonly #running: SlotIndex;

  constructor(flash: FlashPort, running: SlotIndex) {
    this.#otadata = flash.area('otadata');
    this.#slots = [flash.area('ota_0'), flash.area('ota_1')];
    if (this.#slots[0].size() !== this.#slots[1].size()) throw new FirmwareError('ERR_FLASH_RANGE', 'ota_0 and ota_1 differ in size');
    this.#running = running;
  }

  running(): SlotIndex {
    return this.#running;
  }

  runningState(): BootState {
    return this.entry(this.#running)?.state ?? 'undefined';
  }

  entry(slot: SlotIndex): SlotEntry | undefined {
    const e = entryForSlot(readOtadata(this.#otadata), slot, APP_COUNT);
    return e === undefined ? undefined : { seq: e.seq, state: bootStateName(e.state) };
  }

  slotSize(): number {
    return this.#slots[0].size();
  }

  eraseSize(): number {
    return this.#slots[0].eraseSize();
  }

  writeAlign(): number {
    return this.#slots[0].writeAlign();
  }

  #inactive(): FlashArea {
    return this.#slots[this.#running === 0 ? 1 : 0];
  }

  #checkWritable(): void {
    // esp_ota_begin: ESP_ERR_OTA_ROLLBACK_INVALID_STATE while the running app is unconfirmed.
    if (this.runningState() === 'pending-verify') throw new FirmwareError('ERR_OTA_STATE', 'running image is pending verification');
  }

  eraseInactive(offset: number, length: number): void {
    this.#checkWritable();
    this.#inactive().erase(offset, length);
  }

  writeInactive(offset: number, bytes: Uint8Array): void {
    this.#checkWritable();
    this.#inactive().write(offset, bytes);
  }

  readInactive(offset: number, length: number): Uint8Array {
    return this.#inactive().read(offset, length);
  }

  activateInactive(): void {
    this.#checkWritable();
    setBootSlot(this.#otadata, this.#running === 0 ? 1 : 0, APP_COUNT);
  }

  /** Stricter than ESP-IDF: the active otadata entry must be the running image's. */
  #checkActiveIsRunning(): void {
    const entries = readOtadata(this.#otadata);
    const active = activeOtadata(entries);
    if (active === -1 || slotOfSeq(entries[active].seq, APP_COUNT) !== this.#running) {
      throw new FirmwareError('ERR_OTA_STATE', 'the active otadata entry does not select the running slot');
    }
  }

  markValid(): void {
    this.#checkActiveIsRunning();
    markActiveValid(this.#otadata);
  }

  rollbackPossible(): boolean {
    return rollbackPossible(this.#otadata);
  }

  markInvalidAndRollBack(): void {
    this.#checkActiveIsRunning();
    markActiveInvalid(this.#otadata);
  }
}
