import { describe, expect, it } from 'vitest';
import type { KvPort } from '../../firmware/index.js';
import { failureCode, type MaybeAsync } from './async.js';

type AnyKv = KvPort | MaybeAsync<KvPort>;

export interface KvContractOptions {
  /** A second handle on the same storage (file or flash reopened): checks durability. */
  reopen?: (kv: KvPort) => KvPort | Promise<KvPort>;
}

/** Contract of the KvPort (firmware/ports/kv.ts); the factory gives an empty store. */
export function describeKvContract(name: string, factory: () => AnyKv | Promise<AnyKv>, options: KvContractOptions = {}): void {
  describe(`KvPort contract: ${name}`, () => {
    it('starts empty; a missing key reads undefined', async () => {
      const kv = await factory();
      expect(await kv.keys()).toEqual([]);
      expect(await kv.get('missing')).toBeUndefined();
    });

    it('sets, overwrites, lists and deletes', async () => {
      const kv = await factory();
      await kv.set('a', Uint8Array.of(1));
      await kv.set('b.c-d_E9', Uint8Array.of(2, 3));
      await kv.set('a', Uint8Array.of(4, 5, 6));
      expect(await kv.get('a')).toEqual(Uint8Array.of(4, 5, 6));
      expect([...(await kv.keys())].sort()).toEqual(['a', 'b.c-d_E9']);
      await kv.delete('a');
      expect(await kv.get('a')).toBeUndefined();
      expect(await kv.keys()).toEqual(['b.c-d_E9']);
      await kv.delete('a'); // deleting a missing key is not an error
      expect(await kv.keys()).toEqual(['b.c-d_E9']);
    });

    it('stores empty values and all byte values', async () => {
      const kv = await factory();
      await kv.set('empty', new Uint8Array(0));
      expect(await kv.get('empty')).toEqual(new Uint8Array(0));
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      await kv.set('all', all);
      expect(await kv.get('all')).toEqual(all);
    });

    it('copies values in and out', async () => {
      const kv = await factory();
      const value = Uint8Array.of(1, 2);
      await kv.set('k', value);
      value[0] = 9;
      (await kv.get('k'))![1] = 9;
      expect(await kv.get('k')).toEqual(Uint8Array.of(1, 2));
    });

    it('refuses keys outside the NVS rule with ERR_KV_KEY, in every method', async () => {
      const kv = await factory();
      for (const bad of ['', 'sixteen-chars-xx', 'a/b', 'spa ce', 'ü']) {
        expect(await failureCode(() => kv.set(bad, Uint8Array.of(1))), JSON.stringify(bad)).toBe('ERR_KV_KEY');
        expect(await failureCode(() => kv.get(bad))).toBe('ERR_KV_KEY');
        expect(await failureCode(() => kv.delete(bad))).toBe('ERR_KV_KEY');
      }
      expect(await failureCode(() => kv.set('fifteen-chars-x', Uint8Array.of(1)))).toBeUndefined();
      expect(await kv.keys()).toEqual(['fifteen-chars-x']);
    });

    if (options.reopen !== undefined) {
      const reopen = options.reopen;
      it('is durable: a reopened store has the same entries', async () => {
        const kv = (await factory()) as KvPort;
        kv.set('id', Uint8Array.of(1, 2, 3));
        kv.set('gone', Uint8Array.of(0));
        kv.delete('gone');
        const again = await reopen(kv);
        expect(again.get('id')).toEqual(Uint8Array.of(1, 2, 3));
        expect(again.keys()).toEqual(['id']);
      });
    }
  });
}
