import { describe, expect, it } from 'vitest';
import { isFirmwareError } from '../../../../firmware/index.js';
import {
  activeOtadata, decodeEntry, encodeEntry, entryForSlot, entryUsable, markActiveInvalid, markActiveValid, OTA_IMG,
  readOtadata, rollbackPossible, setBootSlot, writeOtadataCopy,
} from '../../../../firmware/ota/otadata.js';
import { createOtaFlash } from '../../../../hosts/node/flash.js';

const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('esp_ota_select_entry_t', () => {
  it('encodes seq 1 NEW exactly as protocols.md section 5 shows', () => {
    expect(toHex(encodeEntry(1, OTA_IMG.NEW))).toBe(`01000000${'ff'.repeat(20)}000000009a984347`);
    expect(decodeEntry(encodeEntry(7, OTA_IMG.ABORTED))).toEqual({ seq: 7, state: 4, crc: decodeEntry(encodeEntry(7, 0)).crc });
  });

  it('usable = intact CRC, seq set, state neither INVALID nor ABORTED', () => {
    expect(entryUsable(decodeEntry(encodeEntry(3, OTA_IMG.VALID)))).toBe(true);
    expect(entryUsable(decodeEntry(encodeEntry(3, OTA_IMG.PENDING_VERIFY)))).toBe(true);
    expect(entryUsable(decodeEntry(encodeEntry(3, OTA_IMG.UNDEFINED)))).toBe(true);
    expect(entryUsable(decodeEntry(encodeEntry(3, OTA_IMG.INVALID)))).toBe(false);
    expect(entryUsable(decodeEntry(encodeEntry(3, OTA_IMG.ABORTED)))).toBe(false);
    expect(entryUsable(decodeEntry(new Uint8Array(32).fill(0xff)))).toBe(false);
    const bad = encodeEntry(3, OTA_IMG.VALID);
    bad[0] = 4; // seq changed, CRC not
    expect(entryUsable(decodeEntry(bad))).toBe(false);
  });
});

describe('esp_ota_ops on otadata (two slots)', () => {
  const setup = () => {
    const flash = createOtaFlash({ slotSize: 16 * 1024 });
    const area = flash.area('otadata');
    writeOtadataCopy(area, 0, 1, OTA_IMG.VALID); // as the bootloader leaves a fresh device
    return { flash, area };
  };

  it('set boot partition writes the other copy with the next seq for the target, state NEW', () => {
    const { area } = setup();
    setBootSlot(area, 1, 2);
    const [c0, c1] = readOtadata(area);
    expect([c0.seq, c0.state, c1.seq, c1.state]).toEqual([1, OTA_IMG.VALID, 2, OTA_IMG.NEW]);
    expect(activeOtadata([c0, c1])).toBe(1);
    expect(entryForSlot([c0, c1], 1, 2)?.seq).toBe(2);
    // Next OTA back to ota_0 writes copy 0 with seq 3.
    markActiveValid(area);
    setBootSlot(area, 0, 2);
    expect(readOtadata(area).map((e) => [e.seq, e.state])).toEqual([[3, OTA_IMG.NEW], [2, OTA_IMG.VALID]]);
  });

  it('skips an ABORTED copy when choosing the active one, and reuses the seq for a retry', () => {
    const { area } = setup();
    writeOtadataCopy(area, 1, 2, OTA_IMG.ABORTED);
    expect(activeOtadata(readOtadata(area))).toBe(0);
    setBootSlot(area, 1, 2);
    expect(readOtadata(area).map((e) => [e.seq, e.state])).toEqual([[1, OTA_IMG.VALID], [2, OTA_IMG.NEW]]);
  });

  it('mark valid writes only when needed; mark invalid needs another usable copy', () => {
    const { flash, area } = setup();
    const before = flash.operations;
    markActiveValid(area);
    expect(flash.operations).toBe(before); // already VALID: no write
    expect(rollbackPossible(area)).toBe(false);
    expect(() => markActiveInvalid(area)).toThrow(expect.objectContaining({ code: 'ERR_OTA_ROLLBACK_FAILED' }));
    expect(flash.operations).toBe(before);
    setBootSlot(area, 1, 2);
    writeOtadataCopy(area, 1, 2, OTA_IMG.PENDING_VERIFY);
    expect(rollbackPossible(area)).toBe(true);
    markActiveInvalid(area);
    expect(readOtadata(area)[1].state).toBe(OTA_IMG.INVALID);
    expect(activeOtadata(readOtadata(area))).toBe(0);
  });

  it('mark valid on blank otadata is refused', () => {
    const flash = createOtaFlash({ slotSize: 16 * 1024 });
    try {
      markActiveValid(flash.area('otadata'));
      expect.fail('expected ERR_OTA_STATE');
    } catch (error) {
      expect(isFirmwareError(error, 'ERR_OTA_STATE')).toBe(true);
    }
  });
});
