import { describe, expect, it } from 'vitest';
import { FlashKv } from '../../../../hosts/node/flash-kv.js';
import { createOtaFlash, PowerCut, type SimFlash } from '../../../../hosts/node/flash.js';
import { describeKvContract } from '../../../contract/kv.js';

const flashes = new WeakMap<FlashKv, SimFlash>();
function fresh(kvSectors = 2): FlashKv {
  const flash = createOtaFlash({ kvSectors, slotSize: 4096 });
  const kv = new FlashKv(flash.area('nvs'));
  flashes.set(kv, flash);
  return kv;
}

describeKvContract('log-structured kv on the node flash model', () => fresh(), {
  reopen: (kv) => new FlashKv(flashes.get(kv as FlashKv)!.area('nvs')),
});

const val = (n: number, len = 40): Uint8Array => Uint8Array.from({ length: len }, (_, i) => (n + i) & 0xff);

describe('flash kv: compaction and capacity', () => {
  it('keeps every value through many compactions', () => {
    const kv = fresh();
    const flash = flashes.get(kv)!;
    for (let i = 0; i < 500; i++) kv.set(`k${i % 7}`, val(i));
    const again = new FlashKv(flash.area('nvs'));
    for (let j = 0; j < 7; j++) {
      const last = 493 + ((j - 493 % 7) + 7) % 7;
      expect(again.get(`k${j}`)).toEqual(val(last));
    }
    expect(flash.counts.erases).toBeGreaterThan(5);
  });

  it('refuses more live data than a bank holds with ERR_KV_FULL, keeping the old state', () => {
    const kv = fresh();
    kv.set('a', val(1, 1000));
    expect(() => { for (let i = 0; i < 10; i++) kv.set(`b${i}`, val(i, 1000)); }).toThrow(expect.objectContaining({ code: 'ERR_KV_FULL' }));
    expect(kv.get('a')).toEqual(val(1, 1000));
  });
});

describe('flash kv: a power cut at any operation', () => {
  // A script of sets and deletes; after a cut at operation n and a remount, the store equals the
  // state before or after the interrupted call (never a mix, never lost earlier calls).
  type Step = { key: string; value?: Uint8Array };
  const script: Step[] = [];
  for (let i = 0; i < 120; i++) script.push(i % 9 === 8 ? { key: `k${i % 5}` } : { key: `k${i % 5}`, value: val(i, 20 + (i % 3) * 90) });

  const apply = (model: Map<string, Uint8Array>, s: Step): void => {
    if (s.value === undefined) model.delete(s.key);
    else model.set(s.key, s.value);
  };
  const snapshot = (kv: FlashKv): Map<string, Uint8Array> => new Map(kv.keys().map((k) => [k, kv.get(k)!]));

  it('every cut point recovers to the state before or after the interrupted call', () => {
    const probe = createOtaFlash({ kvSectors: 2, slotSize: 4096 });
    const kv = new FlashKv(probe.area('nvs'));
    for (const s of script) if (s.value === undefined) kv.delete(s.key); else kv.set(s.key, s.value);
    const total = probe.operations;
    expect(total).toBeGreaterThan(script.length);
    for (let cut = 1; cut <= total; cut++) {
      const flash = createOtaFlash({ kvSectors: 2, slotSize: 4096, seed: cut });
      const store = new FlashKv(flash.area('nvs'));
      flash.cutAfter(cut);
      const model = new Map<string, Uint8Array>();
      let done = 0;
      try {
        for (const s of script) {
          if (s.value === undefined) store.delete(s.key); else store.set(s.key, s.value);
          apply(model, s);
          done++;
        }
        expect.fail(`cut ${cut} never happened`);
      } catch (error) {
        if (!(error instanceof PowerCut)) throw error;
      }
      flash.powerOn();
      const after = new Map(model);
      apply(after, script[done]!);
      const got = snapshot(new FlashKv(flash.area('nvs')));
      const same = (m: Map<string, Uint8Array>): boolean => m.size === got.size && [...m].every(([k, v]) => got.has(k) && Buffer.from(got.get(k)!).equals(Buffer.from(v)));
      expect(same(model) || same(after), `cut at op ${cut} (call ${done})`).toBe(true);
      // And the store keeps working after the cut.
      const again = new FlashKv(flash.area('nvs'));
      again.set('post', val(9));
      expect(new FlashKv(flash.area('nvs')).get('post')).toEqual(val(9));
    }
  });
});
