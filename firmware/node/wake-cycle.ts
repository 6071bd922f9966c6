/**
 * One wake cycle (design section 3): the data's way through the device, top to bottom.
 *
 *   1. boot      reset reason, wake cause, retained record -> CycleState   state.ts
 *   2. sample    each due sensor once                                      sample.ts
 *   3. decide    filters, report policy or windowed aggregate per channel  sample.ts (firmware/sampling)
 *   4. rules     thresholds with hysteresis and debounce -> alarm events   firmware/rules
 *   5. encode    readings + alarms -> one SenML-CBOR pack                  encode.ts (firmware/codec/senml.ts)
 *   6. buffer    into the outbox (UplinkStep.enqueue), or the result       steps.ts (issue #3)
 *   7. send      radio window only when something is due                   window.ts
 *   8. update    check-in answer: config, firmware offer, health           window.ts (issue #4)
 *   9. plan      next wake; save the retained record; deep sleep           plan.ts, state.ts
 *
 * Each step takes the cycle's state and its inputs and returns its effects; runWakeCycle only
 * strings them together and collects the effects into the WakeResult, which says what happened
 * and why (the simulator prints it, tests assert on it).
 */
import type { ResetReason, WakeCause } from '../ports/power.js';
import type { AlarmEvent } from '../rules/threshold.js';
import type { Reading } from '../sampling/channel.js';
import { encodeReport } from './encode.js';
import type { Node } from './node.js';
import { clockUnsetWake, planNextWake, type NextWake } from './plan.js';
import { sampleAndDecide, type SampleEffect } from './sample.js';
import { encodeCycleState, persistAlarms, restoreCycleState, type ColdReason, type CycleState } from './state.js';
import type { Report } from './steps.js';
import { radioWindow, windowReasons, type WindowEffect } from './window.js';

/** Before this the wall clock is not set (an ESP32 RTC after a cold boot reads near 1970). */
export const MIN_VALID_UTC_MS = 1_704_067_200_000; // 2024-01-01T00:00:00Z

export interface WakeResult {
  /** Wakes since the last cold start (0 = cold start). */
  readonly cycle: number;
  readonly nowMs: number;
  readonly boot: {
    readonly resetReason: ResetReason;
    readonly wakeCause: WakeCause;
    /** Set when the state started fresh: no retained record, a corrupt one, another format. */
    readonly coldStart?: ColdReason;
    /** The wall clock is not set: nothing was sampled; a check-in is asked for to learn the time. */
    readonly clockUnset?: true;
  };
  readonly sampled: readonly SampleEffect[];
  /** Readings decided this cycle: kind 'report' (the value mattered), 'heartbeat', 'aggregate'. */
  readonly readings: readonly Reading[];
  readonly alarms: readonly AlarmEvent[];
  /** The pack made this cycle (enqueued into the uplink when there is one). */
  readonly report?: Report;
  readonly window: WindowEffect;
  readonly next: NextWake;
  readonly retainedBytes: number;
}

export interface WakeOptions {
  /** Call power.deepSleep at the end (default true; on the device it does not return). */
  sleep?: boolean;
}

export async function runWakeCycle(node: Node, options: WakeOptions = {}): Promise<WakeResult> {
  const { clock, power, retained, log, uplink, update } = node.ports;
  const nowMs = clock.wallMs();
  const batteryVolts = power.batteryVolts();

  // 1. Boot: what woke us, and the state that survived deep sleep.
  const resetReason = power.resetReason();
  const wakeCause = power.wakeCause();
  const state: CycleState = restoreCycleState(node, nowMs);
  if (state.coldReason !== undefined) log.log('info', 'COLD_START', { reason: state.coldReason, resetReason });
  if (update !== undefined) {
    try {
      update.onBoot({ nowMs });
    } catch (error) {
      log.log('error', 'UPDATE_FAILED', { step: 'onBoot', error: (error as Error).message });
    }
  }
  const clockSet = nowMs >= MIN_VALID_UTC_MS;
  if (!clockSet) log.log('warn', 'CLOCK_UNSET', { wallMs: nowMs });

  // 2-3. Sample the due sensors and run each channel's pipeline: what is worth reporting.
  const decided = clockSet ? sampleAndDecide(node, state, nowMs) : { sampled: [], readings: [], values: [], sensorsRead: false };

  // 4. Local rules on the filtered values: alarm raise and clear events.
  const alarms: AlarmEvent[] = [];
  for (let i = 0; i < node.channels.length; i++) {
    const ch = node.channels[i]!;
    const value = decided.values[i];
    if (value === undefined || ch.config.rules.length === 0) continue;
    const events = node.rules.evaluate(ch.config.name, value, nowMs).events;
    for (let k = 0; k < events.length; k++) alarms.push(events[k]!);
  }
  if (alarms.length > 0) persistAlarms(node); // raised or cleared survives a power cut too

  // 5. Encode: one SenML-CBOR pack with every reading and alarm of this cycle.
  const report = encodeReport({ baseName: node.baseName, channels: node.channels, readings: decided.readings, alarms, nowMs }, state.sequence, node.ports.kv);

  // 6. Buffer: the outbox owns it from here (persistent, ordered, alarms first to stay).
  if (report !== undefined && uplink !== undefined) {
    try {
      uplink.enqueue(report);
    } catch (error) {
      // The pack is still in the result; the cycle goes on to save the state and sleep.
      log.log('error', 'ENQUEUE_FAILED', { error: (error as Error).message, firstSeq: report.firstSeq });
    }
  }

  // 7-8. Radio window when something is due; the check-in answer goes to config and update.
  const plannedCheckIn = state.planned?.checkIn === true && nowMs >= state.planned.atMs - node.config.alignWindowMs;
  const checkInDue = !clockSet || nowMs >= state.checkInDueMs || plannedCheckIn;
  const reasons = windowReasons(node, decided.readings, alarms, checkInDue, nowMs);
  const window = await radioWindow(node, state, { reasons, checkInDue, nowMs, batteryVolts, sensorsRead: decided.sensorsRead });

  // 9. Plan the next wake, save what must survive, sleep.
  // The check-in may have set the clock (the uplink's UtcClock): then plan as usual.
  const { next, work } = clockSet || clock.wallMs() >= MIN_VALID_UTC_MS
    ? planNextWake(node, state, Math.max(nowMs, clock.wallMs()), batteryVolts)
    : clockUnsetWake(node, nowMs);
  const record = encodeCycleState(node, state, work);
  try {
    retained.save(record);
  } catch (error) {
    log.log('error', 'RETAINED_SAVE_FAILED', { error: (error as Error).message, bytes: record.length });
  }
  const boot: { -readonly [K in keyof WakeResult['boot']]: WakeResult['boot'][K] } = { resetReason, wakeCause };
  if (state.coldReason !== undefined) boot.coldStart = state.coldReason;
  if (!clockSet) boot.clockUnset = true;
  const result: { -readonly [K in keyof WakeResult]: WakeResult[K] } = {
    cycle: state.cycle, nowMs, boot, sampled: decided.sampled, readings: decided.readings, alarms, window, next, retainedBytes: record.length,
  };
  if (report !== undefined) result.report = report;
  if (options.sleep !== false) power.deepSleep(next.sleepMs, [{ kind: 'timer', ms: next.sleepMs }]);
  return result;
}
