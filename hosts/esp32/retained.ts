/**
 * RetainedPort on the RTC-memory buffer of native/retained.c (survives deep sleep and resets,
 * not power loss; the C side keeps a length + CRC header and drops the record after power-on).
 *
 * The buffer also carries a small host section beside the core's record: the Wi-Fi fast-path
 * cache (channel, BSSID) of hosts/esp32/wifi.ts lives there, so it is kept and lost exactly as
 * the core's state is. Frame: u8 version, u16 core length, core bytes, u8 host length, host bytes.
 */
import { FirmwareError, type RetainedPort } from '../esp32-core.js';
import type { NativeApi } from './moddable-types.js';

const FRAME_VERSION = 1;
const FRAME_OVERHEAD = 4;
/** Bytes kept for the host section (the Wi-Fi cache needs 9). */
export const HOST_RESERVE = 32;

export interface HostRetained {
  load(): Uint8Array | undefined;
  save(bytes: Uint8Array): void;
}

export interface Esp32Retained {
  /** The core's RetainedPort. */
  port: RetainedPort;
  /** The host's section of the same record. */
  host: HostRetained;
}

export function createEsp32Retained(native: () => NativeApi): Esp32Retained {
  let loaded = false;
  let core: Uint8Array | undefined;
  let host: Uint8Array | undefined;
  let total = 0;

  function ensureLoaded(): void {
    if (loaded) return;
    const n = native();
    total = n.sn_retained_capacity();
    const buffer = new ArrayBuffer(total);
    const length = n.sn_retained_read(buffer, total);
    loaded = true;
    if (length < FRAME_OVERHEAD) return; // none (-1), or not a frame of ours
    const bytes = new Uint8Array(buffer, 0, length);
    const coreLength = bytes[1]! | (bytes[2]! << 8);
    if (bytes[0] !== FRAME_VERSION || 3 + coreLength + 1 > length) return;
    const hostLength = bytes[3 + coreLength]!;
    if (4 + coreLength + hostLength !== length) return;
    core = bytes.slice(3, 3 + coreLength);
    host = hostLength === 0 ? undefined : bytes.slice(4 + coreLength, 4 + coreLength + hostLength);
  }

  function store(): void {
    const coreBytes = core ?? new Uint8Array(0);
    const hostBytes = host ?? new Uint8Array(0);
    const frame = new Uint8Array(FRAME_OVERHEAD + coreBytes.length + hostBytes.length);
    frame[0] = FRAME_VERSION;
    frame[1] = coreBytes.length & 0xff;
    frame[2] = coreBytes.length >> 8;
    frame.set(coreBytes, 3);
    frame[3 + coreBytes.length] = hostBytes.length;
    frame.set(hostBytes, 4 + coreBytes.length);
    if (native().sn_retained_write(frame.buffer, frame.length) !== 0) {
      throw new FirmwareError('ERR_RETAINED_TOO_LARGE', `${frame.length} > ${total} bytes`);
    }
  }

  const capacityOfCore = (): number => {
    ensureLoaded();
    return Math.max(0, total - FRAME_OVERHEAD - HOST_RESERVE);
  };

  return {
    port: {
      get capacity() {
        return capacityOfCore();
      },
      load() {
        ensureLoaded();
        return core === undefined ? undefined : core.slice();
      },
      save(bytes) {
        if (!(bytes instanceof Uint8Array)) throw new FirmwareError('ERR_ARGUMENT', 'retained.save expects a Uint8Array');
        const capacity = capacityOfCore();
        if (bytes.length > capacity) throw new FirmwareError('ERR_RETAINED_TOO_LARGE', `${bytes.length} > ${capacity} bytes`);
        core = bytes.slice();
        store();
      },
    },
    host: {
      load() {
        ensureLoaded();
        return host === undefined ? undefined : host.slice();
      },
      save(bytes) {
        if (bytes.length > HOST_RESERVE) throw new FirmwareError('ERR_RETAINED_TOO_LARGE', `host section ${bytes.length} > ${HOST_RESERVE} bytes`);
        ensureLoaded();
        host = bytes.length === 0 ? undefined : bytes.slice();
        store();
      },
    },
  };
}

/**
 * The host section shared by several small records (the Wi-Fi cache, the provisioning backoff):
 * u8 length then bytes, per slot, in order. A slot saved empty reads as undefined.
 */
export function hostSlots(host: HostRetained, count: number): HostRetained[] {
  const read = (): Uint8Array[] => {
    const bytes = host.load();
    const out: Uint8Array[] = [];
    let at = 0;
    for (let i = 0; i < count; i++) {
      const length = bytes !== undefined && at < bytes.length ? bytes[at]! : 0;
      out.push(bytes === undefined || at + 1 + length > bytes.length ? new Uint8Array(0) : bytes.slice(at + 1, at + 1 + length));
      at += 1 + length;
    }
    return out;
  };
  return Array.from({ length: count }, (_, index): HostRetained => ({
    load() {
      const slot = read()[index]!;
      return slot.length === 0 ? undefined : slot;
    },
    save(bytes) {
      const slots = read();
      slots[index] = bytes.slice();
      const frame = new Uint8Array(slots.reduce((n, s) => n + 1 + s.length, 0));
      let at = 0;
      for (const s of slots) {
        if (s.length > 0xff) throw new FirmwareError('ERR_RETAINED_TOO_LARGE', `host slot of ${s.length} bytes`);
        frame[at] = s.length;
        frame.set(s, at + 1);
        at += 1 + s.length;
      }
      host.save(frame);
    },
  }));
}
