/**
 * Fakes of the Moddable modules and native calls the ESP32 host uses, each behaving as the ESP32
 * implementation does (see hosts/esp32/moddable-types.ts for the behaviour they copy): NVS
 * key-value storage, embedded:storage/flash over the node flash model, the native functions
 * (RTC record, reset reason, sleep, OTA state with ESP-IDF's otadata rules), lwIP TCP over
 * node:net, Moddable's WiFi object, Time and Timer, crypt's Digest over node:crypto.
 */
import { createHash, type Hash } from 'node:crypto';
import net from 'node:net';
import type { FirmwareSlotsPort } from '../../firmware/index.js';
import { markActiveInvalid, markActiveValid, readOtadata, rollbackPossible, setBootSlot } from '../../firmware/ota/otadata.js';
import { selectBootSlot } from '../../firmware/ota/boot.js';
import { FlashFirmwareSlots } from '../../hosts/node/firmware-slots.js';
import type { SimFlash } from '../../hosts/node/flash.js';
import type {
  Digest, FlashPartition, FlashStorage, KeyValueStorage, KeyValueStore, NativeApi, TcpOptions, TcpSocket, TimeModule, TimerModule,
  WiFiInterface,
} from '../../hosts/esp32/moddable-types.js';

const view = (buffer: ArrayBuffer | ArrayBufferView): Uint8Array =>
  buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);

/** NVS as storage-esp32.c presents it: namespaces of blobs, keys up to 15 characters. */
export class FakeNvs implements KeyValueStorage {
  readonly namespaces = new Map<string, Map<string, Uint8Array | string>>();
  commits = 0;

  open(options: { path: string; mode?: 'r' | 'r+'; format?: 'buffer' }): KeyValueStore {
    const name = options.path.replace(/\/$/, '');
    if (name.length === 0 || name.length > 15) throw new Error('ESP_ERR_NVS_KEY_TOO_LONG');
    let ns = this.namespaces.get(name);
    if (ns === undefined) {
      if (options.mode === 'r') throw new Error('ESP_ERR_NVS_NOT_FOUND');
      ns = new Map();
      this.namespaces.set(name, ns);
    }
    const store = ns;
    const check = (key: string): void => {
      if (key.length === 0 || key.length > 15) throw new Error('ESP_ERR_NVS_KEY_TOO_LONG');
    };
    return {
      read: (key) => {
        check(key);
        const v = store.get(key);
        if (v === undefined) return undefined;
        if (typeof v === 'string') throw new TypeError('mismatch');
        return v.slice().buffer;
      },
      write: (key, value) => {
        check(key);
        store.set(key, view(value).slice());
        this.commits++;
      },
      delete: (key) => {
        check(key);
        store.delete(key);
        this.commits++;
      },
      [Symbol.iterator]: () => [...store.keys()][Symbol.iterator](),
      close: () => undefined,
    };
  }
}

/**
 * embedded:storage/flash over the node flash model: "running" and "nextota" open the app
 * slots; a label opens data partitions only (flash-esp32.c searches ESP_PARTITION_TYPE_DATA).
 */
export function fakeFlashStorage(sim: SimFlash, running: () => number): FlashStorage & { [Symbol.iterator](): Iterator<string> } {
  return {
    open({ path, mode }) {
      const isApp = (label: string): boolean => /^ota_\d+$/.test(label);
      let label: string;
      if (path === 'running') label = `ota_${running()}`;
      else if (path === 'nextota') label = `ota_${running() === 0 ? 1 : 0}`;
      else if (isApp(path) || !sim.labels().includes(path)) throw new Error("can't find partition");
      else label = path;
      const area = sim.area(label);
      const readOnly = mode === 'r';
      const partition: FlashPartition = {
        read: (byteLength, byteOffset) => area.read(byteOffset, byteLength).slice().buffer,
        write(buffer, byteOffset) {
          if (readOnly) throw new Error('read-only');
          area.write(byteOffset, view(buffer).slice());
        },
        eraseBlock(start, end = start + 1) {
          if (readOnly) throw new Error('read-only');
          area.erase(start * area.eraseSize(), (end - start) * area.eraseSize());
        },
        status: () => ({ size: area.size(), blockLength: area.eraseSize(), blocks: area.size() / area.eraseSize() }),
        close: () => undefined,
      };
      return partition;
    },
    [Symbol.iterator]: () => sim.labels()[Symbol.iterator](),
  };
}

export interface SleepRecord {
  timerMs?: number;
  pins: Array<{ pin: number; level: number }>;
  masks: Array<{ low: number; high: number; level: number }>;
  slept: number;
}

/** esp_reset_reason_t values. */
export const RST = Object.freeze({ POWERON: 1, SW: 3, PANIC: 4, TASK_WDT: 6, DEEPSLEEP: 8, BROWNOUT: 9 });

/**
 * The native functions of hosts/esp32/native/*.c. The RTC record keeps the C rules: gone after
 * power-on or brown-out, kept otherwise. OTA calls follow ESP-IDF over the node flash model.
 */
export class FakeNative implements NativeApi {
  resetReason: number = RST.DEEPSLEEP;
  wakeCauses = 1;
  readonly capacity: number;
  #record: Uint8Array | undefined;
  readonly sleep: SleepRecord = { pins: [], masks: [], slept: 0 };
  /** Calls to the Wi-Fi natives, for assertions. */
  readonly wifiCalls: Array<{ fn: string; args: unknown[] }> = [];
  /** What sn_wifi_connect_bssid does (the test wires it to the fake WiFi). */
  onConnectBssid: (ssid: string, password: string, bssid: Uint8Array, channel: number) => number = () => 0;
  apInfo: { bssid: number[]; channel: number; rssi: number } | undefined = { bssid: [1, 2, 3, 4, 5, 6], channel: 6, rssi: -60 };
  #random = 0x12345678;
  ota: { sim: SimFlash; running: 0 | 1 } | undefined;

  constructor(capacity = 2048) {
    this.capacity = capacity;
  }

  /** Power cut: the RTC record is lost, the next boot says power-on. */
  powerCut(): void {
    this.#record = undefined;
    this.resetReason = RST.POWERON;
  }

  sn_sleep_wake_timer(ms: number): number {
    this.sleep.timerMs = ms;
    return 0;
  }
  sn_sleep_wake_pin(pin: number, level: number): number {
    if (pin > 21) return 0x102;
    this.sleep.pins.push({ pin, level });
    return 0;
  }
  sn_sleep_wake_pins(low: number, high: number, level: number): number {
    this.sleep.masks.push({ low, high, level });
    return 0;
  }
  sn_deep_sleep(): void {
    this.sleep.slept++;
  }
  sn_wake_causes(): number {
    return this.wakeCauses;
  }
  sn_reset_reason(): number {
    return this.resetReason;
  }
  sn_random(): number {
    // xorshift32: deterministic for tests.
    let x = this.#random;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#random = x >>> 0;
    return this.#random;
  }
  sn_retained_capacity(): number {
    return this.capacity;
  }
  sn_retained_read(buffer: ArrayBuffer, length: number): number {
    if (this.#record === undefined) return -1;
    if (this.#record.length > length) return -2;
    new Uint8Array(buffer).set(this.#record);
    return this.#record.length;
  }
  sn_retained_write(buffer: ArrayBuffer, length: number): number {
    if (length > this.capacity) return -1;
    this.#record = new Uint8Array(buffer, 0, length).slice();
    return 0;
  }
  sn_retained_clear(): void {
    this.#record = undefined;
  }

  #slots(): FlashFirmwareSlots {
    if (this.ota === undefined) throw new Error('no OTA flash in this fake');
    return new FlashFirmwareSlots(this.ota.sim, this.ota.running);
  }
  sn_ota_running_slot(): number {
    return this.ota?.running ?? 0;
  }
  sn_ota_running_label(): string {
    return `ota_${this.sn_ota_running_slot()}`;
  }
  sn_ota_running_state(): number {
    const entry = this.#slots().entry(this.ota!.running);
    if (entry === undefined) return -2;
    return ['new', 'pending-verify', 'valid', 'invalid', 'aborted'].indexOf(entry.state);
  }
  sn_ota_activate_next(): number {
    const next = this.ota!.running === 0 ? 1 : 0;
    // ESP-IDF validates the image first: the fake checks the image magic.
    if (this.ota!.sim.area(`ota_${next}`).read(0, 1)[0] !== 0xe9) return 0x1503;
    setBootSlot(this.ota!.sim.area('otadata'), next, 2);
    return 0;
  }
  sn_ota_mark_valid(): number {
    try {
      markActiveValid(this.ota!.sim.area('otadata'));
      return 0;
    } catch {
      return -1;
    }
  }
  sn_ota_mark_invalid(): number {
    try {
      markActiveInvalid(this.ota!.sim.area('otadata'));
      return 0;
    } catch {
      return 0x1505;
    }
  }
  sn_ota_rollback_possible(): number {
    return rollbackPossible(this.ota!.sim.area('otadata')) ? 1 : 0;
  }
  sn_wifi_connect_bssid(ssid: string, password: string, bssid: ArrayBuffer, channel: number): number {
    this.wifiCalls.push({ fn: 'connect_bssid', args: [ssid, password, [...new Uint8Array(bssid)], channel] });
    return this.onConnectBssid(ssid, password, new Uint8Array(bssid), channel);
  }
  sn_wifi_ap_info(out: ArrayBuffer): number {
    if (this.apInfo === undefined) return 0x3001;
    const bytes = new Uint8Array(out);
    bytes.set(this.apInfo.bssid, 0);
    bytes[6] = this.apInfo.channel;
    bytes[7] = this.apInfo.rssi & 0xff;
    return 0;
  }
  sn_wifi_static_ip(address: string, netmask: string, gateway: string, dns: string): number {
    this.wifiCalls.push({ fn: 'static_ip', args: [address, netmask, gateway, dns] });
    return 0;
  }
}

/** Boots the node flash model like the ESP-IDF bootloader and points the fake native at the slot. */
export function bootFake(native: FakeNative, sim: SimFlash): FirmwareSlotsPort {
  const decision = selectBootSlot(sim.area('otadata'), (slot) => sim.area(slot === 0 ? 'ota_0' : 'ota_1').read(0, 1)[0] === 0xe9);
  if (decision.slot === undefined) throw new Error('no bootable slot');
  native.ota = { sim, running: decision.slot };
  return new FlashFirmwareSlots(sim, decision.slot);
}

export { readOtadata };

const DIGESTS: Readonly<Record<string, { node: string; outputSize: number; blockSize: number }>> = {
  MD5: { node: 'md5', outputSize: 16, blockSize: 64 },
  SHA1: { node: 'sha1', outputSize: 20, blockSize: 64 },
  SHA224: { node: 'sha224', outputSize: 28, blockSize: 64 },
  SHA256: { node: 'sha256', outputSize: 32, blockSize: 64 },
  SHA384: { node: 'sha384', outputSize: 48, blockSize: 128 },
  SHA512: { node: 'sha512', outputSize: 64, blockSize: 128 },
};

/**
 * crypt's Digest (modules/crypt/digest/modCrypt.c) over node:crypto. write takes what
 * xsmcGetBuffer takes (ArrayBuffer, DataView, 1-byte typed arrays at their own offset and length)
 * or a string (its UTF-8 up to the first NUL), and throws TypeError "this is no buffer" for the
 * rest. close() returns a new ArrayBuffer and, like the C, leaves the object usable but finished:
 * later writes and closes do not throw and give a digest of nothing written, until reset().
 */
export class FakeDigest implements Digest {
  static created = 0;
  readonly #algorithm: { node: string; outputSize: number; blockSize: number };
  #hash: Hash;

  constructor(type: string) {
    const algorithm = DIGESTS[type];
    if (algorithm === undefined) throw new Error('crypt: unsupported digest');
    this.#algorithm = algorithm;
    this.#hash = createHash(algorithm.node);
    FakeDigest.created++;
  }

  get outputSize(): number {
    return this.#algorithm.outputSize;
  }

  get blockSize(): number {
    return this.#algorithm.blockSize;
  }

  write(data: unknown): void {
    let bytes: Uint8Array;
    if (typeof data === 'string') bytes = new TextEncoder().encode(data.split('\0')[0]);
    else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (data instanceof DataView || data instanceof Uint8Array || data instanceof Int8Array || data instanceof Uint8ClampedArray) {
      bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    } else throw new TypeError('this is no buffer');
    this.#hash.update(bytes);
  }

  update(data: unknown): void {
    this.write(data);
  }

  close(more?: boolean): ArrayBuffer {
    if (more === true) return new Uint8Array(this.#hash.copy().digest()).buffer;
    const out = new Uint8Array(this.#hash.digest()).buffer;
    // The C finishes its context in place (padding and length hashed in) and keeps it: go on
    // from a state no honest input reaches, so reuse without reset() shows as a wrong digest.
    this.#hash = createHash(this.#algorithm.node).update('finished context');
    return out;
  }

  reset(): void {
    this.#hash = createHash(this.#algorithm.node);
  }
}

/** Moddable's Time: ticks in 32 bits that wrap, and delta across the wrap. */
export class FakeTime implements TimeModule {
  #ticks = 0;
  wallSetTo: number | undefined;
  constructor(start = 0) {
    this.#ticks = start | 0;
  }
  get ticks(): number {
    return this.#ticks;
  }
  advance(ms: number): void {
    this.#ticks = (this.#ticks + ms) | 0;
  }
  set(seconds: number): void {
    this.wallSetTo = seconds;
  }
  delta(start: number, end = this.#ticks): number {
    return (end - start) | 0;
  }
}

/** Moddable's Timer on setTimeout, with delay() recorded. */
export function fakeTimer(): TimerModule & { delay(ms: number): void; delays: number[] } {
  const delays: number[] = [];
  return {
    set: (callback, ms = 0) => setTimeout(callback, ms),
    clear: (t) => {
      if (t !== undefined) clearTimeout(t as ReturnType<typeof setTimeout>);
    },
    delay: (ms) => {
      delays.push(ms);
    },
    delays,
  };
}

/**
 * Moddable's WiFi object (wifi-esp32.c): connection 200/300/400/500 and an address once DHCP
 * answers. `join` decides what a connect() leads to.
 */
export class FakeWiFi implements WiFiInterface {
  static instances: FakeWiFi[] = [];
  static join: { ok: boolean; afterMs: number } = { ok: true, afterMs: 5 };
  connection = 200;
  address: string | undefined;
  readonly connects: Array<{ SSID: string; password?: string }> = [];
  disconnects = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(_options: { onChanged?: () => void }) {
    FakeWiFi.instances.push(this);
  }

  /** Result of an association attempt, from either connect path. */
  attempt(ok: boolean, afterMs: number): void {
    this.connection = 300;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (ok) {
        this.connection = 400;
        this.address = '192.168.1.50';
      } else {
        this.connection = 200;
      }
    }, afterMs);
  }

  connect(options: { SSID: string; password?: string }): void {
    if (this.connection === 300) throw new Error('already connecting');
    this.connects.push(options);
    this.attempt(FakeWiFi.join.ok, FakeWiFi.join.afterMs);
  }

  disconnect(): void {
    clearTimeout(this.#timer);
    this.disconnects++;
    this.connection = 200;
    this.address = undefined;
  }

  close(): void {
    clearTimeout(this.#timer);
  }
}

/**
 * lwIP TCP as modules/io/socket/lwip/tcp.c behaves, over node:net: callbacks only from the
 * event loop; onWritable(sndbuf) when connected and when sent bytes are acknowledged;
 * onReadable(total waiting); read(n) throws "invalid" past the waiting bytes; write throws
 * "not ready" before the connection and "would block" past sndbuf; a FIN and a reset both end
 * in onError(), delivered after the received bytes are read.
 */
export class LwipTcp implements TcpSocket {
  static sendBuffer = 5744;
  static instances: LwipTcp[] = [];
  readonly options: TcpOptions;
  #socket: net.Socket;
  #chunks: Buffer[] = [];
  #ready = false;
  #error = false;
  #errorDelivered = false;
  #closed = false;
  #sndbuf = LwipTcp.sendBuffer;

  constructor(options: TcpOptions) {
    if (net.isIP(options.address) === 0) throw new Error('invalid address');
    this.options = options;
    LwipTcp.instances.push(this);
    this.#socket = net.connect({ host: options.address, port: options.port });
    this.#socket.on('connect', () => {
      this.#ready = true;
      this.#deliver(() => this.options.onWritable?.(this.#sndbuf));
    });
    this.#socket.on('data', (chunk: Buffer) => {
      this.#chunks.push(chunk);
      const total = this.#available();
      this.#deliver(() => this.options.onReadable?.(total));
    });
    this.#socket.on('end', () => this.#fail());
    this.#socket.on('error', () => this.#fail());
    this.#socket.on('close', () => this.#fail());
  }

  #available(): number {
    return this.#chunks.reduce((n, c) => n + c.length, 0);
  }

  #deliver(callback: () => void): void {
    setImmediate(() => {
      if (!this.#closed) callback();
    });
  }

  #fail(): void {
    if (this.#error) return;
    this.#error = true;
    this.#ready = false;
    this.#maybeDeliverError();
  }

  #maybeDeliverError(): void {
    // tcp.c: "error delivered after receive buffers empty".
    if (!this.#error || this.#errorDelivered || this.#chunks.length > 0) return;
    this.#errorDelivered = true;
    this.#deliver(() => this.options.onError?.());
  }

  read(byteLength?: number): ArrayBuffer | undefined {
    if (this.#closed) throw new Error('closed');
    if (this.#chunks.length === 0) return undefined;
    const available = this.#available();
    const n = byteLength === undefined ? available : byteLength;
    if (n <= 0 || n > available) throw new Error('invalid');
    const all = Buffer.concat(this.#chunks);
    const out = all.subarray(0, n);
    this.#chunks = n < all.length ? [all.subarray(n)] : [];
    if (this.#chunks.length === 0) this.#maybeDeliverError();
    return Uint8Array.from(out).buffer;
  }

  write(buffer: ArrayBuffer | ArrayBufferView): number | undefined {
    if (this.#closed) throw new Error('closed');
    if (!this.#ready && !this.#error) throw new Error('not ready');
    if (this.#error) return undefined;
    const bytes = view(buffer);
    if (bytes.length > this.#sndbuf) throw new Error('would block');
    this.#sndbuf -= bytes.length;
    this.#socket.write(Buffer.from(bytes), () => {
      this.#sndbuf += bytes.length;
      this.#deliver(() => {
        if (!this.#error) this.options.onWritable?.(this.#sndbuf);
      });
    });
    return this.#sndbuf;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
  }
}
