import { describe, expect, it } from 'vitest';
import { decode } from '../../../../firmware/codec/cbor.js';
import { coldSequence, KV_SEQ_CEILING, SEQ_BLOCK, takeSequence } from '../../../../firmware/node/sequence.js';
import { createMemoryKv } from '../../../../hosts/node/index.js';

describe('sequence counter', () => {
  it('hands out consecutive numbers and reserves a block in kv at a time', () => {
    const kv = createMemoryKv();
    let writes = 0;
    const counted = {
      get: (k: string) => kv.get(k), delete: (k: string) => kv.delete(k), keys: () => kv.keys(),
      set: (k: string, v: Uint8Array) => { writes++; kv.set(k, v); },
    };
    const state = coldSequence(counted);
    expect(takeSequence(state, 3, counted)).toBe(0);
    expect(takeSequence(state, 2, counted)).toBe(3);
    expect(writes).toBe(1);
    expect(decode(kv.get(KV_SEQ_CEILING)!)).toBe(3 + SEQ_BLOCK);
    for (let i = 0; i < SEQ_BLOCK; i++) takeSequence(state, 1, counted);
    expect(writes).toBe(2);
  });

  it('never reuses a number after a power cut (resumes at the kv ceiling)', () => {
    const kv = createMemoryKv();
    const state = coldSequence(kv);
    let last = 0;
    for (let i = 0; i < 10; i++) last = takeSequence(state, 4, kv) + 3;
    const after = coldSequence(kv); // retained memory lost
    expect(takeSequence(after, 1, kv)).toBeGreaterThan(last);
  });
});
