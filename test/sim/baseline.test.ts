import { describe, expect, it } from 'vitest';
import {
  baselinePayload, CONNACK_BYTES, connectBytes, DEFAULT_BASELINE, DISCONNECT_BYTES, PUBACK_BYTES, publishBytes, remainingLengthBytes, simulateBaseline,
} from '../../sim/baseline.js';
import { chargeMah, DEFAULT_ENERGY } from '../../sim/energy.js';

const T0 = Date.UTC(2026, 0, 5);
const HOUR = 3_600_000;
const values = { temperature: 21.53, humidity: 45.04, pressure: 101_325.4 };

describe('naive fixed-interval JSON baseline', () => {
  it('MQTT 3.1.1 packet sizes by hand', () => {
    expect(remainingLengthBytes(127)).toBe(1);
    expect(remainingLengthBytes(128)).toBe(2);
    expect(remainingLengthBytes(16_383)).toBe(2);
    expect(remainingLengthBytes(16_384)).toBe(3);
    // 10 (variable header) + (2 + 8) + (2 + 8) + (2 + 24) = 56 remaining, + 2 fixed header.
    expect(connectBytes('dev-0001', 'dev-0001', 'x'.repeat(24))).toBe(58);
    // topic 20 chars: 2 + 20 + 2 (packet id) + 95 payload = 119 remaining, + 2.
    expect(publishBytes('tele/dev-0001/SENSOR', 95, 1)).toBe(121);
    expect(publishBytes('tele/dev-0001/SENSOR', 95, 0)).toBe(119);
  });

  it('publishes one JSON message with names, values and ISO time', () => {
    const json = baselinePayload(T0, values, 3.91);
    expect(JSON.parse(json)).toEqual({ time: '2026-01-05T00:00:00Z', temperature: 21.5, humidity: 45, pressure: 101_325, battery: 3.91 });
  });

  it('every 300 s, a full Wi-Fi join each time, bytes and charge by hand', () => {
    const device = { deviceId: 'dev-0001', sample: () => values, phaseMs: 0, batteryVolts: 3.91, brokerUp: () => true, wifiUp: () => true };
    const r = simulateBaseline(device, T0, HOUR, DEFAULT_BASELINE, DEFAULT_ENERGY);
    expect(r.messages).toBe(12);
    expect(r.lost).toBe(0);
    expect(r.perHour).toEqual([12]);
    const payload = Buffer.byteLength(baselinePayload(T0, values, 3.91));
    const perMessage = 58 + CONNACK_BYTES + publishBytes('tele/dev-0001/SENSOR', payload, 1) + PUBACK_BYTES + DISCONNECT_BYTES;
    expect(r.bytes).toBe(12 * perMessage);
    expect(r.activity).toMatchObject({ boots: 12, cycles: 12, joinsFull: 12, joinsCached: 0, connects: 12, bytes: 12 * perMessage });
    // 12 x (2500 + 60 + bytes/125) ms radio at 120 mA, 12 x 280 ms CPU at 40 mA, the rest asleep.
    const radio = 12 * (2560 + perMessage / 125);
    const cpu = 12 * 280;
    expect(r.mah).toBeCloseTo((radio * 120 + cpu * 40 + (HOUR - radio - cpu) * 0.01) / 3_600_000, 12);
    expect(r.mah).toBeCloseTo(chargeMah(r.activity, HOUR).mah, 12);
  });

  it('loses the messages of periods without broker or Wi-Fi (it has no outbox)', () => {
    const device = {
      deviceId: 'dev-0001', sample: () => values, phaseMs: 60_000, batteryVolts: 3.9,
      brokerUp: (t: number) => t < T0 + HOUR || t >= T0 + 2 * HOUR,
      wifiUp: (t: number) => t < T0 + 150 * 60_000,
    };
    const r = simulateBaseline(device, T0, 3 * HOUR, { ...DEFAULT_BASELINE, fastJoin: true }, DEFAULT_ENERGY);
    expect(r.messages + r.lost).toBe(36);
    expect(r.perHour).toEqual([12, 0, 6]);
    expect(r.lost).toBe(18);
    expect(r.activity.joinsFailed).toBe(6);
    expect(r.activity.joinsCached).toBe(30);
  });
});
