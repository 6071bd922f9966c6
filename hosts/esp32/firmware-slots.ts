/**
 * FirmwareSlotsPort on the ESP32: each call is the esp_ota_ops.h call the port names
 * (firmware/ports/firmware-slots.ts), through native/ota.c, except the slot bytes, which go
 * through the flash partitions (ota_N as "running"/"nextota", hosts/esp32/flash.ts), and
 * entry(), which parses the "otadata" partition with the core's otadata rules.
 */
import {
  bootStateName, entryForSlot, FirmwareError, readOtadata,
  type BootState, type FirmwareSlotsPort, type FlashArea, type FlashPort, type SlotEntry, type SlotIndex,
} from '../esp32-core.js';
import { ESP_ERR, espErrorName, type NativeApi } from './moddable-types.js';

const APP_COUNT = 2;
const STATES: readonly BootState[] = Object.freeze(['new', 'pending-verify', 'valid', 'invalid', 'aborted']);

export function bootStateOf(code: number): BootState {
  return STATES[code] ?? 'undefined';
}

export function createEsp32FirmwareSlots(native: () => NativeApi, flash: FlashPort): FirmwareSlotsPort {
  const running = (): SlotIndex => {
    const slot = native().sn_ota_running_slot();
    if (slot !== 0 && slot !== 1) throw new FirmwareError('ERR_OTA_STATE', `running image is not in ota_0 or ota_1 (${native().sn_ota_running_label()})`);
    return slot;
  };
  const inactive = (): FlashArea => flash.area(`ota_${running() === 0 ? 1 : 0}`);
  const runningState = (): BootState => bootStateOf(native().sn_ota_running_state());
  const checkWritable = (): void => {
    // esp_ota_begin refuses the same (ESP_ERR_OTA_ROLLBACK_INVALID_STATE): the slot we would
    // write is the only way back until the running image is confirmed.
    if (runningState() === 'pending-verify') throw new FirmwareError('ERR_OTA_STATE', 'running image is pending verification');
  };
  const check = (err: number, what: string): void => {
    if (err === 0) return;
    if (err === ESP_ERR.OTA_ROLLBACK_FAILED) throw new FirmwareError('ERR_OTA_ROLLBACK_FAILED', `${what}: ${espErrorName(err)}`);
    throw new FirmwareError('ERR_OTA_STATE', `${what}: ${espErrorName(err)}`);
  };
  return {
    running,
    runningState,
    entry(slot): SlotEntry | undefined {
      const e = entryForSlot(readOtadata(flash.area('otadata')), slot, APP_COUNT);
      return e === undefined ? undefined : { seq: e.seq, state: bootStateName(e.state) };
    },
    slotSize: () => inactive().size(),
    eraseSize: () => inactive().eraseSize(),
    writeAlign: () => inactive().writeAlign(),
    eraseInactive(offset, length) {
      checkWritable();
      inactive().erase(offset, length);
    },
    writeInactive(offset, bytes) {
      checkWritable();
      inactive().write(offset, bytes);
    },
    readInactive: (offset, length) => inactive().read(offset, length),
    activateInactive() {
      checkWritable();
      // ESP-IDF checks the image (header, segments, appended SHA-256) before selecting it.
      check(native().sn_ota_activate_next(), 'esp_ota_set_boot_partition');
    },
    markValid() {
      check(native().sn_ota_mark_valid(), 'esp_ota_mark_app_valid_cancel_rollback');
    },
    rollbackPossible: () => native().sn_ota_rollback_possible() !== 0,
    markInvalidAndRollBack() {
      check(native().sn_ota_mark_invalid(), 'esp_ota_mark_app_invalid_rollback');
    },
  };
}
