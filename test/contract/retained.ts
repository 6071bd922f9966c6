import { describe, expect, it } from 'vitest';
import type { RetainedPort } from '../../firmware/index.js';
import { failureCode, type MaybeAsync } from './async.js';

/** Contract of the RetainedPort (firmware/ports/retained.ts); the factory gives an empty one. */
export function describeRetainedContract(name: string, factory: () => RetainedPort | MaybeAsync<RetainedPort> | Promise<RetainedPort | MaybeAsync<RetainedPort>>): void {
  describe(`RetainedPort contract: ${name}`, () => {
    it('is empty at first (as after a power cut)', async () => {
      const retained = await factory();
      expect(await retained.load()).toBeUndefined();
      expect(Number.isInteger(retained.capacity) && retained.capacity > 0).toBe(true);
    });

    it('returns what was saved, the last save wins', async () => {
      const retained = await factory();
      await retained.save(Uint8Array.of(1, 2, 3));
      expect(await retained.load()).toEqual(Uint8Array.of(1, 2, 3));
      await retained.save(Uint8Array.of(9));
      expect(await retained.load()).toEqual(Uint8Array.of(9));
      await retained.save(new Uint8Array(0));
      expect(await retained.load()).toEqual(new Uint8Array(0));
    });

    it('is not changed by mutating the saved or loaded buffers', async () => {
      const retained = await factory();
      const bytes = Uint8Array.of(1, 2, 3);
      await retained.save(bytes);
      bytes[0] = 99;
      const loaded = (await retained.load())!;
      loaded[1] = 99;
      expect(await retained.load()).toEqual(Uint8Array.of(1, 2, 3));
    });

    it('accepts exactly its capacity, refuses one more byte with ERR_RETAINED_TOO_LARGE and keeps the old record', async () => {
      const retained = await factory();
      const full = new Uint8Array(retained.capacity).fill(7);
      await retained.save(full);
      expect(await retained.load()).toEqual(full);
      expect(await failureCode(() => retained.save(new Uint8Array(retained.capacity + 1)))).toBe('ERR_RETAINED_TOO_LARGE');
      expect(await retained.load()).toEqual(full);
    });

    it('keeps bytes of every value intact', async () => {
      const retained = await factory();
      const all = Uint8Array.from({ length: Math.min(256, retained.capacity) }, (_, i) => i);
      await retained.save(all);
      expect(await retained.load()).toEqual(all);
    });
  });
}
