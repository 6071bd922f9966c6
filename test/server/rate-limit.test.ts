import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../ota-server/plugins/rate-limit.js';

describe('RateLimiter (fixed window per caller)', () => {
  it('allows max per window, then gives the wait until the window ends, and starts a new window after', () => {
    let t = 1000;
    const l = new RateLimiter(3, 60_000, { now: () => t });
    expect([l.take('a'), l.take('a'), l.take('a')]).toEqual([0, 0, 0]);
    t += 10_000;
    expect(l.take('a')).toBe(50_000);
    expect(l.take('b')).toBe(0); // another caller has its own count
    t += 50_000;
    expect(l.take('a')).toBe(0);
  });

  it('forgets the oldest callers when full, so memory stays bounded', () => {
    let t = 0;
    const l = new RateLimiter(1, 60_000, { capacity: 2, now: () => t });
    expect(l.take('a')).toBe(0);
    expect(l.take('b')).toBe(0);
    expect(l.take('a')).toBeGreaterThan(0);
    t += 1;
    expect(l.take('c')).toBe(0); // evicts a
    expect(l.take('b')).toBeGreaterThan(0);
    expect(l.take('a')).toBe(0);
  });

  it('refuses everything with max 0', () => {
    const l = new RateLimiter(0, 1000, { now: () => 0 });
    expect(l.take('a')).toBe(1000);
  });
});
