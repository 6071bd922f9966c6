import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkStages, cohortBucket, inStage } from '../../ota-server/domain/cohort.js';
import { failureRate, pauseReason, rolloutForDevice, transitionFromCheckIn } from '../../ota-server/domain/rollout-rules.js';

const id = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,20}$/);
const stages = fc.uniqueArray(fc.double({ min: 0.001, max: 100, noNaN: true }), { minLength: 1, maxLength: 8 }).map((s) => s.sort((a, b) => a - b));

describe('rollout cohorts', () => {
  it('a bucket is fixed by the two ids and lies in [0, 100)', () => {
    fc.assert(fc.property(id, id, (r, d) => {
      const b = cohortBucket(r, d);
      expect(b).toBe(cohortBucket(r, d));
      expect(b).toBeGreaterThanOrEqual(0);
      expect(b).toBeLessThan(100);
    }));
  });

  it('is monotone: a device in stage k is in every later stage', () => {
    fc.assert(fc.property(id, id, stages, (r, d, s) => {
      const b = cohortBucket(r, d);
      for (let k = 0; k < s.length; k++) {
        if (inStage(b, s, k)) for (let j = k; j < s.length; j++) expect(inStage(b, s, j)).toBe(true);
      }
      expect(inStage(b, s, s.length)).toBe(false);
    }));
  });

  it('a 100 % stage holds every device', () => {
    fc.assert(fc.property(id, id, (r, d) => { expect(inStage(cohortBucket(r, d), [100], 0)).toBe(true); }));
  });

  it('stage sizes follow the percentages over a fleet (10,000 devices, within 1.5 points)', () => {
    const buckets = Array.from({ length: 10_000 }, (_, i) => cohortBucket('ro_test', `dev-${i}`));
    for (const pct of [1, 5, 25, 50]) {
      const share = (buckets.filter((b) => b < pct).length / buckets.length) * 100;
      expect(Math.abs(share - pct)).toBeLessThan(1.5);
    }
  });

  it('different rollouts pick different early cohorts', () => {
    const first = (r: string) => new Set(Array.from({ length: 2000 }, (_, i) => `d${i}`).filter((d) => cohortBucket(r, d) < 5));
    const a = first('ro_a');
    const b = first('ro_b');
    const overlap = [...a].filter((d) => b.has(d)).length;
    expect(overlap).toBeLessThan(a.size / 2);
  });

  it('checks stage lists', () => {
    expect(checkStages([1, 5, 25, 100])).toBeUndefined();
    expect(checkStages([])).toMatch(/at least one/);
    expect(checkStages([5, 5])).toMatch(/does not exceed/);
    expect(checkStages([0, 5])).toMatch(/not in/);
    expect(checkStages([50, 101])).toMatch(/not in/);
  });
});

describe('rollout rules', () => {
  const counts = (succeeded: number, failed: number, rolledBack: number) => ({ offered: 7, downloading: 3, installed: 2, succeeded, failed, rolled_back: rolledBack });

  it('counts a rollback as a failure and ignores devices still on their way', () => {
    expect(failureRate(counts(6, 1, 1))).toEqual({ attempted: 8, failures: 2, rate: 0.25 });
    expect(failureRate(counts(0, 0, 0)).rate).toBe(0);
  });

  it('pauses only above the threshold and with the minimum sample', () => {
    const rollout = { failureThreshold: 0.2, minSample: 5 };
    expect(pauseReason(counts(1, 2, 1), rollout)).toBeUndefined(); // 3/4 but only 4 attempted
    expect(pauseReason(counts(4, 1, 0), rollout)).toBeUndefined(); // exactly 0.2 is not above
    expect(pauseReason(counts(3, 1, 1), rollout)).toMatch(/2\/5/);
  });

  it('reads progress from a check-in', () => {
    const target = '2.0.0';
    expect(transitionFromCheckIn({ firmwareVersion: '1.0.0', bootState: 'valid', updateOutcome: { kind: 'failed', version: target, reason: 'ERR_OTA_HASH' } }, target))
      .toMatchObject({ to: 'failed', reason: 'ERR_OTA_HASH' });
    expect(transitionFromCheckIn({ firmwareVersion: '1.0.0', bootState: 'valid', updateOutcome: { kind: 'rolled_back', version: target, reason: 'ERR_OTA_HEALTH' } }, target))
      .toMatchObject({ to: 'rolled_back' });
    expect(transitionFromCheckIn({ firmwareVersion: target, bootState: 'pending-verify' }, target)).toMatchObject({ to: 'installed', from: ['offered', 'downloading'] });
    expect(transitionFromCheckIn({ firmwareVersion: target, bootState: 'valid' }, target)).toMatchObject({ to: 'succeeded' });
    expect(transitionFromCheckIn({ firmwareVersion: target, bootState: 'valid', updateOutcome: { kind: 'succeeded', version: target } }, target)).toMatchObject({ to: 'succeeded' });
    // An outcome about another version says nothing about this rollout.
    expect(transitionFromCheckIn({ firmwareVersion: '1.0.0', bootState: 'valid', updateOutcome: { kind: 'failed', version: '1.5.0', reason: 'x' } }, target)).toBeUndefined();
    expect(transitionFromCheckIn({ firmwareVersion: '1.0.0', bootState: 'valid' }, target)).toBeUndefined();
  });

  it('picks the most specific live rollout for a device', () => {
    const r = (id: string, tags: string[], createdAtMs = 0) => ({ id, board: 'b', tags, createdAtMs });
    const all = [r('fleet', []), r('roof', ['roof']), r('roof-north', ['roof', 'north']), { ...r('other', []), board: 'c' }];
    expect(rolloutForDevice(all, { board: 'b', tags: ['roof', 'north', 'x'] })?.id).toBe('roof-north');
    expect(rolloutForDevice(all, { board: 'b', tags: ['roof'] })?.id).toBe('roof');
    expect(rolloutForDevice(all, { board: 'b', tags: [] })?.id).toBe('fleet');
    expect(rolloutForDevice(all, { board: 'z', tags: [] })).toBeUndefined();
  });
});
