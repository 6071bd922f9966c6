/** Node ports for MQTT tests, with a socket port whose sockets the test can kill like a power cut. */
import type { Socket, SocketOptions, SocketPort } from '../../../firmware/index.js';
import { createSystemClock } from '../../../hosts/node/clock.js';
import { createMemoryLog } from '../../../hosts/node/log.js';
import { createSeededRandom } from '../../../hosts/node/random.js';
import { createNodeSocketPort } from '../../../hosts/node/socket.js';
import { createSystemTimer } from '../../../hosts/node/timer.js';

export interface KillableSocketPort extends SocketPort {
  /** Closes every open socket without a word (no DISCONNECT, no callback): the device lost power. */
  killAll(): void;
  connects: number;
  /** Bytes the device has read so far (to wait until an answer was processed). */
  bytesRead: number;
}

export function killableSocketPort(inner: SocketPort = createNodeSocketPort()): KillableSocketPort {
  const open = new Set<Socket>();
  const port: KillableSocketPort = {
    connects: 0,
    bytesRead: 0,
    connect(options: SocketOptions) {
      port.connects += 1;
      const socket = inner.connect(options);
      open.add(socket);
      return {
        read: (max) => {
          const bytes = socket.read(max);
          port.bytesRead += bytes?.length ?? 0;
          return bytes;
        },
        write: (bytes) => socket.write(bytes),
        close: () => {
          open.delete(socket);
          socket.close();
        },
      };
    },
    resolve: (host) => inner.resolve(host),
    killAll() {
      for (const s of open) s.close();
      open.clear();
    },
  };
  return port;
}

export function realPorts(seed = 1) {
  const socket = killableSocketPort();
  return { socket, timer: createSystemTimer(), clock: createSystemClock(), random: createSeededRandom(seed), log: createMemoryLog() };
}
