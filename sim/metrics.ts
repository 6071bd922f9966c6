/**
 * What the simulator records while it runs, from the devices' wake summaries (what the firmware
 * did) and the run's clock: per device the packs and alarms it produced, when its windows were
 * acknowledged, its activity for the energy model, its first reconnection after the first broker
 * outage; per run the hourly messages and bytes and the outbox depth. Compact (arrays of numbers)
 * so that 10,000 devices over a day fit comfortably.
 */
import { addActivity, emptyActivity, type WakeActivity } from './energy.js';
import type { WakeSummary } from './device/program.js';
import type { TrafficChannel } from './device/radio.js';

export interface DeviceMetrics {
  /** Produced packs: first and last sequence number. */
  packFirst: number[];
  packLast: number[];
  /** Alarm raise records: sequence number and true time raised. */
  alarmSeq: number[];
  alarmMs: number[];
  alarmClears: number;
  /** Wakes whose window had packs acknowledged: true time and cumulative acknowledged packs. */
  ackMs: number[];
  ackCum: number[];
  acked: number;
  activity: WakeActivity;
  traffic: { bytes: Record<TrafficChannel, number> };
  outboxRecords: number;
  dropped: number;
  thinned: number;
  checkIns: number;
  /** Firmware as last seen. */
  firmware: { version: string; bootState: string };
  maxClockErrorMs: number;
  /** First wake that reached the broker at or after `reconnectAfterMs` (the end of the first broker outage). */
  reconnectedAtMs: number | undefined;
}

function newDevice(): DeviceMetrics {
  return {
    packFirst: [], packLast: [], alarmSeq: [], alarmMs: [], alarmClears: 0, ackMs: [], ackCum: [], acked: 0,
    activity: emptyActivity(), traffic: { bytes: { mqtt: 0, http: 0, ota: 0 } },
    outboxRecords: 0, dropped: 0, thinned: 0, checkIns: 0,
    firmware: { version: '', bootState: '' },
    maxClockErrorMs: 0, reconnectedAtMs: undefined,
  };
}

export interface OutboxPoint { tMs: number; records: number; devicesWithBacklog: number }

export class RunMetrics {
  readonly devices: DeviceMetrics[];
  readonly startMs: number;
  readonly spanMs: number;
  readonly messagesPerHour: number[];
  readonly bytesPerHour: number[];
  readonly outboxSeries: OutboxPoint[] = [];
  cycles = 0;
  powerCuts = 0;
  #outboxTotal = 0;
  #withBacklog = 0;

  /** When the first broker outage ends (true UTC ms), if there is one. */
  reconnectAfterMs: number | undefined;

  constructor(devices: number, startMs: number, spanMs: number) {
    this.devices = Array.from({ length: devices }, newDevice);
    this.startMs = startMs;
    this.spanMs = spanMs;
    const hours = Math.ceil(spanMs / 3_600_000);
    this.messagesPerHour = new Array<number>(hours).fill(0);
    this.bytesPerHour = new Array<number>(hours).fill(0);
  }

  #hour(tMs: number): number {
    return Math.min(this.messagesPerHour.length - 1, Math.max(0, Math.floor((tMs - this.startMs) / 3_600_000)));
  }

  record(index: number, s: WakeSummary): void {
    const d = this.devices[index]!;
    this.cycles += s.activity.cycles;
    const hour = this.#hour(s.trueMs);
    for (const r of s.reports) {
      d.packFirst.push(r.firstSeq);
      d.packLast.push(r.lastSeq);
      for (const a of r.alarms) {
        if (a.kind === 'raise') {
          d.alarmSeq.push(a.seq);
          d.alarmMs.push(s.trueMs);
        } else {
          d.alarmClears++;
        }
      }
    }
    if (s.window.published > 0) {
      d.acked += s.window.published;
      d.ackMs.push(s.trueMs);
      d.ackCum.push(d.acked);
      this.messagesPerHour[hour]! += s.window.published;
    }
    if (s.window.checkedIn) d.checkIns++;
    if (s.window.brokerReached && this.reconnectAfterMs !== undefined && s.trueMs >= this.reconnectAfterMs) d.reconnectedAtMs ??= s.trueMs;
    addActivity(d.activity, s.activity);
    const bytes = s.traffic.bytes.mqtt + s.traffic.bytes.http;
    this.bytesPerHour[hour]! += bytes;
    for (const ch of ['mqtt', 'http', 'ota'] as const) d.traffic.bytes[ch] += s.traffic.bytes[ch];
    this.#outboxTotal += s.outbox.records - d.outboxRecords;
    this.#withBacklog += (s.outbox.records > 0 ? 1 : 0) - (d.outboxRecords > 0 ? 1 : 0);
    d.outboxRecords = s.outbox.records;
    d.dropped = s.outbox.dropped;
    d.thinned = s.outbox.thinned;
    d.firmware = { version: s.firmware.version, bootState: s.firmware.bootState };
    if (!s.clockUnset && Math.abs(s.clockErrorMs) > Math.abs(d.maxClockErrorMs) && d.checkIns > 0) d.maxClockErrorMs = s.clockErrorMs;
  }

  /** A pending-verify image stayed awake for `ms`. */
  idle(index: number, ms: number): void {
    this.devices[index]!.activity.idleAwakeMs += ms;
  }

  sampleOutbox(tMs: number): void {
    this.outboxSeries.push({ tMs, records: this.#outboxTotal, devicesWithBacklog: this.#withBacklog });
  }

  /**
   * The reconnection wave after the first broker outage: each device's first connection after
   * it ended, peak per virtual second, and how long until 50 % / 95 % of the fleet was back.
   */
  reconnectWave(): { peak: number; peakAtMs: number | undefined; p50Ms: number | undefined; p95Ms: number | undefined; reconnected: number } {
    const after = this.reconnectAfterMs;
    const times = this.devices.map((d) => d.reconnectedAtMs).filter((t): t is number => t !== undefined).sort((a, b) => a - b);
    const perSecond = new Map<number, number>();
    for (const t of times) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    let peak = 0;
    let peakAtMs: number | undefined;
    for (const [second, n] of perSecond) {
      if (n > peak) {
        peak = n;
        peakAtMs = second * 1000;
      }
    }
    const q = (p: number): number | undefined => {
      if (after === undefined || times.length === 0) return undefined;
      const k = Math.ceil(p * this.devices.length) - 1;
      return k < times.length ? times[k]! - after : undefined;
    };
    return { peak, peakAtMs, p50Ms: q(0.5), p95Ms: q(0.95), reconnected: times.length };
  }

  /** First reconnections after the first broker outage per `binMs` over [fromMs, toMs). */
  reconnectSeries(fromMs: number, toMs: number, binMs: number): number[] {
    const bins = new Array<number>(Math.max(1, Math.ceil((toMs - fromMs) / binMs))).fill(0);
    for (const d of this.devices) {
      const t = d.reconnectedAtMs;
      if (t !== undefined && t >= fromMs && t < toMs) bins[Math.floor((t - fromMs) / binMs)]! += 1;
    }
    return bins;
  }
}
