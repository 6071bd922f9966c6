import { describe, expect, it } from 'vitest';
import { createMemoryRetained } from '../../../hosts/node/index.js';
import { describeRetainedContract } from '../../contract/retained.js';

describeRetainedContract('node memory retained', () => createMemoryRetained());
describeRetainedContract('node memory retained, 16 bytes', () => createMemoryRetained(16));

describe('memory retained', () => {
  it('survives (is the same object across cycles) until a power cut', () => {
    const retained = createMemoryRetained();
    retained.save(Uint8Array.of(1));
    expect(retained.load()).toEqual(Uint8Array.of(1));
    retained.powerCut();
    expect(retained.load()).toBeUndefined();
    expect(retained.saves).toBe(1);
  });
  it('tamper() corrupts the record for cold-start tests', () => {
    const retained = createMemoryRetained();
    retained.save(Uint8Array.of(1, 2, 3));
    retained.tamper((b) => b.subarray(0, 1));
    expect(retained.load()).toEqual(Uint8Array.of(1));
  });
  it('refuses a silly capacity', () => {
    expect(() => createMemoryRetained(0)).toThrow(RangeError);
    expect(() => createMemoryRetained(1.5)).toThrow(RangeError);
  });
});
