/**
 * A small full-stack run: 10 devices on the real core against embedded Aedes and the real OTA
 * server for 6 virtual hours, with a 1-hour broker outage, a Wi-Fi loss, a server outage and a
 * power cut. Every reading that was produced arrives once (or is still queued), every alarm
 * arrives, the outbox carried the outage, the baseline lost what it could not keep.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFault } from '../../sim/faults.js';
import type { SimResult } from '../../sim/result.js';
import { runSimulation } from '../../sim/run.js';

let r: SimResult;

beforeAll(async () => {
  r = await runSimulation({
    devices: 10, hours: 6, seed: 11, herd: false, workers: 1,
    heatEventsPerDay: 2,
    faults: ['broker-outage@2h+1h', 'wifi-loss:dev-0003@1h+30m', 'server-outage@4h+30m', 'power-cut:dev-0005@4h30m', 'clock-drift:100ppm'].map(parseFault),
  });
}, 120_000);

describe('full stack: 10 devices x 6 h with a broker outage', () => {
  it('loses no reading and delivers every alarm', () => {
    const s = r.summary;
    expect(s.wakeErrors, s.firstWakeError).toBe(0);
    expect(s.readingsProduced).toBeGreaterThan(100);
    expect(s.readingsLost).toBe(0);
    expect(s.readingsDelivered + s.readingsQueuedAtEnd).toBe(s.readingsProduced);
    expect(s.consumerDrained).toBe(true);
    expect(s.alarmsRaised).toBeGreaterThan(0);
    expect(s.alarmsDelivered).toBe(s.alarmsRaised);
    expect(s.alarmLatencyP95Seconds).not.toBeNull();
    // Duplicates (QoS 1 redelivery) are counted and removed: distinct packs match the acknowledged ones.
    expect(s.duplicates).toBeGreaterThanOrEqual(0);
    expect(s.packsDelivered).toBe(s.messages);
  });

  it('the outboxes filled during the outage and emptied after it', () => {
    const during = r.details.outboxSeries.filter((p) => p.hours > 2.2 && p.hours < 3);
    const after = r.details.outboxSeries.filter((p) => p.hours > 4.5);
    expect(Math.max(...during.map((p) => p.records))).toBeGreaterThan(5);
    expect(Math.min(...after.map((p) => p.records))).toBe(0);
    expect(r.details.messagesPerHour[2]).toBeLessThan(r.details.messagesPerHour[3]!);
    expect(r.summary.firmwareLog['mqtt.open_failed']).toBeGreaterThan(0);
    expect(r.summary.powerCuts).toBe(1);
  });

  it('sends fewer messages than the naive baseline, which loses the outage', () => {
    const s = r.summary;
    expect(s.baselineMessages + s.baselineLost).toBe(10 * 6 * 12);
    expect(s.baselineLost).toBeGreaterThanOrEqual(10 * 12);
    expect(s.messages).toBeLessThan(s.baselineMessages);
    expect(s.radioSecondsPerDeviceDay).toBeLessThan(s.baselineRadioSecondsPerDeviceDay);
    expect(s.batteryDaysMedian).toBeGreaterThan(s.baselineBatteryDaysMedian);
  });

  it('keeps device clocks on UTC through drift and a power cut', () => {
    expect(Math.abs(r.summary.maxClockErrorSeconds)).toBeLessThan(2);
    expect(r.summary.checkIns).toBeGreaterThan(10);
  });
});
