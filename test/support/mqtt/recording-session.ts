import type { FirmwareError } from '../../../firmware/index.js';
import type { Session } from '../../../firmware/mqtt/session.js';

/** A Session that records what handlers do, for handler unit tests. */
export class RecordingSession implements Session {
  connected: boolean;
  readonly refuse: boolean;
  readonly sent: Uint8Array[] = [];
  readonly failures: FirmwareError[] = [];
  readonly delivered: Array<{ topic: string; payload: Uint8Array; retain: boolean; dup: boolean }> = [];
  readonly acknowledged: number[] = [];
  readonly inflight = new Set<number>();
  readonly pending = new Map<number, 'subscribe' | 'unsubscribe'>();
  readonly settled: Array<{ id: number; kind: string; codes: readonly number[] | undefined }> = [];
  acceptedWith: boolean | undefined;
  pings = 0;

  constructor(options: { connected?: boolean; refuse?: boolean } = {}) {
    this.connected = options.connected ?? true;
    this.refuse = options.refuse ?? false;
  }

  acknowledge(packetId: number): boolean {
    this.acknowledged.push(packetId);
    return this.inflight.delete(packetId);
  }

  settleRequest(packetId: number, kind: 'subscribe' | 'unsubscribe', returnCodes?: readonly number[]): boolean {
    if (this.pending.get(packetId) !== kind) return false;
    this.pending.delete(packetId);
    this.settled.push({ id: packetId, kind, codes: returnCodes });
    return true;
  }

  pingAnswered(): void {
    this.pings += 1;
  }

  accepted(sessionPresent: boolean): void {
    this.connected = true;
    this.acceptedWith = sessionPresent;
  }

  deliver(topic: string, payload: Uint8Array, flags: { retain: boolean; dup: boolean }): boolean {
    if (this.refuse) return false;
    this.delivered.push({ topic, payload, ...flags });
    return true;
  }

  send(bytes: Uint8Array): void {
    this.sent.push(bytes);
  }

  fail(error: FirmwareError): void {
    this.failures.push(error);
  }
}
