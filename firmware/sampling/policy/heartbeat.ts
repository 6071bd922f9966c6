/**
 * Heartbeat: report when nothing was reported for `maxSilenceMs`, whatever the value, so the
 * server can tell a quiet sensor from a dead node. The first value always reports.
 * `nextDueMs` = last report + maxSilenceMs: the planner wakes the node to sample then.
 * State: [] before the first report, [lastMs] after.
 *
 * Spec: `{ type: 'heartbeat', maxSilenceMs: number > 0 }`.
 */
import { elapsedAtLeast, type ReportPolicy } from './policy.js';
import { aObject, aState, requiredNumber } from '../validate.js';

export interface HeartbeatSpec {
  readonly type: 'heartbeat';
  readonly maxSilenceMs: number;
}

export function parseHeartbeatSpec(raw: unknown, path = 'report'): HeartbeatSpec {
  const obj = aObject(raw, path, ['type', 'maxSilenceMs']);
  return { type: 'heartbeat', maxSilenceMs: requiredNumber(obj, 'maxSilenceMs', path, { above: 0 }) };
}

export class HeartbeatPolicy implements ReportPolicy {
  readonly type = 'heartbeat';
  readonly maxSilenceMs: number;
  #lastMs: number | undefined;

  constructor(spec: HeartbeatSpec, path = 'report') {
    this.maxSilenceMs = parseHeartbeatSpec(spec, path).maxSilenceMs;
  }

  decide(_value: number, nowMs: number): boolean {
    return this.#lastMs === undefined || elapsedAtLeast(nowMs, this.#lastMs, this.maxSilenceMs);
  }

  reported(_value: number, nowMs: number): void {
    this.#lastMs = nowMs;
  }

  nextDueMs(): number | undefined {
    return this.#lastMs === undefined ? undefined : this.#lastMs + this.maxSilenceMs;
  }

  snapshot(): number[] {
    return this.#lastMs === undefined ? [] : [this.#lastMs];
  }

  restore(state: readonly unknown[]): void {
    this.#lastMs = aState(state, 'heartbeat policy', 0, 1)[0];
  }
}
