/**
 * Logic mode: the network modelled in memory, for fleet-size runs (10,000 devices). The device
 * core is unchanged (the same wake cycle, outbox, Uplink and backoff); only what sits behind
 * its MQTT link and check-in client is a model:
 *
 * - MemoryLink implements the uplink's link interface (UplinkLink): open() succeeds when the
 *   modelled broker is up and the device's Wi-Fi joins, and fails otherwise with the
 *   firmware's own Backoff (full jitter, or its ceiling with jitter off), exactly as the real
 *   link's open/retryDelayMs/snapshot do; publish() hands the pack to the modelled broker,
 *   which gives it to the consumer's de-duplication (sim/net/consumer.ts receivePack) at once.
 * - the check-in model answers with the device's true time (and nothing to update).
 * Bytes are the MQTT 3.1.1 packet sizes (as the baseline counts them) and a typical HTTP
 * exchange, so logic and full-stack runs report comparable traffic.
 */
import {
  Backoff, FirmwareError, encodeCheckIn, encodeCheckInAnswer,
  type CheckInAnswer, type CheckInRequest, type RandomPort, type UplinkLink,
} from '../../firmware/index.js';
import { CONNACK_BYTES, DISCONNECT_BYTES, PUBACK_BYTES, connectBytes, publishBytes } from '../baseline.js';
import type { Radio } from '../device/radio.js';
import { receivePack, type ReceivedLog } from '../net/received.js';

export interface BrokerModel {
  up: boolean;
  readonly received: ReceivedLog;
}

export function createBrokerModel(received: ReceivedLog): BrokerModel {
  return { up: true, received };
}

const SNAPSHOT_VERSION = 1;
/** A typical HTTP/1.1 request and response head of the check-in (bytes). */
export const HTTP_HEAD_BYTES = 420;

export class MemoryLink implements UplinkLink {
  readonly window = 8;
  readonly #broker: BrokerModel;
  readonly #radio: Radio;
  readonly #backoff: Backoff;
  readonly #deviceId: string;
  readonly #connect: number;
  #open = false;
  #retryDelayMs = 0;

  constructor(deviceId: string, broker: BrokerModel, radio: Radio, random: RandomPort, backoff: { baseMs: number; capMs: number }) {
    this.#deviceId = deviceId;
    this.#broker = broker;
    this.#radio = radio;
    this.#backoff = new Backoff(backoff, random);
    this.#connect = connectBytes(deviceId, deviceId, 'x'.repeat(24));
  }

  async open(context: { deadlineMs: number; status: Uint8Array }): Promise<boolean> {
    if (this.#open) return true;
    if (this.#radio.join()) {
      this.#radio.counters.connects.mqtt++;
      if (this.#broker.up) {
        this.#radio.counters.bytes.mqtt += this.#connect + CONNACK_BYTES;
        this.#open = true;
        this.#backoff.reset();
        this.#retryDelayMs = 0;
        // The retained birth (QoS 1), as the real link publishes on every connect.
        await this.publish(`${this.#deviceId}/status`, context.status, { retain: true });
        return true;
      }
    }
    this.#retryDelayMs = this.#backoff.next();
    return false;
  }

  async publish(topic: string, payload: Uint8Array, options: { retain?: boolean } = {}): Promise<void> {
    if (!this.#open) throw new FirmwareError('ERR_MQTT_CLOSED', 'link is not open');
    this.#radio.counters.bytes.mqtt += publishBytes(topic, payload.length, 1) + PUBACK_BYTES;
    // Births are retained on the status topic, which the consumer does not read.
    if (options.retain !== true) receivePack(this.#broker.received, this.#deviceId, payload);
  }

  async close(): Promise<void> {
    if (this.#open) this.#radio.counters.bytes.mqtt += DISCONNECT_BYTES;
    this.#open = false;
  }

  retryDelayMs(): number {
    return this.#retryDelayMs;
  }

  snapshot(): Uint8Array {
    const b = this.#backoff.snapshot();
    const out = new Uint8Array(2 + b.length);
    out[0] = SNAPSHOT_VERSION;
    out[1] = 0;
    out.set(b, 2);
    return out;
  }

  restore(bytes: Uint8Array): void {
    if (!(bytes instanceof Uint8Array) || bytes.length !== 4 || bytes[0] !== SNAPSHOT_VERSION) throw new FirmwareError('ERR_STATE_CORRUPT', 'link snapshot');
    this.#backoff.restore(bytes.subarray(2));
  }
}

export interface CheckInModel {
  up: boolean;
  checkIns: number;
}

/** A check-in through the modelled server: the answer is the device's true time. */
export async function modelCheckIn(model: CheckInModel, radio: Radio, request: CheckInRequest, trueNowMs: number): Promise<CheckInAnswer> {
  if (!radio.join()) throw new FirmwareError('ERR_SOCKET_CONNECT', 'no network: Wi-Fi did not join (simulated)');
  radio.counters.connects.http++;
  if (!model.up) throw new FirmwareError('ERR_SOCKET_CONNECT', 'server down (simulated)');
  model.checkIns++;
  const answer: CheckInAnswer = { serverTimeMs: Math.round(trueNowMs) };
  radio.counters.bytes.http += HTTP_HEAD_BYTES + encodeCheckIn(request, 'cbor').length + encodeCheckInAnswer(answer, 'cbor').length;
  return answer;
}
