import { describe, expect, it } from 'vitest';
import { buildPack, resolvePack } from '../../../../firmware/codec/senml.js';
import { correctionFor, MIN_CORRECTION_MS, restampPack } from '../../../../firmware/time/restamp.js';
import { MIN_VALID_UTC_MS, UtcClock } from '../../../../firmware/time/utc-clock.js';
import { createManualClock } from '../../../../hosts/node/clock.js';

const T0 = Date.UTC(2026, 5, 1);

describe('UtcClock', () => {
  it('sets the wall clock from the server time plus half the round trip', () => {
    const clock = createManualClock({ utcMs: T0, wallMs: T0 - 90_000 });
    const utc = new UtcClock(clock);
    expect(utc.verified()).toBe(false);
    const sent = clock.monotonicMs();
    clock.advance(200); // request out, server stamps in the middle, answer back
    const fix = utc.applyServerTime(clock.trueUtcMs() - 100, sent, clock.monotonicMs());
    expect(clock.wallMs()).toBe(clock.trueUtcMs());
    expect(fix).toMatchObject({ stepMs: 90_000, uncertaintyMs: 100, previousFixMs: undefined });
    expect(utc.verified()).toBe(true);
  });

  it('counts the time since the answer arrived', () => {
    const clock = createManualClock({ utcMs: T0 });
    const utc = new UtcClock(clock);
    const sent = clock.monotonicMs();
    clock.advance(50);
    const received = clock.monotonicMs();
    const server = clock.trueUtcMs() - 25;
    clock.advance(1000); // decoding took a while
    utc.applyServerTime(server, sent, received);
    expect(clock.wallMs()).toBe(clock.trueUtcMs());
  });

  it('keeps the last fix across deep sleep (snapshot) and refuses corrupt bytes', () => {
    const clock = createManualClock({ utcMs: T0 });
    const a = new UtcClock(clock);
    a.applyServerTime(T0, 0, 0);
    const b = new UtcClock(clock);
    b.restore(a.snapshot());
    expect(b.lastFixMs()).toBe(T0);
    expect(b.verified()).toBe(true);
    const fresh = new UtcClock(clock);
    fresh.restore(new UtcClock(clock).snapshot());
    expect(fresh.verified()).toBe(false);
    expect(() => b.restore(new Uint8Array([9, 0]))).toThrow(expect.objectContaining({ code: 'ERR_STATE_CORRUPT' }));
  });

  it('refuses an implausible server time and a clock before 2024 is never verified', () => {
    const clock = createManualClock({ utcMs: T0, wallMs: 1000 });
    const utc = new UtcClock(clock);
    expect(() => utc.applyServerTime(5, 0, 0)).toThrow(expect.objectContaining({ code: 'ERR_ARGUMENT' }));
    expect(utc.verified()).toBe(false);
    expect(MIN_VALID_UTC_MS).toBe(Date.UTC(2024, 0, 1));
  });
});

describe('correction rule', () => {
  const fix = { beforeMs: T0 + 100_000, afterMs: T0 + 110_000, stepMs: 10_000, uncertaintyMs: 5, previousFixMs: T0 };
  it('unverified reports take the whole step', () => {
    expect(correctionFor(T0 - 5_000_000, false, fix)).toBe(10_000);
  });
  it('verified reports take the drift share since the previous fix', () => {
    expect(correctionFor(T0 + 50_000, true, fix)).toBe(5_000);
    expect(correctionFor(T0 + 100_000, true, fix)).toBe(10_000);
    expect(correctionFor(T0 + 1_000, true, fix)).toBe(0); // 100 ms: below MIN_CORRECTION_MS
    expect(correctionFor(T0 - 1, true, fix)).toBe(0); // corrected by the previous fix already
    expect(correctionFor(T0 + 50_000, true, { ...fix, previousFixMs: undefined })).toBe(0);
    expect(MIN_CORRECTION_MS).toBe(500);
  });
});

describe('restampPack', () => {
  const readings = [
    { name: 'temp', unit: 'Cel', value: 21.5, timeMs: T0 + 123, seq: 41 },
    { name: 'temp', unit: 'Cel', value: 21.7, timeMs: T0 + 60_123, seq: 42 },
    { name: 'alarm', value: true, timeMs: T0 + 61_000, seq: 43 },
  ];
  const pack = buildPack(readings, { baseName: 'urn:dev:n1:' });

  it.each([1, -1, 250, 90_000, -3_600_000, 86_400_000 * 3 + 7])('moves every time by %i ms and nothing else', (delta) => {
    const before = resolvePack(pack);
    const after = resolvePack(restampPack(pack, delta));
    expect(after.map((r) => Math.round(r.time * 1000))).toEqual(before.map((r) => Math.round(r.time * 1000) + delta));
    expect(after.map(({ time: _, ...rest }) => rest)).toEqual(before.map(({ time: _, ...rest }) => rest));
  });

  it('keeps the compact time encoding (no float64 blow-up)', () => {
    expect(restampPack(pack, 1_000).length).toBe(pack.length);
    expect(restampPack(pack, 7).length).toBeLessThanOrEqual(pack.length + 2);
  });

  it('zero delta returns the pack untouched; a non-pack is refused', () => {
    expect(restampPack(pack, 0)).toBe(pack);
    expect(() => restampPack(new Uint8Array([0x01]), 5)).toThrow(expect.objectContaining({ code: 'ERR_SENML_INVALID' }));
    expect(() => restampPack(new Uint8Array([0x81, 0x01]), 5)).toThrow(expect.objectContaining({ code: 'ERR_SENML_INVALID' }));
  });
});
