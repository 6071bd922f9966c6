import { describe, expect, it } from 'vitest';
import { createOtaFlash, PowerCut, SimFlash, type FlashOp } from '../../../../hosts/node/flash.js';
import { describeFlashContract } from '../../../contract/flash.js';
import { codeOf } from '../../../support/errors.js';

describeFlashContract('node flash model (otadata)', () => createOtaFlash().area('otadata'));
describeFlashContract('node flash model (ota_1, 16-byte writes)', () => createOtaFlash({ writeAlign: 16, slotSize: 8192 }).area('ota_1'));


describe('node flash model: stricter than silicon', () => {
  it('refuses a second write to a unit, even one that only clears bits', () => {
    const area = createOtaFlash().area('nvs');
    area.write(0, Uint8Array.of(0xf0, 0xff, 0xff, 0xff));
    expect(codeOf(() => area.write(0, Uint8Array.of(0x00, 0xff, 0xff, 0xff)))).toBe('ERR_FLASH_NOT_ERASED');
    area.erase(0, 4096);
    area.write(0, Uint8Array.of(0x00, 1, 2, 3));
    expect(area.read(0, 4)).toEqual(Uint8Array.of(0, 1, 2, 3));
  });

  it('refuses unaligned writes', () => {
    const area = createOtaFlash().area('nvs');
    expect(codeOf(() => area.write(2, new Uint8Array(4)))).toBe('ERR_FLASH_ALIGN');
    expect(codeOf(() => area.write(0, new Uint8Array(3)))).toBe('ERR_FLASH_ALIGN');
  });

  it('keeps partitions apart and refuses unknown labels', () => {
    const flash = createOtaFlash({ slotSize: 8192 });
    flash.area('ota_0').write(8188, Uint8Array.of(1, 2, 3, 4));
    expect(flash.area('ota_1').read(0, 4)).toEqual(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    expect(codeOf(() => flash.area('factory'))).toBe('ERR_FLASH_RANGE');
    expect(() => new SimFlash({ partitions: [{ label: 'a', offset: 0, size: 8192 }, { label: 'b', offset: 4096, size: 4096 }] })).toThrow(/overlaps/);
  });

  it('counts writes and erases (one per sector), not reads', () => {
    const flash = createOtaFlash({ slotSize: 16384 });
    const ops: FlashOp[] = [];
    flash.onOperation = (op) => ops.push(op);
    const area = flash.area('ota_0');
    area.erase(0, 3 * 4096);
    area.write(0, new Uint8Array(8));
    area.read(0, 100);
    expect(flash.operations).toBe(4);
    expect(ops.map((o) => `${o.kind}@${o.offset}`)).toEqual(['erase@0', 'erase@4096', 'erase@8192', 'write@0']);
  });
});

describe('node flash model: power cuts', () => {
  it('a torn write leaves a prefix programmed, throws PowerCut, and the flash stays off until powerOn', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const flash = createOtaFlash({ seed });
      const area = flash.area('nvs');
      const data = Uint8Array.from({ length: 64 }, (_, i) => i);
      flash.cutAfter(1);
      expect(() => area.write(0, data)).toThrow(PowerCut);
      expect(codeOf(() => area.read(0, 1))).toBe('ERR_POWER_CUT');
      expect(codeOf(() => area.erase(0, 4096))).toBe('ERR_POWER_CUT');
      flash.powerOn();
      const got = area.read(0, 64);
      let prefix = 0;
      while (prefix < 64 && got[prefix] === data[prefix]) prefix++;
      expect(prefix).toBeLessThan(64);
      // After the prefix: at most one partly programmed byte (a superset of the data's bits), then erased bytes.
      if (prefix < 64) expect(got[prefix]! & data[prefix]!).toBe(data[prefix]);
      expect(got.subarray(prefix + 1).every((b) => b === 0xff)).toBe(true);
      // The torn unit cannot be written again before an erase.
      expect(codeOf(() => area.write(Math.floor(prefix / 4) * 4, new Uint8Array(4)))).toBe('ERR_FLASH_NOT_ERASED');
    }
  });

  it('a torn erase leaves part of the sector unerased', () => {
    let partial = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const flash = createOtaFlash({ seed });
      const area = flash.area('nvs');
      area.write(0, new Uint8Array(4096));
      flash.cutAfter(1);
      expect(() => area.erase(0, 4096)).toThrow(PowerCut);
      flash.powerOn();
      const got = area.read(0, 4096);
      if (!got.every((b) => b === 0xff)) partial++;
      expect(got.subarray(0, 1).every((b) => b === 0xff) || got[0] !== 0).toBe(true);
    }
    expect(partial).toBe(20);
  });

  it('cuts at exactly the n-th operation from now; the others complete', () => {
    const flash = createOtaFlash();
    const area = flash.area('nvs');
    flash.cutAfter(3);
    area.write(0, Uint8Array.of(1, 1, 1, 1));
    area.write(4, Uint8Array.of(2, 2, 2, 2));
    expect(() => area.write(8, Uint8Array.of(3, 3, 3, 3))).toThrow(PowerCut);
    flash.powerOn();
    expect(area.read(0, 8)).toEqual(Uint8Array.of(1, 1, 1, 1, 2, 2, 2, 2));
    expect(flash.operations).toBe(3);
    expect(flash.counts.torn).toBe(1);
  });

  it('a multi-sector erase is one operation per sector and can tear in the middle', () => {
    const flash = createOtaFlash({ slotSize: 16384 });
    const area = flash.area('ota_0');
    for (let s = 0; s < 3; s++) area.write(s * 4096, new Uint8Array(8));
    flash.cutAfter(2);
    expect(() => area.erase(0, 3 * 4096)).toThrow(PowerCut);
    flash.powerOn();
    expect(area.read(0, 4096).every((b) => b === 0xff)).toBe(true);
    expect(area.read(8192, 8)).toEqual(new Uint8Array(8)); // third sector never reached
  });

  it("cutAfter(n, 'before') leaves the operation undone; 'after' completes it; both cut the power", () => {
    for (const mode of ['before', 'after'] as const) {
      const flash = createOtaFlash();
      const area = flash.area('nvs');
      area.write(0, Uint8Array.of(9, 9, 9, 9));
      flash.cutAfter(2, mode);
      area.write(4, Uint8Array.of(1, 2, 3, 4));
      expect(() => area.erase(0, 4096)).toThrow(PowerCut);
      expect(flash.powered).toBe(false);
      flash.powerOn();
      const expected = mode === 'before' ? Uint8Array.of(9, 9, 9, 9, 1, 2, 3, 4) : new Uint8Array(8).fill(0xff);
      expect(area.read(0, 8)).toEqual(expected);
      // 'before' programmed nothing new: the erased units after the data can still be written.
      if (mode === 'before') area.write(8, Uint8Array.of(5, 5, 5, 5));
    }
  });

  it('clone() copies contents and programmed state', () => {
    const flash = createOtaFlash();
    flash.area('nvs').write(0, Uint8Array.of(1, 2, 3, 4));
    const copy = flash.clone();
    expect(copy.area('nvs').read(0, 4)).toEqual(Uint8Array.of(1, 2, 3, 4));
    expect(codeOf(() => copy.area('nvs').write(0, Uint8Array.of(0, 0, 0, 0)))).toBe('ERR_FLASH_NOT_ERASED');
  });
});
