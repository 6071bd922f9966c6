/**
 * The narrow view of a connection that packet handlers get (as Aedes lib/handlers/ get a
 * client, but smaller): the in-flight table, pending requests, the keep-alive timer, a way to
 * send, to hand a message to the application, and to fail the connection. Handlers never see
 * the socket, the link policy or the caller's promises.
 */
import type { FirmwareError } from '../errors.js';

export interface Session {
  /** True once a CONNACK accepting the connection has been handled. */
  readonly connected: boolean;
  /** Outgoing QoS 1 publishes awaiting PUBACK: true when the id was in flight. */
  acknowledge(packetId: number): boolean;
  /** SUBSCRIBE/UNSUBSCRIBE awaiting their ack: true when the id was pending for that kind. */
  settleRequest(packetId: number, kind: 'subscribe' | 'unsubscribe', returnCodes?: readonly number[]): boolean;
  /** A PINGRESP arrived: the link is alive. */
  pingAnswered(): void;
  /** The CONNACK accepted the connection. */
  accepted(sessionPresent: boolean): void;
  /** Hands an incoming message to the application; false if the application refused it (threw). */
  deliver(topic: string, payload: Uint8Array, flags: { retain: boolean; dup: boolean }): boolean;
  send(bytes: Uint8Array): void;
  /** Ends the connection with this error (protocol violation, refused CONNACK). */
  fail(error: FirmwareError): void;
}
