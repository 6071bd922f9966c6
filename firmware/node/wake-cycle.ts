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
 * Health-gated first boot (docs/ota.md): ESP-IDF's bootloader gives a new image exactly one boot
 * to confirm itself, and a deep-sleep wake is a reset. So while `update.isPendingVerify()` holds,
 * the window checks in every cycle, every channel is sampled until one delivers, and the cycle
 * does not deep-sleep: it returns `stayAwake` with a short `next.sleepMs`, and the host waits
 * (light sleep or idle, never deep sleep) and runs the next cycle on the same node
 * (`runWakeCycles` does exactly that), until the update step commits or rolls back.
 *
 * Each step takes the cycle's state and its inputs and returns its effects; runWakeCycle only
 * strings them together and collects the effects into the WakeResult, which says what happened
 * and why (the simulator prints it, tests assert on it).
 */
import { FirmwareError } from '../errors.js';
import type { ResetReason, WakeCause } from '../ports/power.js';
import type { AlarmEvent } from '../rules/threshold.js';
import type { Reading } from '../sampling/channel.js';
import { encodeReport } from './encode.js';
import type { Node } from './node.js';
import { clockUnsetWake, pendingVerifyWake, planNextWake, type NextWake } from './plan.js';
import { sampleAndDecide, type SampleEffect } from './sample.js';
import { encodeCycleState, persistAlarms, restoreCycleState, type ColdReason, type CycleState } from './state.js';
import type { Report } from './steps.js';
import { radioWindow, windowReasons, type WindowEffect } from './window.js';
// Before this the wall clock is not set (an ESP32 RTC after a cold boot reads near 1970): the
// same notion of "the clock is set" as the uplink's UtcClock.
import { MIN_VALID_UTC_MS } from '../time/utc-clock.js';


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
  /**
   * The running image is pending verification (UpdateStep.isPendingVerify): the host MUST NOT
   * deep-sleep (a deep-sleep wake is a reset, and the bootloader would roll the image back).
   * It waits `next.sleepMs` (short, PENDING_VERIFY_POLL_MS at most) in light sleep or idle, with
   * the JavaScript heap kept, and runs the next cycle on the same node object. runWakeCycle did
   * not call power.deepSleep. Absent otherwise.
   */
  readonly stayAwake?: true;
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
  // After a cycle that stayed awake this is the same boot: onBoot would restart the health clock.
  const continued = node.awake;
  node.awake = undefined;
  if (update !== undefined && continued === undefined) {
    try {
      update.onBoot({ nowMs });
      // A boot that is not a deep-sleep wake (the restart after a rollback, a reset the
      // bootloader answered with one, the restart into a committed image) reports the update's
      // outcome at once, not a check-in period later: the rollout's failure rate, and its
      // automatic pause, wait for it. Retries then follow the uplink's backoff as usual.
      if (resetReason !== 'deep-sleep' && state.checkInDueMs > nowMs && update.pendingOutcome() !== undefined) state.checkInDueMs = nowMs;
    } catch (error) {
      log.log('error', 'UPDATE_FAILED', { step: 'onBoot', error: (error as Error).message });
    }
  }
  const pendingVerify = update !== undefined && update.isPendingVerify();
  const clockSet = nowMs >= MIN_VALID_UTC_MS;
  if (!clockSet) log.log('warn', 'CLOCK_UNSET', { wallMs: nowMs });

  // 2-3. Sample the due sensors and run each channel's pipeline: what is worth reporting.
  const sampleAll = pendingVerify && continued?.sensorsRead !== true;
  const decided = clockSet ? sampleAndDecide(node, state, nowMs, sampleAll) : { sampled: [], readings: [], values: [], sensorsRead: false };

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
  const checkInDue = !clockSet || nowMs >= state.checkInDueMs || state.planned?.checkIn === true;
  const reasons = windowReasons(node, decided.readings, alarms, checkInDue || pendingVerify, nowMs, pendingVerify);
  const window = await radioWindow(node, state, { reasons, checkInDue, pendingVerify, nowMs, batteryVolts, sensorsRead: decided.sensorsRead });

  // 9. Plan the next wake, save what must survive, sleep.
  // The check-in may have set the clock (the uplink's UtcClock): then plan as usual.
  const planned = clockSet || clock.wallMs() >= MIN_VALID_UTC_MS
    ? planNextWake(node, state, Math.max(nowMs, clock.wallMs()), batteryVolts)
    : clockUnsetWake(node, nowMs);
  const work = planned.work;
  // Still pending after the window (neither committed nor rolled back): no deep sleep.
  const stayAwake = update !== undefined && update.isPendingVerify();
  const next = stayAwake ? pendingVerifyWake(planned.next, Math.max(nowMs, clock.wallMs())) : planned.next;
  if (stayAwake) node.awake = { sensorsRead: continued?.sensorsRead === true || decided.sensorsRead };
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
  if (stayAwake) result.stayAwake = true;
  else if (options.sleep !== false) power.deepSleep(next.sleepMs, [{ kind: 'timer', ms: next.sleepMs }]);
  return result;
}

/**
 * Runs wake cycles on one node until one ends in deep sleep: while a cycle returns `stayAwake`
 * (an image pending verification), waits its `next.sleepMs` with `idle` (the host's light sleep
 * or a timer; never a deep sleep) and runs the next. Returns the last cycle's result. The
 * default `idle` uses the node's TimerPort; without one, `idle` must be given.
 */
export async function runWakeCycles(node: Node, options: WakeOptions & { idle?: (ms: number) => Promise<void> } = {}): Promise<WakeResult> {
  const timer = node.ports.timer;
  const idle = options.idle ?? (timer === undefined ? undefined : (ms: number) => new Promise<void>((resolve) => { timer.set(resolve, ms); }));
  const cycleOptions: WakeOptions = options.sleep === undefined ? {} : { sleep: options.sleep };
  let result = await runWakeCycle(node, cycleOptions);
  while (result.stayAwake === true) {
    if (idle === undefined) throw new FirmwareError('ERR_PORT_MISSING', 'runWakeCycles: staying awake needs a timer port or an idle function', { port: 'timer' });
    await idle(result.next.sleepMs);
    result = await runWakeCycle(node, cycleOptions);
  }
  return result;
}
