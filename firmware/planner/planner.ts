/**
 * Wake planner (design section 3, step 9): a pure function from what is due to when to wake.
 *
 * Rules, in order:
 * 1. Battery: below `lowBatteryVolts` every periodic due (one given with `periodMs`: samples,
 *    heartbeats, aggregate windows, check-in) is pushed back to last + periodMs * stretch, i.e.
 *    dueMs + periodMs * (stretch - 1), and alignMs grows by the same factor. Retry times and
 *    alarms are never stretched; neither is maxSleepMs (a hard limit), so a stretched period
 *    longer than maxSleepMs costs idle wakes: keep maxSleepMs >= stretch * the longest period.
 * 2. Alarm pending: wake now (sleepMs 0) with the radio; anything already due goes along.
 * 3. Otherwise wake at the earliest due E, not before now, not after now + maxSleepMs.
 * 4. Batching (one wake shares the work): at the wake W, every task due by W runs, and so do
 *    tasks that may run EARLY (samples, check-in) when due by W + alignMs. Tasks that must not
 *    run before their time (heartbeat / aggregate-window reports, retry backoff) join only when
 *    due by W: a heartbeat is "nothing reported for maxSilence", which is not yet true early,
 *    and a window cannot close before its end. The earliest task is never moved, so nothing
 *    drifts late: a batched task runs at most alignMs early, its interval stays within
 *    [periodMs - alignMs, periodMs], and tasks with equal periods stay phase-locked.
 *    (Rounding wakes up to a common grid was the alternative; it makes every task late, and a
 *    next due counted from the real sample time then drifts a grid step per period.)
 *
 * Consequence for the caller: run the tasks of the plan you woke for (they may be early),
 * rather than re-deciding from the clock.
 *
 * Properties (test/unit/firmware/planner): nowMs <= wakeAtMs <= nowMs + maxSleepMs; an alarm
 * means wakeAtMs = nowMs with the radio; for the same input a stretched plan never wakes
 * sooner than the unstretched one (every due moves later or stays, and min is monotone); and
 * over a run of periodic tasks within maxSleepMs, the stretched schedule has no more wakes.
 */
import type { WindowReason } from '../node/steps.js';
import { aNumber, aObject, configError, optionalNumber, requiredNumber } from '../sampling/validate.js';

export interface PlannerSpec {
  /** Longest deep sleep, ms (1 s .. 7 days). */
  readonly maxSleepMs: number;
  /** Batching window, ms (0 = none); at most maxSleepMs. */
  readonly alignMs?: number;
  /** Below this battery voltage periods are stretched (default 0: never). */
  readonly lowBatteryVolts?: number;
  /** Stretch factor for periods on low battery, 1..100 (default 2). */
  readonly stretch?: number;
}

export const MIN_MAX_SLEEP_MS = 1000;
export const MAX_MAX_SLEEP_MS = 7 * 24 * 3600 * 1000;

export function parsePlannerSpec(raw: unknown, path = 'planner'): Required<PlannerSpec> {
  const obj = aObject(raw, path, ['maxSleepMs', 'alignMs', 'lowBatteryVolts', 'stretch']);
  const maxSleepMs = requiredNumber(obj, 'maxSleepMs', path, { min: MIN_MAX_SLEEP_MS, max: MAX_MAX_SLEEP_MS });
  const alignMs = optionalNumber(obj, 'alignMs', path, { min: 0 }) ?? 0;
  if (alignMs > maxSleepMs) throw configError(`${path}.alignMs`, 'must not exceed maxSleepMs');
  const lowBatteryVolts = optionalNumber(obj, 'lowBatteryVolts', path, { min: 0, max: 100 }) ?? 0;
  const stretch = optionalNumber(obj, 'stretch', path, { min: 1, max: 100 }) ?? 2;
  return { maxSleepMs, alignMs, lowBatteryVolts, stretch };
}

/** A due time; with periodMs it repeats (dueMs = last + periodMs) and low battery stretches it. */
export interface PlannerDue {
  readonly dueMs: number;
  readonly periodMs?: number;
}

export interface ChannelPlannerDue extends PlannerDue {
  readonly channel: string;
}

export interface ReportPlannerDue extends ChannelPlannerDue {
  /** 'heartbeat' (default): the policy's forced report; 'aggregate': a window closes. */
  readonly kind?: 'heartbeat' | 'aggregate';
}

export interface PlannerInput {
  readonly nowMs: number;
  /** Next sample per channel (a channel never sampled: dueMs = nowMs). */
  readonly samples: readonly ChannelPlannerDue[];
  /** Report dues per channel: Channel.due() (heartbeat or aggregate window end). */
  readonly reports?: readonly ReportPlannerDue[];
  /** Check-in period and the last successful check-in (never: due now). */
  readonly checkIn?: { readonly periodMs: number; readonly lastMs?: number };
  /** Uplink backoff: no connection attempt before this (UplinkStep.nextAttemptAtMs()). */
  readonly retryAtMs?: number;
  /**
   * An alarm event not yet given a radio window. Pass it for the cycle that raised it; once a
   * window was tried, the retry time governs, or a dead broker would keep the node awake.
   */
  readonly alarmPending?: boolean;
  readonly batteryVolts?: number;
  readonly config: PlannerSpec;
}

export type PlannedTaskKind = 'sample' | 'heartbeat' | 'aggregate' | 'check-in' | 'retry';

export interface PlannedTask {
  readonly kind: PlannedTaskKind;
  readonly channel?: string;
  /** Effective due time (after stretching); may be after wakeAtMs by up to alignMs (early). */
  readonly dueMs: number;
}

export type PlanReason = 'alarm' | 'overdue' | 'due' | 'batched' | 'max-sleep' | 'idle' | 'battery-low';

export interface WakePlan {
  readonly wakeAtMs: number;
  readonly sleepMs: number;
  /** What to do at that wake, earliest due first. */
  readonly dueTasks: readonly PlannedTask[];
  readonly radioDue: boolean;
  readonly radioReasons: readonly WindowReason[];
  readonly reasons: readonly PlanReason[];
  /** Periods were stretched for a low battery. */
  readonly stretched: boolean;
}

interface Candidate {
  readonly kind: PlannedTaskKind;
  readonly channel: string | undefined;
  readonly dueMs: number;
  readonly order: number;
}

const RADIO: Readonly<Record<PlannedTaskKind, WindowReason | undefined>> = Object.freeze({
  sample: undefined,
  heartbeat: 'heartbeat',
  aggregate: 'report',
  'check-in': 'check-in',
  retry: 'retry',
});

function byDue(a: Candidate, b: Candidate): number {
  return a.dueMs - b.dueMs || a.order - b.order;
}

/** Tasks that may run before their due time (batched into an earlier wake). */
function early(kind: PlannedTaskKind): boolean {
  return kind === 'sample' || kind === 'check-in';
}

/** A finite number (>= min); the path is built only when it is not. `v - v === 0` is false for NaN and ±Infinity. */
function finite(value: unknown, what: string, index: number, field: string, min = -Infinity): number {
  if (typeof value === 'number' && value - value === 0 && value >= min) return value;
  return aNumber(value, `plan input ${what}${index < 0 ? '' : `[${index}]`}${field}`, { min });
}

/** The config's numbers, checked cheaply every cycle; anything off gets parsePlannerSpec's error. */
function plannerConfig(c: PlannerSpec): Required<PlannerSpec> {
  const maxSleepMs = c.maxSleepMs;
  const alignMs = c.alignMs ?? 0;
  const lowBatteryVolts = c.lowBatteryVolts ?? 0;
  const stretch = c.stretch ?? 2;
  // Written out (no helper per field): the planner runs at every wake on XS. NaN fails every test.
  if (
    typeof maxSleepMs === 'number' && maxSleepMs >= MIN_MAX_SLEEP_MS && maxSleepMs <= MAX_MAX_SLEEP_MS &&
    typeof alignMs === 'number' && alignMs >= 0 && alignMs <= maxSleepMs &&
    typeof lowBatteryVolts === 'number' && lowBatteryVolts >= 0 && lowBatteryVolts <= 100 &&
    typeof stretch === 'number' && stretch >= 1 && stretch <= 100
  ) {
    return { maxSleepMs, alignMs, lowBatteryVolts, stretch };
  }
  return parsePlannerSpec(c, 'planner');
}

/** Appends the candidates of one list of dues (samples or reports), stretched by `factor`. */
function addDues(out: Candidate[], dues: readonly ReportPlannerDue[], what: string, sample: boolean, factor: number): void {
  for (let i = 0; i < dues.length; i++) {
    const due = dues[i]!;
    let dueMs = due.dueMs;
    if (!(typeof dueMs === 'number' && dueMs - dueMs === 0)) dueMs = finite(dueMs, what, i, '.dueMs');
    const periodMs = due.periodMs;
    if (periodMs !== undefined) {
      dueMs += (typeof periodMs === 'number' && periodMs - periodMs === 0 && periodMs >= 0 ? periodMs : finite(periodMs, what, i, '.periodMs', 0)) * (factor - 1);
    }
    out.push({ kind: sample ? 'sample' : (due.kind ?? 'heartbeat'), channel: due.channel, dueMs, order: out.length });
  }
}

export function planWake(plan: PlannerInput): WakePlan {
  const config = plannerConfig(plan.config);
  const nowMs = finite(plan.nowMs, 'nowMs', -1, '');
  const low = plan.batteryVolts !== undefined && finite(plan.batteryVolts, 'batteryVolts', -1, '') < config.lowBatteryVolts;
  const factor = low ? config.stretch : 1;
  const candidates: Candidate[] = [];
  addDues(candidates, plan.samples, 'samples', true, factor);
  if (plan.reports !== undefined) addDues(candidates, plan.reports, 'reports', false, factor);
  if (plan.checkIn !== undefined) {
    const periodMs = finite(plan.checkIn.periodMs, 'checkIn', -1, '.periodMs', 1);
    const lastMs = plan.checkIn.lastMs === undefined ? undefined : finite(plan.checkIn.lastMs, 'checkIn', -1, '.lastMs');
    const dueMs = lastMs === undefined ? nowMs : lastMs + periodMs + periodMs * (factor - 1);
    candidates.push({ kind: 'check-in', channel: undefined, dueMs, order: candidates.length });
  }
  if (plan.retryAtMs !== undefined) {
    candidates.push({ kind: 'retry', channel: undefined, dueMs: finite(plan.retryAtMs, 'retryAtMs', -1, '.dueMs'), order: candidates.length });
  }

  const reasons: PlanReason[] = [];
  let wakeAtMs: number;
  // The batching window stretches with the periods, so a stretched schedule is the normal one
  // slowed down (and batches at least as much), never a differently batched one.
  let alignMs = Math.min(config.alignMs * factor, config.maxSleepMs);
  if (plan.alarmPending === true) {
    wakeAtMs = nowMs;
    alignMs = 0; // the alarm goes now; only what is already due goes with it
    reasons.push('alarm');
  } else if (candidates.length === 0) {
    wakeAtMs = nowMs + config.maxSleepMs;
    reasons.push('idle', 'max-sleep');
  } else {
    let earliest = Infinity;
    for (let i = 0; i < candidates.length; i++) if (candidates[i]!.dueMs < earliest) earliest = candidates[i]!.dueMs;
    if (earliest <= nowMs) {
      wakeAtMs = nowMs;
      reasons.push('overdue');
    } else if (earliest > nowMs + config.maxSleepMs) {
      wakeAtMs = nowMs + config.maxSleepMs;
      reasons.push('max-sleep');
    } else {
      wakeAtMs = earliest;
      reasons.push('due');
    }
  }

  const due: Candidate[] = [];
  const earlyLimit = wakeAtMs + alignMs;
  for (let i = 0; i < candidates.length; i++) {
    const c = candidates[i]!;
    if (c.dueMs <= wakeAtMs || (c.dueMs <= earlyLimit && early(c.kind))) due.push(c);
  }
  if (due.length > 1) {
    due.sort(byDue);
    reasons.push('batched');
  }
  if (low) reasons.push('battery-low');

  const radioReasons: WindowReason[] = plan.alarmPending === true ? ['alarm'] : [];
  const dueTasks: PlannedTask[] = [];
  for (let i = 0; i < due.length; i++) {
    const c = due[i]!;
    const radio = RADIO[c.kind];
    if (radio !== undefined && radioReasons.indexOf(radio) < 0) radioReasons.push(radio);
    dueTasks.push(c.channel === undefined ? { kind: c.kind, dueMs: c.dueMs } : { kind: c.kind, channel: c.channel, dueMs: c.dueMs });
  }

  return { wakeAtMs, sleepMs: wakeAtMs - nowMs, dueTasks, radioDue: radioReasons.length > 0, radioReasons, reasons, stretched: low };
}
