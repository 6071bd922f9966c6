import { describe, expect, it } from 'vitest';
import { selectBootSlot } from '../../../../firmware/ota/boot.js';
import { OTA_IMG, readOtadata, setBootSlot, markActiveValid, writeOtadataCopy } from '../../../../firmware/ota/otadata.js';
import { createOtaFlash } from '../../../../hosts/node/flash.js';

// The bootloader walk-through of protocols.md section 5, with rollback enabled and no factory.
const states = (area: ReturnType<ReturnType<typeof createOtaFlash>['area']>) => readOtadata(area).map((e) => [e.seq, e.state]);
const BLANK = [0xffffffff, 0xffffffff];

describe('boot selection (bootloader_utility.c with rollback)', () => {
  it('fresh device: boots ota_0 and writes copy 0 as seq 1 VALID', () => {
    const area = createOtaFlash({ slotSize: 16 * 1024 }).area('otadata');
    expect(selectBootSlot(area, () => true)).toEqual({ slot: 0, selected: 0, pendingVerify: false });
    expect(states(area)).toEqual([[1, OTA_IMG.VALID], BLANK]);
  });

  it('fresh device with an unloadable ota_0 boots ota_1 and records seq 2', () => {
    const area = createOtaFlash({ slotSize: 16 * 1024 }).area('otadata');
    expect(selectBootSlot(area, (s) => s === 1).slot).toBe(1);
    expect(states(area)).toEqual([[2, OTA_IMG.VALID], BLANK]);
  });

  it('NEW -> PENDING_VERIFY at boot; an unconfirmed reset -> ABORTED and the old slot', () => {
    const area = createOtaFlash({ slotSize: 16 * 1024 }).area('otadata');
    selectBootSlot(area, () => true);
    setBootSlot(area, 1, 2);
    expect(selectBootSlot(area, () => true)).toEqual({ slot: 1, selected: 1, pendingVerify: true });
    expect(states(area)).toEqual([[1, OTA_IMG.VALID], [2, OTA_IMG.PENDING_VERIFY]]);
    expect(selectBootSlot(area, () => true)).toEqual({ slot: 0, selected: 0, pendingVerify: false });
    expect(states(area)).toEqual([[1, OTA_IMG.VALID], [2, OTA_IMG.ABORTED]]);
  });

  it('a confirmed image stays; the next update goes to ota_0 with seq 3', () => {
    const area = createOtaFlash({ slotSize: 16 * 1024 }).area('otadata');
    selectBootSlot(area, () => true);
    setBootSlot(area, 1, 2);
    selectBootSlot(area, () => true);
    markActiveValid(area);
    expect(selectBootSlot(area, () => true).slot).toBe(1);
    setBootSlot(area, 0, 2);
    expect(selectBootSlot(area, () => true)).toEqual({ slot: 0, selected: 0, pendingVerify: true });
    expect(states(area)).toEqual([[3, OTA_IMG.PENDING_VERIFY], [2, OTA_IMG.VALID]]);
  });

  it('an INVALID copy is skipped; both unusable but intact: ota_0 without rewriting otadata', () => {
    const area = createOtaFlash({ slotSize: 16 * 1024 }).area('otadata');
    writeOtadataCopy(area, 0, 1, OTA_IMG.ABORTED);
    writeOtadataCopy(area, 1, 2, OTA_IMG.INVALID);
    expect(selectBootSlot(area, () => true).slot).toBe(0);
    expect(states(area)).toEqual([[1, OTA_IMG.ABORTED], [2, OTA_IMG.INVALID]]);
  });

  it('falls back to the other slot when the selected image does not load; none loads = no boot', () => {
    const area = createOtaFlash({ slotSize: 16 * 1024 }).area('otadata');
    writeOtadataCopy(area, 0, 2, OTA_IMG.VALID);
    expect(selectBootSlot(area, (s) => s === 0)).toEqual({ slot: 0, selected: 1, pendingVerify: false });
    expect(selectBootSlot(area, () => false).slot).toBeUndefined();
  });

  it('a copy with a bad CRC is ignored', () => {
    const flash = createOtaFlash({ slotSize: 16 * 1024 });
    const area = flash.area('otadata');
    writeOtadataCopy(area, 0, 1, OTA_IMG.VALID);
    area.write(4096, Uint8Array.of(2, 0, 0, 0)); // seq 2, CRC left erased
    expect(selectBootSlot(area, () => true).slot).toBe(0);
  });
});
