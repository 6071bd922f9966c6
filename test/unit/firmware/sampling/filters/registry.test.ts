import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FILTER_REGISTRY, createFilter, parseFilterChain, parseFilterSpec } from '../../../../../firmware/sampling/filters/registry.js';
import { isFirmwareError } from '../../../../../firmware/errors.js';
import { filterSpecArb } from '../arbitraries.js';
import { expectCode } from '../trace.js';


describe('FILTER_REGISTRY', () => {
  it('is frozen and names every filter', () => {
    expect(Object.isFrozen(FILTER_REGISTRY)).toBe(true);
    expect(Object.keys(FILTER_REGISTRY).sort()).toEqual(['clamp', 'ema', 'linear', 'mean', 'median']);
  });

  it('maps a config spec to an instance of the right class', () => {
    const f = createFilter({ type: 'median', window: 5 });
    expect(f.type).toBe('median');
    expect(f.push(3, 0)).toBe(3);
  });

  it('names the unknown type and the path', () => {
    try {
      parseFilterChain([{ type: 'median', window: 3 }, { type: 'kalman' }], 'channels[1].filters');
      expect.unreachable();
    } catch (error) {
      expect(isFirmwareError(error, 'ERR_CONFIG_INVALID')).toBe(true);
      expect((error as Error).message).toContain('channels[1].filters[1].type');
      expect((error as Error).message).toContain('kalman');
    }
  });

  it('refuses non-objects, inherited names and over-long chains', () => {
    expectCode(() => parseFilterSpec(null), 'ERR_CONFIG_INVALID');
    expectCode(() => parseFilterSpec({ type: 'toString' }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseFilterSpec({ type: '__proto__' }), 'ERR_CONFIG_INVALID');
    expectCode(() => parseFilterChain(Array(9).fill({ type: 'clamp', min: 0 })), 'ERR_CONFIG_INVALID');
    expectCode(() => parseFilterChain({}), 'ERR_CONFIG_INVALID');
  });

  it('parse(spec) is idempotent and the parsed spec builds', () => {
    fc.assert(
      fc.property(filterSpecArb, (spec) => {
        const once = parseFilterSpec(spec);
        expect(parseFilterSpec(once)).toEqual(once);
        expect(createFilter(once).type).toBe(spec.type);
      }),
    );
  });

  it('every filter restores mid-trace to the same outputs as an uninterrupted run', () => {
    fc.assert(
      fc.property(
        filterSpecArb,
        fc.array(fc.double({ min: -1000, max: 1000, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.nat(),
        (spec, values, cutSeed) => {
          const cut = cutSeed % values.length;
          const straight = createFilter(spec);
          const expected = values.map((v, i) => straight.push(v, i));
          let current = createFilter(spec);
          const got = values.map((v, i) => {
            if (i === cut) {
              const next = createFilter(spec);
              next.restore(current.snapshot().slice());
              current = next;
            }
            return current.push(v, i);
          });
          expect(got).toEqual(expected);
        },
      ),
    );
  });
});
