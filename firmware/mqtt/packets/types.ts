/**
 * The packets the client builds and reads (OASIS MQTT 3.1.1 chapter 3), as plain objects. The
 * client speaks QoS 0 and 1 only: it never publishes or subscribes at QoS 2.
 */
export type QoS = 0 | 1;

export interface Will {
  topic: string;
  payload: Uint8Array;
  qos: QoS;
  retain: boolean;
}

export interface ConnectPacket {
  type: 'connect';
  clientId: string;
  cleanSession: boolean;
  /** Seconds, 0..65535; 0 turns keep-alive off. */
  keepAliveS: number;
  will?: Will;
  username?: string;
  password?: Uint8Array;
}

export interface ConnackPacket {
  type: 'connack';
  sessionPresent: boolean;
  /** 0 accepted; 1-5 refused (section 3.2.2.3). */
  returnCode: number;
}

export interface PublishPacket {
  type: 'publish';
  topic: string;
  payload: Uint8Array;
  /** Incoming packets may carry QoS 2; the client never sends it. */
  qos: 0 | 1 | 2;
  retain: boolean;
  dup: boolean;
  /** Present exactly when qos > 0 [MQTT-2.3.1-5]. */
  packetId?: number;
}

export interface PubackPacket { type: 'puback'; packetId: number }
export interface SubscribePacket { type: 'subscribe'; packetId: number; subscriptions: ReadonlyArray<{ filter: string; qos: QoS }> }
export interface SubackPacket { type: 'suback'; packetId: number; returnCodes: number[] }
export interface UnsubscribePacket { type: 'unsubscribe'; packetId: number; filters: readonly string[] }
export interface UnsubackPacket { type: 'unsuback'; packetId: number }
export interface PingreqPacket { type: 'pingreq' }
export interface PingrespPacket { type: 'pingresp' }
export interface DisconnectPacket { type: 'disconnect' }

/** What a server may send a client (section 2.2.1 directions), as the decoder returns it. */
export type IncomingPacket = ConnackPacket | PublishPacket | PubackPacket | SubackPacket | UnsubackPacket | PingrespPacket;
