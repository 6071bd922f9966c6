/**
 * Rollout cohorts. A device's bucket in a rollout is a fixed number in [0, 100) derived from
 * SHA-256(rolloutId ":" deviceId); it is in stage k when bucket < stages[k]. Because the
 * percentages only grow, a device in an early stage is in every later one (monotone), and the
 * same ids always give the same bucket on every server instance (deterministic). Hashing the
 * rollout id too spreads early stages over different devices from one release to the next, so
 * the same unlucky 1 % does not always go first.
 */
import { createHash } from 'node:crypto';

/** 2^32 buckets scaled to [0, 100). */
export function cohortBucket(rolloutId: string, deviceId: string): number {
  const digest = createHash('sha256').update(rolloutId).update(':').update(deviceId).digest();
  return (digest.readUInt32BE(0) / 0x1_0000_0000) * 100;
}

export function inStage(bucket: number, stages: readonly number[], stageIndex: number): boolean {
  const pct = stages[stageIndex];
  return pct !== undefined && bucket < pct;
}

/** Stages are strictly increasing fleet percentages in (0, 100]. Returns a reason or undefined. */
export function checkStages(stages: readonly number[]): string | undefined {
  if (stages.length === 0) return 'at least one stage is needed';
  for (let i = 0; i < stages.length; i++) {
    const s = stages[i]!;
    if (!Number.isFinite(s) || s <= 0 || s > 100) return `stage ${i} (${s}) is not in (0, 100]`;
    if (i > 0 && s <= stages[i - 1]!) return `stage ${i} (${s}) does not exceed stage ${i - 1}`;
  }
  return undefined;
}
