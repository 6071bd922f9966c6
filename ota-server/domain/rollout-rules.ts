/**
 * Rules of a rollout, free of storage and time sources so they can be tested alone.
 *
 * Per-device state machine (design section 5):
 *
 *   offered -> downloading -> installed -> succeeded
 *      |            |            |-------> failed | rolled_back
 *      |------------+--------------------> succeeded | failed | rolled_back
 *
 * succeeded, failed and rolled_back are final: a device is never offered the same rollout
 * again after one of them (a rolled-back device would otherwise loop).
 *
 * Failure rate: attempted = devices with a final state; failures = failed + rolled_back (a
 * rollback is a failure, unlike hawkBit where it is not reported at all). The rollout pauses
 * itself when attempted >= minSample and failures / attempted > threshold. Devices still
 * offered or downloading are not attempts: counting them would dilute the rate and delay the
 * pause on exactly the releases that fail slowly.
 */
import type { DeviceRolloutState, DeviceStatusRecord, RolloutRecord } from '../store/types.js';

export const FINAL_STATES: readonly DeviceRolloutState[] = Object.freeze(['succeeded', 'failed', 'rolled_back']);
export const OPEN_STATES: readonly DeviceRolloutState[] = Object.freeze(['offered', 'downloading', 'installed']);

export function failureRate(counts: Record<DeviceRolloutState, number>): { attempted: number; failures: number; rate: number } {
  const failures = counts.failed + counts.rolled_back;
  const attempted = counts.succeeded + failures;
  return { attempted, failures, rate: attempted === 0 ? 0 : failures / attempted };
}

/** The reason to pause, or undefined. */
export function pauseReason(counts: Record<DeviceRolloutState, number>, rollout: Pick<RolloutRecord, 'failureThreshold' | 'minSample'>):
  string | undefined {
  const { attempted, failures, rate } = failureRate(counts);
  if (attempted < rollout.minSample || rate <= rollout.failureThreshold) return undefined;
  return `automatic: failure rate ${failures}/${attempted} = ${rate.toFixed(3)} exceeds ${rollout.failureThreshold} (minimum sample ${rollout.minSample})`;
}

export interface Transition {
  from: readonly DeviceRolloutState[];
  to: DeviceRolloutState;
  reason: string | null;
}

/**
 * What a check-in says about a device's progress in a rollout of `targetVersion`: an explicit
 * outcome for that version wins; otherwise running the version pending verification means
 * installed, and running it marked valid means succeeded (a device whose outcome report was
 * lost still counts).
 */
export function transitionFromCheckIn(status: Pick<DeviceStatusRecord, 'firmwareVersion' | 'bootState'> & {
  updateOutcome?: { kind: string; version: string; reason?: string } | undefined;
}, targetVersion: string): Transition | undefined {
  const outcome = status.updateOutcome;
  if (outcome !== undefined && outcome.version === targetVersion) {
    if (outcome.kind === 'succeeded') return { from: OPEN_STATES, to: 'succeeded', reason: null };
    if (outcome.kind === 'failed') return { from: OPEN_STATES, to: 'failed', reason: outcome.reason ?? null };
    if (outcome.kind === 'rolled_back') return { from: OPEN_STATES, to: 'rolled_back', reason: outcome.reason ?? null };
  }
  if (status.firmwareVersion === targetVersion) {
    // ESP-IDF reports 'undefined' when rollback is not enabled: the image is then as good as valid.
    if (status.bootState === 'valid' || status.bootState === 'undefined') return { from: OPEN_STATES, to: 'succeeded', reason: null };
    if (status.bootState === 'pending-verify' || status.bootState === 'new') {
      return { from: ['offered', 'downloading'], to: 'installed', reason: null };
    }
  }
  return undefined;
}

/** Which live rollout applies to a device: board equal, rollout tags a subset of the device's. The most specific wins, then the newest. */
export function rolloutForDevice<R extends Pick<RolloutRecord, 'board' | 'tags' | 'createdAtMs' | 'id'>>(
  rollouts: readonly R[], device: { board: string; tags: readonly string[] }): R | undefined {
  let best: R | undefined;
  for (const r of rollouts) {
    if (r.board !== device.board || !r.tags.every((t) => device.tags.includes(t))) continue;
    if (best === undefined || r.tags.length > best.tags.length
      || (r.tags.length === best.tags.length && (r.createdAtMs > best.createdAtMs || (r.createdAtMs === best.createdAtMs && r.id > best.id)))) {
      best = r;
    }
  }
  return best;
}
