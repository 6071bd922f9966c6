/**
 * Steps 7-8 of the wake cycle: open a radio window only when something is due, through the
 * UplinkStep (outbox, MQTT, check-in; issue #3), then hand what the check-in brought to the
 * update step (issue #4) and to the config.
 *
 * Reasons: alarm (an alarm event this cycle: always now, even during a retry backoff), report
 * (a reading that mattered or a closed aggregate window), heartbeat (a reading forced by time
 * alone), check-in (period elapsed), backlog (outbox above its high-water mark), retry (records
 * waiting and the backoff has passed), update (a download to continue, or an image pending
 * verification: then the window checks in every cycle, see wake-cycle.ts).
 */
import { encode } from '../codec/cbor.js';
import type { AlarmEvent } from '../rules/threshold.js';
import type { Reading } from '../sampling/channel.js';
import { validateNodeConfig } from './config.js';
import { applyConfig, KV_CONFIG, type Node } from './node.js';
import type { CycleState } from './state.js';
import type { DeviceStatus, WindowOutcome, WindowReason } from './steps.js';

/** After a failed check-in without a backoff time from the uplink, try again this much later. */
export const CHECK_IN_RETRY_MS = 5 * 60_000;

export interface WindowEffect {
  readonly reasons: readonly WindowReason[];
  readonly opened: boolean;
  /** Why no window was opened although reasons held. */
  readonly skipped?: 'no-uplink' | 'backoff';
  /** With skipped 'backoff': the uplink's next attempt time. */
  readonly retryAtMs?: number;
  readonly outcome?: WindowOutcome;
  /** openWindow threw (a bug or a port failure, logged); the outbox keeps everything. */
  readonly error?: string;
  /** A remote config arrived: adopted (its version) or refused (the reason). */
  readonly config?: { adopted: number } | { refused: string };
}

export function windowReasons(node: Node, readings: readonly Reading[], alarms: readonly AlarmEvent[], checkInDue: boolean, nowMs: number, pendingVerify = false): WindowReason[] {
  const reasons: WindowReason[] = [];
  if (alarms.length > 0) reasons.push('alarm');
  let report = false;
  let heartbeat = false;
  for (let i = 0; i < readings.length; i++) {
    if (readings[i]!.kind === 'heartbeat') heartbeat = true;
    else report = true;
  }
  if (report) reasons.push('report');
  if (heartbeat) reasons.push('heartbeat');
  if (checkInDue) reasons.push('check-in');
  const { uplink, update } = node.ports;
  if (uplink !== undefined) {
    const backlog = uplink.backlog();
    if (backlog.highWater) reasons.push('backlog');
    const retryAt = uplink.nextAttemptAtMs();
    if (backlog.records > 0 && reasons.length === 0 && (retryAt === undefined || retryAt <= nowMs)) reasons.push('retry');
  }
  if (pendingVerify || update?.wantsWindow() === true) reasons.push('update');
  return reasons;
}

function deviceStatus(node: Node, batteryVolts: number): DeviceStatus {
  const firmware = node.firmware();
  const backlog = node.ports.uplink!.backlog();
  const status: DeviceStatus = {
    firmwareVersion: firmware.version,
    slot: firmware.slot,
    bootState: firmware.bootState,
    batteryVolts,
    configVersion: node.config.version,
    outbox: { records: backlog.records, bytes: backlog.bytes, dropped: backlog.dropped, thinned: backlog.thinned },
  };
  const outcome = node.ports.update?.pendingOutcome();
  if (outcome !== undefined) status.updateOutcome = outcome;
  return status;
}

function adoptConfig(node: Node, raw: unknown): WindowEffect['config'] {
  try {
    const config = validateNodeConfig(raw);
    if (config.version === node.config.version) return undefined;
    node.ports.kv.set(KV_CONFIG, encode(config));
    applyConfig(node, config);
    node.ports.log.log('info', 'CONFIG_ADOPTED', { version: config.version });
    return { adopted: config.version };
  } catch (error) {
    node.ports.log.log('warn', 'CONFIG_REFUSED', { error: (error as Error).message });
    return { refused: (error as Error).message };
  }
}

export interface WindowInput {
  readonly reasons: readonly WindowReason[];
  /** The check-in period has elapsed (or the clock is unset, or it was planned). */
  readonly checkInDue: boolean;
  /**
   * The running image awaits its health-gated commit: check in whatever the period, and ignore
   * the uplink's retry backoff (it may date from the previous image), since the image has this
   * one boot to show a check-in answered.
   */
  readonly pendingVerify?: boolean;
  readonly nowMs: number;
  readonly batteryVolts: number;
  readonly sensorsRead: boolean;
}

export async function radioWindow(node: Node, state: CycleState, input: WindowInput): Promise<WindowEffect> {
  const { uplink, update, clock, log } = node.ports;
  const { reasons, checkInDue, nowMs } = input;
  const pendingVerify = input.pendingVerify === true;
  const checkIn = checkInDue || pendingVerify;
  let effect: WindowEffect = { reasons, opened: false };
  if (reasons.length === 0) {
    update?.recordHealth({ sensorsRead: input.sensorsRead, brokerReached: false, checkInAnswered: false, nowMs });
    return effect;
  }
  if (uplink === undefined) {
    // Nobody to talk to: the reports stay in the cycle's result; the check-in counts as done.
    if (checkInDue) state.checkInDueMs = nowMs + node.config.checkInPeriodMs;
    update?.recordHealth({ sensorsRead: input.sensorsRead, brokerReached: false, checkInAnswered: false, nowMs });
    return { reasons, opened: false, skipped: 'no-uplink' };
  }
  const retryAt = uplink.nextAttemptAtMs();
  if (retryAt !== undefined && retryAt > nowMs && reasons.indexOf('alarm') < 0 && !pendingVerify) {
    if (checkInDue) state.checkInDueMs = retryAt;
    update?.recordHealth({ sensorsRead: input.sensorsRead, brokerReached: false, checkInAnswered: false, nowMs });
    return { reasons, opened: false, skipped: 'backoff', retryAtMs: retryAt };
  }
  const deadlineMs = nowMs + node.windowBudgetMs;
  const status = deviceStatus(node, input.batteryVolts);
  let outcome: WindowOutcome | undefined;
  try {
    outcome = await uplink.openWindow({ nowMs, deadlineMs, reasons, status, checkIn });
    effect = { reasons, opened: true, outcome };
  } catch (error) {
    log.log('error', 'WINDOW_FAILED', { error: (error as Error).message });
    effect = { reasons, opened: true, error: (error as Error).message };
  }
  const answer = outcome?.checkIn;
  if (answer !== undefined) {
    state.checkInDueMs = nowMs + node.config.checkInPeriodMs;
    if (status.updateOutcome !== undefined) update?.acknowledgeOutcome();
    if (answer.config !== undefined) {
      const config = adoptConfig(node, answer.config);
      if (config !== undefined) effect = { ...effect, config };
    }
  } else if (checkInDue) {
    state.checkInDueMs = uplink.nextAttemptAtMs() ?? nowMs + Math.min(CHECK_IN_RETRY_MS, node.config.checkInPeriodMs);
  }
  if (update !== undefined) {
    update.recordHealth({ sensorsRead: input.sensorsRead, brokerReached: outcome?.brokerReached === true, checkInAnswered: answer !== undefined, nowMs: clock.wallMs() });
    if (answer?.update !== undefined) {
      try {
        await update.handleOffer(answer.update, { nowMs: clock.wallMs(), deadlineMs, batteryVolts: input.batteryVolts });
      } catch (error) {
        log.log('error', 'UPDATE_FAILED', { error: (error as Error).message });
      }
    }
  }
  return effect;
}
