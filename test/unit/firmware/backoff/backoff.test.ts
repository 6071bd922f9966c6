import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../../firmware/backoff/backoff.js';
import { createSeededRandom } from '../../../../hosts/node/random.js';

const fixed = (r: number) => ({ next: () => r });

describe('Backoff (exponential, full jitter)', () => {
  it('draws each delay uniformly under min(cap, base * 2^attempt)', () => {
    const b = new Backoff({ baseMs: 1000, capMs: 60_000 }, fixed(0.5));
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(() => b.next())).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(b.attempt).toBe(8);
  });

  it('never reaches the ceiling and never goes below 0, whatever the random port says', () => {
    const high = new Backoff({ baseMs: 100, capMs: 100 }, fixed(1));
    expect(high.next()).toBeLessThan(100);
    const low = new Backoff({ baseMs: 100, capMs: 100 }, fixed(-3));
    expect(low.next()).toBe(0);
  });

  it('is capped: after many failures the ceiling stays at the cap (and the counter saturates)', () => {
    const b = new Backoff({ baseMs: 5000, capMs: 3_600_000 }, createSeededRandom(3));
    for (let i = 0; i < 1000; i++) expect(b.next()).toBeLessThan(3_600_000);
    expect(b.ceilingMs()).toBe(3_600_000);
    expect(b.attempt).toBe(255);
  });

  it('reset() on success starts again from the base', () => {
    const b = new Backoff({ baseMs: 1000, capMs: 60_000 }, fixed(0.999));
    b.next();
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBeLessThan(1000);
  });

  it('full jitter spreads a fleet: 1000 devices failing together do not come back together', () => {
    const random = createSeededRandom(42);
    const delays = Array.from({ length: 1000 }, () => {
      const b = new Backoff({ baseMs: 1000, capMs: 60_000 }, random.fork());
      b.next();
      b.next();
      return b.next(); // third failure: uniform in [0, 4000)
    });
    const buckets = [0, 0, 0, 0];
    for (const d of delays) buckets[Math.floor(d / 1000)]! += 1;
    for (const n of buckets) expect(n).toBeGreaterThan(180); // about 250 each
    expect(new Set(delays).size).toBeGreaterThan(800); // ~885 distinct of 4000 values expected
  });

  it('snapshot/restore carries the attempt count across deep sleep', () => {
    const a = new Backoff({ baseMs: 1000, capMs: 60_000 }, fixed(0.5));
    a.next();
    a.next();
    const b = new Backoff({ baseMs: 1000, capMs: 60_000 }, fixed(0.5));
    b.restore(a.snapshot());
    expect(b.attempt).toBe(2);
    expect(b.next()).toBe(2000);
  });

  it('restore refuses bytes it did not make (ERR_STATE_CORRUPT)', () => {
    const b = new Backoff({ baseMs: 1000, capMs: 60_000 }, fixed(0.5));
    for (const bad of [new Uint8Array(0), Uint8Array.of(2, 1), Uint8Array.of(1, 1, 1)]) {
      expect(() => b.restore(bad)).toThrowError(expect.objectContaining({ code: 'ERR_STATE_CORRUPT' }));
    }
  });

  it('checks its configuration and its random port at construction', () => {
    expect(() => new Backoff({ baseMs: 0, capMs: 10 }, fixed(0))).toThrowError(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }));
    expect(() => new Backoff({ baseMs: 10, capMs: 5 }, fixed(0))).toThrowError(expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }));
    expect(() => new Backoff({ baseMs: 10, capMs: 50 }, undefined as never)).toThrowError(expect.objectContaining({ code: 'ERR_PORT_MISSING' }));
  });
});
