/**
 * RandomPort on Node: seeded and deterministic (mulberry32), so a simulation with the same seed
 * replays exactly; and Math.random for demos. Pure code: also runs inside XS.
 */
import type { RandomPort } from '../../firmware/index.js';

export interface SeededRandom extends RandomPort {
  /** An independent generator derived from this one (one per simulated device). */
  fork(): SeededRandom;
}

export function createSeededRandom(seed: number): SeededRandom {
  if (!Number.isFinite(seed)) throw new TypeError(`seed must be a finite number, got ${String(seed)}`);
  let state = seed >>> 0;
  const next = (): number => {
    // mulberry32 (Tommy Ettinger): 32-bit state, period 2^32, good enough for jitter and ids.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, fork: () => createSeededRandom(Math.floor(next() * 4294967296)) };
}

export function createMathRandom(): RandomPort {
  return { next: () => Math.random() };
}
