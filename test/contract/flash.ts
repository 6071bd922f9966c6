import { describe, expect, it } from 'vitest';
import { type FlashArea } from '../../firmware/index.js';
import { codeOf } from '../support/errors.js';

/**
 * Contract of a FlashArea (firmware/ports/flash.ts); the factory gives an area of at least two
 * sectors in any state. Every host's flash must pass it; the node model adds stricter checks
 * of its own (test/unit/hosts/node/flash.test.ts).
 */
export function describeFlashContract(name: string, factory: () => FlashArea | Promise<FlashArea>): void {
  describe(`FlashArea contract: ${name}`, () => {
    it('has a sane geometry', async () => {
      const area = await factory();
      expect(area.eraseSize()).toBeGreaterThan(0);
      expect(area.size() % area.eraseSize()).toBe(0);
      expect(area.size()).toBeGreaterThanOrEqual(2 * area.eraseSize());
      expect(area.eraseSize() % area.writeAlign()).toBe(0);
      expect(area.erasedValue()).toBe(0xff);
    });

    it('erase sets a sector to the erased value; writes read back in any order', async () => {
      const area = await factory();
      const sector = area.eraseSize();
      const a = area.writeAlign();
      area.erase(0, 2 * sector);
      expect(area.read(0, 2 * sector).every((b) => b === 0xff)).toBe(true);
      const hi = Uint8Array.from({ length: 4 * a }, (_, i) => i + 1);
      const lo = Uint8Array.from({ length: 2 * a }, (_, i) => 0x80 + i);
      area.write(sector + 8 * a, hi);
      area.write(sector, lo);
      expect(area.read(sector + 8 * a, hi.length)).toEqual(hi);
      expect(area.read(sector, lo.length)).toEqual(lo);
      expect(area.read(sector + 2 * a, 6 * a).every((b) => b === 0xff)).toBe(true);
      expect(area.read(0, sector).every((b) => b === 0xff)).toBe(true); // the other sector untouched
      area.erase(sector, sector);
      expect(area.read(sector, sector).every((b) => b === 0xff)).toBe(true);
    });

    it('copies out: a returned buffer is not the flash', async () => {
      const area = await factory();
      area.erase(0, area.eraseSize());
      const got = area.read(0, 4);
      got[0] = 0;
      expect(area.read(0, 1)[0]).toBe(0xff);
    });

    it('refuses access outside the area (ERR_FLASH_RANGE) and unaligned erases (ERR_FLASH_ALIGN)', async () => {
      const area = await factory();
      const size = area.size();
      expect(codeOf(() => area.read(size - 1, 2))).toBe('ERR_FLASH_RANGE');
      expect(codeOf(() => area.read(-1, 1))).toBe('ERR_FLASH_RANGE');
      expect(codeOf(() => area.write(size, new Uint8Array(area.writeAlign())))).toBe('ERR_FLASH_RANGE');
      expect(codeOf(() => area.erase(size, area.eraseSize()))).toBe('ERR_FLASH_RANGE');
      expect(codeOf(() => area.erase(1, area.eraseSize()))).toBe(area.eraseSize() > 1 ? 'ERR_FLASH_ALIGN' : 'no error');
      expect(codeOf(() => area.erase(0, area.eraseSize() - 1))).toBe('ERR_FLASH_ALIGN');
    });
  });
}
