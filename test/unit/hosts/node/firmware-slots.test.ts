import { describe, expect, it } from 'vitest';
import { selectBootSlot } from '../../../../firmware/ota/boot.js';
import { FlashFirmwareSlots } from '../../../../hosts/node/firmware-slots.js';
import { createOtaFlash, type SimFlash } from '../../../../hosts/node/flash.js';
import { describeFirmwareSlotsContract, type SlotsFixture } from '../../../contract/firmware-slots.js';

function boot(flash: SimFlash): FlashFirmwareSlots {
  const decision = selectBootSlot(flash.area('otadata'), (slot) => flash.area(slot === 0 ? 'ota_0' : 'ota_1').read(0, 1)[0] === 0xe9);
  if (decision.slot === undefined) throw new Error('no bootable slot');
  return new FlashFirmwareSlots(flash, decision.slot);
}

function fixture(): SlotsFixture {
  const flash = createOtaFlash({ slotSize: 16 * 1024 });
  flash.area('ota_0').write(0, Uint8Array.of(0xe9, 0, 0, 0)); // factory image in ota_0
  return { slots: boot(flash), restart: () => boot(flash) };
}

describeFirmwareSlotsContract('node flash model + ESP-IDF boot rules', fixture);

describe('node firmware slots: stricter than ESP-IDF', () => {
  it('refuses mark-valid from an image the active entry does not select', () => {
    const flash = createOtaFlash({ slotSize: 16 * 1024 });
    flash.area('ota_0').write(0, Uint8Array.of(0xe9, 0, 0, 0));
    boot(flash);
    const stale = new FlashFirmwareSlots(flash, 1); // pretends to run slot 1
    expect(() => stale.markValid()).toThrow(expect.objectContaining({ code: 'ERR_OTA_STATE' }));
  });
});
