/**
 * The device's radio as the energy model sees it: a SocketPort wrapper that joins Wi-Fi at the
 * first connection of a wake (fast with the channel/BSSID cached in RTC memory, slow without,
 * failing when the device's Wi-Fi is down), and counts connections and bytes per channel
 * (MQTT, HTTP check-in, OTA download). The firmware sees an ordinary SocketPort; with Wi-Fi
 * down every connect fails with ERR_SOCKET_CONNECT, after connect() has returned (the port
 * contract: no callback inside connect).
 *
 * Pure code (Promise jobs, no timers): runs on Node and in XS.
 */
import { FirmwareError, type Socket, type SocketOptions, type SocketPort } from '../../firmware/index.js';

export type TrafficChannel = 'mqtt' | 'http' | 'ota';

export interface RadioCounters {
  joinsCached: number;
  joinsFull: number;
  joinsFailed: number;
  connects: Record<TrafficChannel, number>;
  bytes: Record<TrafficChannel, number>;
}

export function emptyCounters(): RadioCounters {
  return { joinsCached: 0, joinsFull: 0, joinsFailed: 0, connects: { mqtt: 0, http: 0, ota: 0 }, bytes: { mqtt: 0, http: 0, ota: 0 } };
}

export class Radio {
  wifiUp = true;
  /** Channel and BSSID cached in RTC memory: lost with power, dropped after a failed join. */
  cacheValid = false;
  #joined: boolean | undefined;
  counters: RadioCounters = emptyCounters();

  /** A new wake: the radio is off until a connection needs it. */
  beginWake(wifiUp: boolean): void {
    this.wifiUp = wifiUp;
    this.#joined = undefined;
  }

  powerLoss(): void {
    this.cacheValid = false;
    this.#joined = undefined;
  }

  /** Joins once per wake; true when the network is there. */
  join(): boolean {
    if (this.#joined !== undefined) return this.#joined;
    if (!this.wifiUp) {
      this.counters.joinsFailed++;
      this.cacheValid = false;
      this.#joined = false;
    } else {
      if (this.cacheValid) this.counters.joinsCached++;
      else this.counters.joinsFull++;
      this.cacheValid = true;
      this.#joined = true;
    }
    return this.#joined;
  }

  /** Takes this wake's counters and starts new ones. */
  take(): RadioCounters {
    const c = this.counters;
    this.counters = emptyCounters();
    return c;
  }
}

class UnreachableSocket implements Socket {
  #closed = false;
  constructor(options: SocketOptions, why: string) {
    void Promise.resolve().then(() => {
      if (!this.#closed) options.onError?.(new FirmwareError('ERR_SOCKET_CONNECT', why));
    });
  }

  read(): Uint8Array | undefined {
    return undefined;
  }

  write(): number {
    throw new FirmwareError('ERR_SOCKET_NOT_CONNECTED', 'no network');
  }

  close(): void {
    this.#closed = true;
  }
}

/**
 * A SocketPort through `radio`; `channel` names the traffic of a destination port. `refuse`
 * makes connections to some ports fail as if nothing answered (a broken image's client).
 */
export function radioSocket(inner: SocketPort, radio: Radio, channel: (port: number) => TrafficChannel, refuse?: (port: number) => boolean): SocketPort {
  return {
    connect(options: SocketOptions): Socket {
      if (!radio.join()) return new UnreachableSocket(options, 'no network: Wi-Fi did not join (simulated)');
      if (refuse?.(options.port) === true) {
        radio.counters.connects[channel(options.port)]++;
        return new UnreachableSocket(options, 'no answer (simulated: this image cannot reach the broker)');
      }
      const ch = channel(options.port);
      radio.counters.connects[ch]++;
      const socket = inner.connect(options);
      return {
        read(max?: number) {
          const bytes = socket.read(max);
          if (bytes !== undefined) radio.counters.bytes[ch] += bytes.length;
          return bytes;
        },
        write(bytes: Uint8Array) {
          const left = socket.write(bytes);
          radio.counters.bytes[ch] += bytes.length;
          return left;
        },
        close: () => socket.close(),
      };
    },
    resolve(host: string): Promise<string> {
      if (!radio.join()) return Promise.reject(new FirmwareError('ERR_DNS', `${host}: no network (simulated)`));
      return inner.resolve(host);
    },
  };
}
