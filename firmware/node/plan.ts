/**
 * Step 9 of the wake cycle: when to wake next and what to do then, from every channel's next
 * sample and report due, the check-in, the uplink's retry time and the battery (the pure
 * planner, firmware/planner/planner.ts).
 */
import { planWake, type PlannedTask, type PlannerInput, type PlanReason, type ReportPlannerDue, type ChannelPlannerDue } from '../planner/planner.js';
import type { Node } from './node.js';
import type { CycleState, PlannedWork } from './state.js';
import { CHECK_IN_RETRY_MS } from './window.js';
import type { WindowReason } from './steps.js';

/**
 * Longest wait between cycles while an image is pending verification (no deep sleep then): short
 * against the updater's health timeout (120 s by default), so a failed check-in is retried a few
 * times before the image gives up.
 */
export const PENDING_VERIFY_POLL_MS = 10_000;
/**
 * The shortest such wait: every cycle of a pending image checks in, and the plan may say "now"
 * (an alarm still waiting for the broker), which would otherwise loop on the server at once.
 */
export const PENDING_VERIFY_MIN_POLL_MS = 1_000;

export interface NextWake {
  readonly atMs: number;
  readonly sleepMs: number;
  readonly reasons: readonly (PlanReason | 'clock-unset' | 'pending-verify')[];
  /** What that wake will do (earliest due first). */
  readonly tasks: readonly PlannedTask[];
  /** Radio reasons already known for that wake (heartbeat, check-in, retry, report). */
  readonly radio: readonly WindowReason[];
  /** Periods stretched for a low battery. */
  readonly stretched: boolean;
}

export function planNextWake(node: Node, state: CycleState, nowMs: number, batteryVolts: number): { next: NextWake; work: PlannedWork } {
  const samples: ChannelPlannerDue[] = [];
  const reports: ReportPlannerDue[] = [];
  const stretch = batteryVolts < (node.planner.lowBatteryVolts ?? 0) ? (node.planner.stretch ?? 2) : 1;
  for (let i = 0; i < node.channels.length; i++) {
    const ch = node.channels[i]!;
    const name = ch.config.name;
    const period = ch.config.samplePeriodMs;
    const last = state.lastSampleMs.get(name);
    const sampleDue = last === undefined ? nowMs : last + period;
    samples.push({ channel: name, dueMs: sampleDue, periodMs: period });
    const dueMs = ch.pipeline.nextDueMs();
    if (dueMs === undefined) continue;
    if (ch.config.aggregate !== undefined) {
      const due = ch.pipeline.due()!;
      reports.push({ channel: name, dueMs: due.dueMs, periodMs: due.periodMs, kind: 'aggregate' });
    } else if (dueMs < sampleDue + period * (stretch - 1)) {
      // A heartbeat needs a fresh value, so the sample at sampleDue delivers it whenever it is due
      // no earlier than that sample (stretched as the planner will stretch it on a low battery:
      // the heartbeat moves by at least as much). Only an earlier one needs a wake of its own.
      const due = ch.pipeline.due()!;
      reports.push({ channel: name, dueMs: due.dueMs, periodMs: due.periodMs, kind: 'heartbeat' });
    }
  }
  const uplink = node.ports.uplink;
  const retryAtMs = uplink !== undefined && uplink.backlog().records > 0 ? uplink.nextAttemptAtMs() : undefined;
  const period = node.config.checkInPeriodMs;
  const input: { -readonly [K in keyof PlannerInput]: PlannerInput[K] } = {
    nowMs, samples, reports, checkIn: { periodMs: period, lastMs: state.checkInDueMs - period }, batteryVolts, config: node.planner,
  };
  if (retryAtMs !== undefined) input.retryAtMs = retryAtMs;
  const plan = planWake(input);
  const sample: string[] = [];
  let checkIn = false;
  for (let i = 0; i < plan.dueTasks.length; i++) {
    const task = plan.dueTasks[i]!;
    if ((task.kind === 'sample' || task.kind === 'heartbeat') && task.channel !== undefined && sample.indexOf(task.channel) < 0) sample.push(task.channel);
    if (task.kind === 'check-in') checkIn = true;
  }
  return {
    next: {
      atMs: plan.wakeAtMs, sleepMs: plan.sleepMs, reasons: plan.reasons, tasks: plan.dueTasks, radio: plan.radioReasons, stretched: plan.stretched,
    },
    work: { atMs: plan.wakeAtMs, sample, checkIn },
  };
}

/** Without a set clock nothing can be planned on it: try a check-in again a little later. */
export function clockUnsetWake(node: Node, nowMs: number): { next: NextWake; work: PlannedWork } {
  const sleepMs = Math.min(CHECK_IN_RETRY_MS, node.config.maxSleepMs);
  return {
    next: { atMs: nowMs + sleepMs, sleepMs, reasons: ['clock-unset'], tasks: [], radio: ['check-in'], stretched: false },
    work: { atMs: nowMs + sleepMs, sample: [], checkIn: true },
  };
}

/**
 * The wait of a cycle that must stay awake (an image pending verification): from
 * PENDING_VERIFY_MIN_POLL_MS to PENDING_VERIFY_POLL_MS, with the window's update and check-in.
 * The plan that was saved for the regular schedule stays as it is; this is an extra, early wake.
 */
export function pendingVerifyWake(planned: NextWake, nowMs: number): NextWake {
  const sleepMs = Math.max(PENDING_VERIFY_MIN_POLL_MS, Math.min(PENDING_VERIFY_POLL_MS, planned.sleepMs));
  return { atMs: nowMs + sleepMs, sleepMs, reasons: ['pending-verify'], tasks: [], radio: ['update', 'check-in'], stretched: false };
}
