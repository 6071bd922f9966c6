/**
 * Session state the client keeps (OASIS MQTT 3.1.1 section 4.1): QoS 1 messages sent but not
 * yet acknowledged, in their original order, in a bounded window, plus the packet identifiers
 * in use. The table outlives a connection so that a reconnect can resend them.
 */
import { FirmwareError } from '../errors.js';

/** Packet identifiers: non-zero [MQTT-2.3.1-1], never one still in use [MQTT-2.3.1-2]. */
export class PacketIds {
  readonly #used = new Set<number>();
  #next = 1;

  allocate(): number {
    if (this.#used.size >= 0xffff) throw new FirmwareError('ERR_MQTT_INFLIGHT_FULL', 'all packet identifiers in use');
    while (this.#used.has(this.#next)) this.#next = (this.#next % 0xffff) + 1;
    const id = this.#next;
    this.#used.add(id);
    this.#next = (this.#next % 0xffff) + 1;
    return id;
  }

  release(id: number): void {
    this.#used.delete(id);
  }

  inUse(id: number): boolean {
    return this.#used.has(id);
  }
}

export interface InflightMessage {
  readonly packetId: number;
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly retain: boolean;
  /** Written to a connection at least once: a resend carries DUP [MQTT-3.3.1-1]. */
  sent: boolean;
}

interface Entry extends InflightMessage {
  resolve(): void;
  reject(error: Error): void;
}

export class InflightTable {
  readonly window: number;
  readonly ids: PacketIds;
  // A Map iterates in insertion order: the original order for resending [MQTT-4.6.0-1].
  readonly #entries = new Map<number, Entry>();

  constructor(window: number, ids: PacketIds = new PacketIds()) {
    if (!Number.isInteger(window) || window < 1 || window > 0xffff) throw new FirmwareError('ERR_CONFIG_INVALID', `in-flight window ${window}`);
    this.window = window;
    this.ids = ids;
  }

  get size(): number {
    return this.#entries.size;
  }

  /**
   * Takes a slot; the promise settles on PUBACK or rejectAll(). Throws ERR_MQTT_INFLIGHT_FULL
   * when the window is full, unless `overWindow` (one internal message such as the birth).
   */
  add(topic: string, payload: Uint8Array, retain: boolean, overWindow = false): { message: InflightMessage; done: Promise<void> } {
    if (this.#entries.size >= this.window && !(overWindow && this.#entries.size < this.window + 1)) {
      throw new FirmwareError('ERR_MQTT_INFLIGHT_FULL', `${this.#entries.size} of ${this.window} in flight`);
    }
    const packetId = this.ids.allocate();
    let entry!: Entry;
    const done = new Promise<void>((resolve, reject) => {
      entry = { packetId, topic, payload, retain, sent: false, resolve, reject };
    });
    this.#entries.set(packetId, entry);
    return { message: entry, done };
  }

  /** PUBACK for `packetId`: settles and frees the slot; false for an id not in flight. */
  acknowledge(packetId: number): boolean {
    const entry = this.#entries.get(packetId);
    if (entry === undefined) return false;
    this.#entries.delete(packetId);
    this.ids.release(packetId);
    entry.resolve();
    return true;
  }

  /** The messages in original order (a snapshot: safe to iterate while sending). */
  messages(): InflightMessage[] {
    return Array.from(this.#entries.values());
  }

  rejectAll(error: Error): void {
    const entries = Array.from(this.#entries.values());
    this.#entries.clear();
    for (const e of entries) {
      this.ids.release(e.packetId);
      e.reject(error);
    }
  }
}
