/**
 * The UplinkStep (firmware/node/steps.ts; design section 3 steps 6-7): the outbox, the MQTT link
 * and the check-in, composed for one radio window per wake.
 *
 * openWindow, in order:
 *   1. If the clock is not verified yet, check in first: the server's time sets the clock and the
 *      queued reports are re-stamped before any is published (firmware/time/restamp.ts).
 *   2. When the outbox holds reports (and the backoff allows it, or an alarm overrides it), or
 *      the running image is pending verification (below): open the MQTT link (retained birth
 *      with the status; its PUBACK is "broker reached"), publish the outbox oldest first with
 *      several QoS 1 publishes in flight, delete each entry only when its PUBACK arrives, stop
 *      at the deadline or when the link is lost (the rest stays queued for the next window),
 *      then close the link cleanly. A failed open sets the next attempt time from the link's
 *      backoff (exponential, full jitter, kept in the retained record across wakes).
 *   3. Check in when asked (and not done in 1): the status with fresh outbox counters; the
 *      answer's time sets the clock and re-stamps what is still queued.
 * Time inside the window runs on the monotonic clock: the check-in may step the wall clock.
 *
 * A pending image (reason 'update' and status.bootState 'pending-verify': the ESP-IDF state of
 * the running slot) has this one boot to show health evidence, "broker reached" among it
 * (docs/ota.md). So its windows open MQTT even with an empty outbox (the birth alone proves the
 * broker) and ignore the backoff, which may date from the old image, as an alarm does.
 *
 * Every publish goes through the outbox, online or offline (shared/style.md complaint 1): the
 * outbox is the only queue, and the link's in-flight window is bounded by it.
 */
import { decode, encode } from '../codec/cbor.js';
import { FirmwareError } from '../errors.js';
import type { CheckInAnswer, DeviceStatus, Report, Retainable, UplinkStep, WindowOutcome, WindowReason } from '../node/steps.js';
import type { LogPort } from '../ports/log.js';
import type { MqttLink } from '../mqtt/link.js';
import { encodeBirth } from '../mqtt/status.js';
import type { Outbox, OutboxEntry } from '../outbox/outbox.js';
import type { DeviceServerClient } from '../provisioning/server-client.js';
import { correctionFor, restampPack } from '../time/restamp.js';
import type { ClockFix, UtcClock } from '../time/utc-clock.js';

/** The link as the uplink uses it: the MQTT engineer's MqttLinkHandle satisfies it. */
export interface UplinkLink extends MqttLink, Retainable {
  /** QoS 1 publishes it accepts at once. */
  readonly window: number;
  /** Delay before the next open() after a failure (its backoff); 0 after a success. */
  retryDelayMs(): number;
}

export interface UplinkCheckIn {
  client: DeviceServerClient;
  deviceId: string;
  deviceToken: string;
}

export interface UplinkOptions {
  outbox: Outbox;
  link: UplinkLink;
  /** `<prefix>/<deviceId>/up`. */
  upTopic: string;
  utc: UtcClock;
  /** Without it, windows publish only (tests, a node without a server). */
  checkIn?: UplinkCheckIn;
  log?: LogPort;
  /** Publishes in flight at once (default: the link's window). */
  inFlight?: number;
  /** Part of the window kept for the check-in when one is due after publishing (default 10 s). */
  checkInReserveMs?: number;
}

export interface UplinkCounters {
  windows: number;
  brokerFailures: number;
  published: number;
  checkIns: number;
  checkInFailures: number;
  /** Queued reports corrected after clock fixes. */
  restamped: number;
}

/** The running image awaits its health-gated commit (UpdateStep.isPendingVerify, seen by the window). */
function isPendingVerify(context: { reasons: readonly WindowReason[]; status: DeviceStatus }): boolean {
  return context.reasons.indexOf('update') >= 0 && context.status.bootState === 'pending-verify';
}

const SNAPSHOT_VERSION = 1;
const COUNTER_KEYS = ['windows', 'brokerFailures', 'published', 'checkIns', 'checkInFailures', 'restamped'] as const;

export class Uplink implements UplinkStep {
  readonly #o: UplinkOptions;
  #nextAttemptAtMs: number | undefined;
  #counters: UplinkCounters = { windows: 0, brokerFailures: 0, published: 0, checkIns: 0, checkInFailures: 0, restamped: 0 };

  constructor(options: UplinkOptions) {
    const { outbox, link, utc } = options;
    if (outbox === undefined || typeof outbox.enqueue !== 'function') throw new FirmwareError('ERR_PORT_MISSING', 'uplink needs an outbox');
    if (link === undefined || typeof link.open !== 'function' || typeof link.publish !== 'function' || typeof link.close !== 'function') {
      throw new FirmwareError('ERR_PORT_MISSING', 'uplink needs an MQTT link');
    }
    if (utc === undefined || typeof utc.applyServerTime !== 'function') throw new FirmwareError('ERR_PORT_MISSING', 'uplink needs a UtcClock');
    if (typeof options.upTopic !== 'string' || options.upTopic.length === 0) throw new FirmwareError('ERR_CONFIG_INVALID', 'uplink needs the up topic');
    this.#o = options;
  }

  counters(): UplinkCounters {
    return { ...this.#counters };
  }

  enqueue(report: Report): void {
    const outcome = this.#o.outbox.enqueue(report, { clockKnown: this.#o.utc.verified() });
    if (outcome.thinned > 0 || outcome.dropped > 0) {
      this.#o.log?.log(outcome.accepted ? 'warn' : 'error', outcome.accepted ? 'OUTBOX_OVERFLOW' : 'OUTBOX_FULL', {
        thinned: outcome.thinned, dropped: outcome.dropped, alarm: report.alarm, firstSeq: report.firstSeq,
      });
    }
  }

  backlog(): { records: number; bytes: number; highWater: boolean; dropped: number; thinned: number } {
    return this.#o.outbox.backlog();
  }

  nextAttemptAtMs(): number | undefined {
    return this.#nextAttemptAtMs;
  }

  async openWindow(context: { nowMs: number; deadlineMs: number; reasons: readonly WindowReason[]; status: DeviceStatus; checkIn: boolean }): Promise<WindowOutcome> {
    const { utc, outbox, link } = this.#o;
    const startMono = utc.monotonicMs();
    const deadlineMono = startMono + Math.max(0, context.deadlineMs - context.nowMs);
    const left = (): number => deadlineMono - utc.monotonicMs();
    this.#counters.windows++;
    const outcome: WindowOutcome = { brokerReached: false, published: 0 };
    let checkIn: CheckInAnswer | undefined;
    let checkedIn = false;

    // 1. Learn the time before publishing anything stamped with an unverified clock.
    if (!utc.verified() && this.#o.checkIn !== undefined) {
      checkedIn = true;
      checkIn = await this.#checkIn(context.status, left());
    }

    // 2. Publish the outbox (a pending image connects for its health evidence alone).
    const pendingVerify = isPendingVerify(context);
    const backoffOver = this.#nextAttemptAtMs === undefined || utc.now() >= this.#nextAttemptAtMs || context.reasons.indexOf('alarm') >= 0 || pendingVerify;
    if ((outbox.backlog().records > 0 || pendingVerify) && backoffOver && left() > 0) {
      const reserve = context.checkIn && !checkedIn && this.#o.checkIn !== undefined ? Math.min(this.#o.checkInReserveMs ?? 10_000, left() / 2) : 0;
      const opened = await link.open({ deadlineMs: deadlineMono - reserve, status: encodeBirth(context.status, utc.now()) });
      if (opened) {
        outcome.brokerReached = true;
        try {
          outcome.published = await this.#publishOutbox(deadlineMono - reserve);
        } finally {
          await link.close(); // clean DISCONNECT: the will is not published
        }
      } else {
        this.#counters.brokerFailures++;
      }
      const retry = link.retryDelayMs();
      this.#nextAttemptAtMs = retry > 0 ? utc.now() + retry : undefined;
    }

    // 3. Check in.
    if (context.checkIn && !checkedIn && this.#o.checkIn !== undefined && left() > 0) {
      checkIn = await this.#checkIn(context.status, left());
    }
    if (checkIn !== undefined) outcome.checkIn = checkIn;
    return outcome;
  }

  /** Publishes the outbox oldest first, several in flight; returns how many were acknowledged. */
  async #publishOutbox(deadlineMono: number): Promise<number> {
    const { outbox, link, utc, upTopic } = this.#o;
    const window = Math.max(1, Math.min(this.#o.inFlight ?? link.window, link.window));
    const queue: readonly OutboxEntry[] = outbox.entries();
    const running = new Set<Promise<void>>();
    let next = 0;
    let published = 0;
    let failure: unknown;
    while (failure === undefined) {
      while (running.size < window && next < queue.length && failure === undefined && utc.monotonicMs() < deadlineMono) {
        const entry = queue[next++]!;
        outbox.hold(entry.id);
        const p: Promise<void> = link.publish(upTopic, entry.pack).then(
          () => {
            outbox.acknowledge(entry.id); // PUBACK: now, and only now, it may go
            published++;
          },
          (error: unknown) => {
            outbox.release(entry.id);
            failure ??= error;
          },
        ).finally(() => running.delete(p));
        running.add(p);
      }
      if (running.size === 0) break;
      await Promise.race(running);
    }
    await Promise.all(running);
    outbox.releaseAll();
    this.#counters.published += published;
    if (failure !== undefined) {
      this.#o.log?.log('warn', 'UPLINK_PUBLISH_STOPPED', { published, left: outbox.backlog().records, error: (failure as Error).message });
    }
    return published;
  }

  async #checkIn(status: DeviceStatus, budgetMs: number): Promise<CheckInAnswer | undefined> {
    const { checkIn, utc, outbox, log } = this.#o;
    if (checkIn === undefined || budgetMs <= 0) return undefined;
    const s = outbox.backlog();
    try {
      const { answer, sentMonoMs, receivedMonoMs } = await checkIn.client.checkIn(checkIn.deviceToken, {
        ...status,
        outbox: { records: s.records, bytes: s.bytes, dropped: s.dropped, thinned: s.thinned },
        deviceId: checkIn.deviceId,
        deviceTimeMs: Math.max(0, Math.round(utc.now())),
      }, { totalTimeoutMs: budgetMs });
      const fix = utc.applyServerTime(answer.serverTimeMs, sentMonoMs, receivedMonoMs);
      this.#restamp(fix);
      this.#counters.checkIns++;
      if (Math.abs(fix.stepMs) >= 1000) log?.log('info', 'CLOCK_STEPPED', { stepMs: fix.stepMs, uncertaintyMs: fix.uncertaintyMs });
      return answer;
    } catch (error) {
      this.#counters.checkInFailures++;
      log?.log('warn', 'CHECKIN_FAILED', { code: (error as FirmwareError).code, error: (error as Error).message });
      return undefined;
    }
  }

  /** Corrects the queued reports after a clock fix (rule in firmware/time/restamp.ts). */
  #restamp(fix: ClockFix): void {
    const changed = this.#o.outbox.restamp((entry) => {
      const correction = correctionFor(entry.createdAtMs, entry.clockKnown, fix);
      if (correction === 0 && entry.clockKnown) return undefined;
      let pack = entry.pack;
      try {
        pack = restampPack(entry.pack, correction);
      } catch (error) {
        this.#o.log?.log('error', 'RESTAMP_FAILED', { firstSeq: entry.firstSeq, error: (error as Error).message });
      }
      return { pack, createdAtMs: entry.createdAtMs + correction, clockKnown: true };
    });
    this.#counters.restamped += changed;
  }

  snapshot(): Uint8Array {
    const c = this.#counters;
    return encode(new Map<number, unknown>([
      [0, SNAPSHOT_VERSION],
      [1, this.#o.utc.snapshot()],
      [2, this.#o.link.snapshot()],
      [3, this.#nextAttemptAtMs ?? null],
      [4, COUNTER_KEYS.map((k) => c[k])],
    ]));
  }

  restore(bytes: Uint8Array): void {
    let map: unknown;
    try {
      map = decode(bytes);
    } catch {
      throw new FirmwareError('ERR_STATE_CORRUPT', 'uplink snapshot is not CBOR');
    }
    if (!(map instanceof Map) || map.get(0) !== SNAPSHOT_VERSION) throw new FirmwareError('ERR_STATE_CORRUPT', 'uplink snapshot version');
    const utcBytes = map.get(1), linkBytes = map.get(2), next = map.get(3), counters = map.get(4);
    if (!(utcBytes instanceof Uint8Array) || !(linkBytes instanceof Uint8Array) || !(next === null || (typeof next === 'number' && Number.isFinite(next)))
      || !Array.isArray(counters) || counters.length !== COUNTER_KEYS.length || !counters.every((n) => Number.isSafeInteger(n) && n >= 0)) {
      throw new FirmwareError('ERR_STATE_CORRUPT', 'uplink snapshot fields');
    }
    this.#o.utc.restore(utcBytes);
    this.#o.link.restore(linkBytes);
    this.#nextAttemptAtMs = next === null ? undefined : next;
    const restored = {} as UplinkCounters;
    COUNTER_KEYS.forEach((k, i) => { restored[k] = counters[i] as number; });
    this.#counters = restored;
  }
}
