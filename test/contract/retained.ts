import { describe, expect, it } from 'vitest';
import { isFirmwareError, type RetainedPort } from '../../firmware/index.js';

/** Contract of the RetainedPort (firmware/ports/retained.ts); the factory gives an empty one. */
export function describeRetainedContract(name: string, factory: () => RetainedPort | Promise<RetainedPort>): void {
  describe(`RetainedPort contract: ${name}`, () => {
    it('is empty at first (as after a power cut)', async () => {
      const retained = await factory();
      expect(retained.load()).toBeUndefined();
      expect(Number.isInteger(retained.capacity) && retained.capacity > 0).toBe(true);
    });

    it('returns what was saved, the last save wins', async () => {
      const retained = await factory();
      retained.save(Uint8Array.of(1, 2, 3));
      expect(retained.load()).toEqual(Uint8Array.of(1, 2, 3));
      retained.save(Uint8Array.of(9));
      expect(retained.load()).toEqual(Uint8Array.of(9));
      retained.save(new Uint8Array(0));
      expect(retained.load()).toEqual(new Uint8Array(0));
    });

    it('is not changed by mutating the saved or loaded buffers', async () => {
      const retained = await factory();
      const bytes = Uint8Array.of(1, 2, 3);
      retained.save(bytes);
      bytes[0] = 99;
      const loaded = retained.load()!;
      loaded[1] = 99;
      expect(retained.load()).toEqual(Uint8Array.of(1, 2, 3));
    });

    it('accepts exactly its capacity, refuses one more byte with ERR_RETAINED_TOO_LARGE and keeps the old record', async () => {
      const retained = await factory();
      const full = new Uint8Array(retained.capacity).fill(7);
      retained.save(full);
      expect(retained.load()).toEqual(full);
      let error: unknown;
      try {
        retained.save(new Uint8Array(retained.capacity + 1));
      } catch (e) {
        error = e;
      }
      expect(isFirmwareError(error, 'ERR_RETAINED_TOO_LARGE')).toBe(true);
      expect(retained.load()).toEqual(full);
    });

    it('keeps bytes of every value intact', async () => {
      const retained = await factory();
      const all = Uint8Array.from({ length: Math.min(256, retained.capacity) }, (_, i) => i);
      retained.save(all);
      expect(retained.load()).toEqual(all);
    });
  });
}
