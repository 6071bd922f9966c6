/**
 * The baseline the report compares against: a naive fixed-interval JSON publisher, as ESPHome
 * (`update_interval` + deep sleep) or Tasmota (`TelePeriod 300`) do it. Every period the node
 * wakes, reads its sensors, joins Wi-Fi (no cached channel unless `fastJoin`), connects MQTT,
 * publishes ONE JSON message with names, values and an ISO time, disconnects and sleeps. It has
 * no outbox: a period whose broker or Wi-Fi is down loses its message.
 *
 * It is modelled, not run: the bytes are the exact MQTT 3.1.1 packet sizes (section 2-3 of the
 * OASIS spec), the time and charge come from the same energy model as the simulated devices.
 */
import { addActivity, chargeMah, emptyActivity, type EnergyAssumptions, type WakeActivity } from './energy.js';
import type { SensorValues } from './inputs/models.js';

export interface BaselineOptions {
  /** Telemetry period (default 300 s, Tasmota's TelePeriod default and a common ESPHome interval). */
  periodMs: number;
  qos: 0 | 1;
  /** Join with a cached channel/BSSID (ESPHome `fast_connect`); default false. */
  fastJoin: boolean;
}

export const DEFAULT_BASELINE: Readonly<BaselineOptions> = Object.freeze({ periodMs: 300_000, qos: 1, fastJoin: false });

/** Bytes of the MQTT "remaining length" field (OASIS MQTT 3.1.1 section 2.2.3). */
export function remainingLengthBytes(n: number): number {
  return n < 128 ? 1 : n < 16_384 ? 2 : n < 2_097_152 ? 3 : 4;
}

const utf8Length = (s: string): number => Buffer.byteLength(s, 'utf8');

/** CONNECT with client id, user name and password, clean session, keep-alive (section 3.1). */
export function connectBytes(clientId: string, username: string, password: string): number {
  const remaining = 10 + 2 + utf8Length(clientId) + 2 + utf8Length(username) + 2 + utf8Length(password);
  return 1 + remainingLengthBytes(remaining) + remaining;
}

/** PUBLISH (section 3.3): topic, packet identifier at QoS 1, payload. */
export function publishBytes(topic: string, payloadBytes: number, qos: 0 | 1): number {
  const remaining = 2 + utf8Length(topic) + (qos === 1 ? 2 : 0) + payloadBytes;
  return 1 + remainingLengthBytes(remaining) + remaining;
}

export const CONNACK_BYTES = 4;
export const PUBACK_BYTES = 4;
export const DISCONNECT_BYTES = 2;

/** The JSON a naive node publishes (Tasmota tele/<id>/SENSOR style). */
export function baselinePayload(timeMs: number, values: SensorValues, batteryVolts: number): string {
  const body: Record<string, string | number> = { time: new Date(timeMs).toISOString().replace('.000Z', 'Z') };
  if (values.temperature !== undefined) body['temperature'] = Math.round(values.temperature * 10) / 10;
  if (values.humidity !== undefined) body['humidity'] = Math.round(values.humidity * 10) / 10;
  if (values.pressure !== undefined) body['pressure'] = Math.round(values.pressure);
  body['battery'] = Math.round(batteryVolts * 100) / 100;
  return JSON.stringify(body);
}

export interface BaselineDevice {
  deviceId: string;
  /** Values at true UTC ms (the device's inputs). */
  sample(t: number): SensorValues;
  /** First wake (true UTC ms). */
  phaseMs: number;
  batteryVolts: number;
  /** True while this device can reach the broker (no broker outage, Wi-Fi up). */
  brokerUp(t: number): boolean;
  wifiUp(t: number): boolean;
}

export interface BaselineResult {
  messages: number;
  /** Messages that never arrived (broker or Wi-Fi down in their period). */
  lost: number;
  bytes: number;
  activity: WakeActivity;
  mah: number;
  /** Delivered messages per hour of the run. */
  perHour: number[];
}

/** One device's baseline over [startMs, startMs + spanMs). */
export function simulateBaseline(device: BaselineDevice, startMs: number, spanMs: number, options: BaselineOptions, energy: EnergyAssumptions): BaselineResult {
  const hours = Math.ceil(spanMs / 3_600_000);
  const perHour = new Array<number>(hours).fill(0);
  const activity = emptyActivity();
  const topic = `tele/${device.deviceId}/SENSOR`;
  const connect = connectBytes(device.deviceId, device.deviceId, 'x'.repeat(24));
  let messages = 0;
  let lost = 0;
  let bytes = 0;
  for (let t = startMs + device.phaseMs; t < startMs + spanMs; t += options.periodMs) {
    const wake = emptyActivity();
    wake.boots = 1;
    wake.cycles = 1;
    const values = device.sample(t);
    if (!device.wifiUp(t)) {
      wake.joinsFailed = 1;
      lost++;
    } else {
      if (options.fastJoin) wake.joinsCached = 1;
      else wake.joinsFull = 1;
      wake.connects = 1;
      if (!device.brokerUp(t)) {
        lost++; // connection refused: nothing is kept for later
      } else {
        const payload = utf8Length(baselinePayload(t, values, device.batteryVolts));
        const b = connect + CONNACK_BYTES + publishBytes(topic, payload, options.qos) + (options.qos === 1 ? PUBACK_BYTES : 0) + DISCONNECT_BYTES;
        wake.bytes = b;
        bytes += b;
        messages++;
        perHour[Math.floor((t - startMs) / 3_600_000)]! += 1;
      }
    }
    addActivity(activity, wake);
  }
  return { messages, lost, bytes, activity, mah: chargeMah(activity, spanMs, energy).mah, perHour };
}
