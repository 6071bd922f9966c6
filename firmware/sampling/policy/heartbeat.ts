/**
 * Heartbeat: report when nothing was reported for `maxSilenceMs`, whatever the value, so the
 * server can tell a quiet sensor from a dead node. The first value always reports.
 * `nextDueMs` = last report + maxSilenceMs: the planner wakes the node to sample then.
 * State: [] before the first report, [lastMs] after.
 *
 * Spec: `{ type: 'heartbeat', maxSilenceMs: number > 0 }`.
 */
import { IntervalPolicy } from './interval.js';
import { aObject, requiredNumber } from '../validate.js';

export interface HeartbeatSpec {
  readonly type: 'heartbeat';
  readonly maxSilenceMs: number;
}

export function parseHeartbeatSpec(raw: unknown, path = 'report'): HeartbeatSpec {
  const obj = aObject(raw, path, ['type', 'maxSilenceMs']);
  return { type: 'heartbeat', maxSilenceMs: requiredNumber(obj, 'maxSilenceMs', path, { above: 0 }) };
}

export class HeartbeatPolicy extends IntervalPolicy {
  readonly type = 'heartbeat';
  readonly maxSilenceMs: number;

  constructor(spec: HeartbeatSpec, path = 'report') {
    const { maxSilenceMs } = parseHeartbeatSpec(spec, path);
    super(maxSilenceMs);
    this.maxSilenceMs = maxSilenceMs;
  }
}
