/**
 * Report policies: given a filtered value and the time, report it or not (design section 3,
 * step 3). `decide` only asks; `reported` tells the policy that a value went out, so every part
 * of a composed policy measures from the same last report. `nextDueMs` is the earliest time
 * at which `decide` will say yes whatever the value (the heartbeat), or undefined when time
 * alone never forces a report; the wake planner wakes the node for it.
 *
 * Clock steps: times are corrected UTC, which can step back after a check-in corrects the
 * clock. An interval measured from a last report that lies in the future counts as elapsed,
 * so a backwards step can never silence a heartbeat for the size of the step.
 */
export type PolicyType = 'always' | 'deadband' | 'throttle' | 'heartbeat' | 'anyOf' | 'allOf';

/** Leaves keep plain numbers; combinators keep their children's states in order. */
export type PolicyState = readonly number[] | readonly PolicyState[];

import type { RestorePhase } from '../validate.js';

export interface ReportPolicy {
  readonly type: PolicyType;
  /** True when this value at this time should be reported. Changes nothing. */
  decide(value: number, nowMs: number): boolean;
  /** The value was reported at nowMs (whatever part of the policy asked for it). */
  reported(value: number, nowMs: number): void;
  /** When decide() becomes true for any value; undefined if time alone never makes it so. */
  nextDueMs(): number | undefined;
  snapshot(): PolicyState;
  /** Validates first and changes nothing on error (ERR_STATE_CORRUPT); phases: RestorePhase. */
  restore(state: PolicyState, phase?: RestorePhase): void;
}

/** now - last, treating a last time in the future (clock stepped back) as long elapsed. */
export function elapsedAtLeast(nowMs: number, lastMs: number, intervalMs: number): boolean {
  return nowMs < lastMs || nowMs - lastMs >= intervalMs;
}
