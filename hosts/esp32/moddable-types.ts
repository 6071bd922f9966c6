/**
 * The Moddable APIs the ESP32 host uses, described as the ESP32 implementation behaves (its C
 * and JS in the SDK, moddable.md sections 4-5), not as the typings promise. Every port module
 * takes these as parameters, so each runs in tests against fakes that behave the same way, and
 * only hosts/esp32/moddable.ts imports the real modules (per-host differences in per-host files).
 */

/** embedded:storage/flash instance (modules/io/flash/esp32/flash-esp32.c). */
export interface FlashPartition {
  /** Fresh ArrayBuffer of byteLength bytes from byteOffset (esp_partition_read). */
  read(byteLength: number, byteOffset: number): ArrayBuffer;
  /** esp_partition_write: any length, any offset; NOR semantics (only clears bits). */
  write(buffer: ArrayBuffer | ArrayBufferView, byteOffset: number): void;
  /** Erases blocks start .. end - 1 (default start + 1), in blockLength units. */
  eraseBlock(start: number, end?: number): void;
  /** size, blockLength (sector, 4096), blocks. No writeAlign/eraseValue on ESP32. */
  status(): { size: number; blockLength: number; blocks: number };
  close(): void;
}

/** embedded:storage/flash default export. */
export interface FlashStorage {
  /** path: "running", "nextota", or a data partition's label; throws when there is none. */
  open(options: { path: string; mode?: 'r' | 'r+' }): FlashPartition;
}

/** embedded:storage/key-value instance in "buffer" format (modules/io/storage/esp32). */
export interface KeyValueStore {
  /** ArrayBuffer, or undefined when the key is missing; TypeError when it holds another type. */
  read(key: string): ArrayBuffer | string | number | bigint | undefined;
  /** nvs_set_blob + nvs_commit: durable when it returns. */
  write(key: string, value: ArrayBuffer | ArrayBufferView): void;
  /** nvs_erase_key + commit; a missing key is not an error. */
  delete(key: string): void;
  [Symbol.iterator](): Iterator<string>;
  close(): void;
}

export interface KeyValueStorage {
  /** path = NVS namespace (at most 15 characters). */
  open(options: { path: string; mode?: 'r' | 'r+'; format?: 'buffer' }): KeyValueStore;
}

/** embedded:io/socket/tcp options on lwIP (modules/io/socket/lwip/tcp.c): an IP address, never a host name. */
export interface TcpOptions {
  address: string;
  port: number;
  nodelay?: boolean;
  /** Total bytes waiting (not the increment). */
  onReadable?: (bytes: number) => void;
  /** First call: connected. Later: bytes that may be written now (tcp_sndbuf). */
  onWritable?: (bytes: number) => void;
  /** Connect failure, reset, and also an orderly end by the peer (FIN): lwIP TCP does not tell them apart. */
  onError?: () => void;
}

/**
 * embedded:io/socket/tcp (and the TLS socket, which has the same surface) in "buffer" format.
 * read(n) throws when n exceeds the bytes waiting; read() takes all; undefined when none.
 * write throws "not ready" before the connection and "would block" past the writable count,
 * and returns the count still writable.
 */
export interface TcpSocket {
  read(byteLength?: number): ArrayBuffer | undefined;
  write(buffer: ArrayBuffer | ArrayBufferView): number | undefined;
  close(): void;
}

export type TcpConstructor = new (options: TcpOptions) => TcpSocket;

/** examples/io/tcp/tlssocket: TCP options plus SNI host, ssl/session options and the TCP class to run over. */
export interface TlsOptions extends TcpOptions {
  host: string;
  secure: Record<string, unknown>;
  TCP: { io: TcpConstructor };
}

export type TlsConstructor = new (options: TlsOptions) => TcpSocket;

/** System.resolve (modules/io/system): lwIP DNS with the DHCP-given (or static) servers. */
export type Resolve = (name: string, callback: (name: string, address: string | undefined) => void) => void;

/**
 * embedded:network/interface/wifi (modules/io/wifi/esp32). Moddable 8.2 also has BSSID and
 * channel getters and configure(); the host reads those through the native calls instead,
 * which work whatever the SDK version.
 */
export interface WiFiInterface {
  /** 200 disconnected, 300 connecting, 400 associated, 500 has an address (IPv4 and link-local IPv6). */
  readonly connection: number;
  /** IPv4 address when DHCP (or static) gave one, else a link-local IPv6, else undefined. */
  readonly address: string | undefined;
  connect(options: { SSID: string; password?: string; channel?: number }): void;
  disconnect(): void;
  close(): void;
}

export type WiFiConstructor = new (options: { onChanged?: () => void }) => WiFiInterface;

/** embedded:io/analog (modules/io/analog/esp32): read() = calibrated mV scaled to 0..2^resolution-1 over 3.3 V. */
export interface AnalogInput {
  read(): number;
  readonly resolution: number;
  close(): void;
}

export type AnalogConstructor = new (options: { pin: number }) => AnalogInput;

/** embedded:io/digital (modules/io/digital): modes are static properties of the class. */
export interface DigitalInput {
  read(): number;
  close(): void;
}

export interface DigitalConstructor {
  new (options: { pin: number; mode: unknown }): DigitalInput;
  readonly Input: unknown;
}

/** ECMA-419 sensor class (modules/drivers/sensors). */
export interface SensorDriverInstance {
  configure(options: Record<string, unknown>): void;
  sample(): unknown;
  close(): void;
}

export type SensorDriverClass = new (options: { sensor: Record<string, unknown>; onError?: (error?: unknown) => void; [k: string]: unknown }) => SensorDriverInstance;

/** Timer module ("timer"). */
export interface TimerModule {
  set(callback: () => void, ms?: number): object;
  clear(timer: object | undefined): void;
}

/** Time module ("time"). */
export interface TimeModule {
  /** Sets the system clock, seconds since 1970. */
  set(seconds: number): void;
  /** Milliseconds since boot, wrapping 32-bit (may be negative). */
  readonly ticks: number;
  /** end - start in ms across a ticks wrap; end defaults to now. */
  delta(start: number, end?: number): number;
}

/**
 * The native functions of manifests/sensor-node.json "ffi" (hosts/esp32/native/*.c), as the
 * generated mc/ffi class exposes them: pointer arguments are ArrayBuffers, esp_err_t results
 * are numbers (0 = ESP_OK).
 */
export interface NativeApi {
  sn_sleep_wake_timer(ms: number): number;
  sn_sleep_wake_pin(pin: number, level: number): number;
  sn_sleep_wake_pins(low: number, high: number, level: number): number;
  sn_deep_sleep(): void;
  sn_wake_causes(): number;
  sn_reset_reason(): number;
  sn_random(): number;
  sn_retained_capacity(): number;
  sn_retained_read(buffer: ArrayBuffer, length: number): number;
  sn_retained_write(buffer: ArrayBuffer, length: number): number;
  sn_retained_clear(): void;
  sn_ota_running_slot(): number;
  sn_ota_running_label(): string;
  sn_ota_running_state(): number;
  sn_ota_activate_next(): number;
  sn_ota_mark_valid(): number;
  sn_ota_mark_invalid(): number;
  sn_ota_rollback_possible(): number;
  sn_wifi_connect_bssid(ssid: string, password: string, bssid: ArrayBuffer, channel: number): number;
  sn_wifi_ap_info(out: ArrayBuffer): number;
  sn_wifi_static_ip(address: string, netmask: string, gateway: string, dns: string): number;
}

/**
 * crypt's Digest (modules/crypt/digest/crypt.js over modCrypt.c and kcl/fips180.c, brought in by
 * the TLS socket's manifests). Native SHA-256: the pure-JS hash costs about 0.5 M computrons per
 * KiB on XS, far too much for a firmware read-back.
 */
export interface Digest {
  /**
   * Hashes a string's UTF-8 bytes up to its first NUL (c_strlen), or the bytes of whatever
   * xsmcGetBuffer takes: an ArrayBuffer, a DataView, or a typed array of 1-byte elements
   * (Uint8Array, Int8Array, Uint8ClampedArray), a view's byteOffset and byteLength honoured.
   * Anything else, wider typed arrays included, throws TypeError "this is no buffer".
   */
  write(data: string | ArrayBuffer | Uint8Array | DataView): void;
  /** The same as write (crypt.js). */
  update(data: string | ArrayBuffer | Uint8Array | DataView): void;
  /**
   * A fresh ArrayBuffer of outputSize bytes. Finishes the context in place and does not free it:
   * a later write or close does not throw but gives a digest of nothing that was written (the
   * "write after close" error in modCrypt.c never fires). reset() makes it usable again.
   * close(true) keeps the running state, so more can be written.
   */
  close(more?: boolean): ArrayBuffer;
  /** Starts over (the algorithm's initial state). */
  reset(): void;
  /** 32 for SHA256. */
  readonly outputSize: number;
  /** 64 for SHA256. */
  readonly blockSize: number;
}

/** new Digest(type); an unknown type throws "crypt: unsupported digest". */
export type DigestConstructor = new (type: 'MD5' | 'SHA1' | 'SHA224' | 'SHA256' | 'SHA384' | 'SHA512') => Digest;

/** Everything the host takes from Moddable, in one object (hosts/esp32/moddable.ts builds it; tests build fakes). */
export interface Moddable {
  analog: AnalogConstructor;
  digital: DigitalConstructor;
  tcp: TcpConstructor;
  tls: TlsConstructor;
  wifi: WiFiConstructor;
  flash: FlashStorage & { [Symbol.iterator]?: () => Iterator<string> };
  keyValue: KeyValueStorage;
  /** crypt's Digest class. */
  digest: DigestConstructor;
  drivers: Readonly<Record<'sht3x' | 'bmp280' | 'bme68x', SensorDriverClass>>;
  /** The I2C bus class the sensor drivers open. */
  smbus: unknown;
  /** device.I2C.default of the board, when it has one (bare ESP32 has none). */
  defaultI2c: { data?: unknown; clock?: unknown; port?: unknown } | undefined;
  config: Readonly<Record<string, unknown>>;
  time: TimeModule;
  timer: TimerModule & { delay(ms: number): void };
  native: () => NativeApi;
  resolve: Resolve;
  restart: () => void;
  trace: (text: string) => void;
  now: () => number;
}

/** ESP-IDF error codes the host names in messages (esp_err.h, esp_ota_ops.h). */
export const ESP_ERR = Object.freeze({
  OK: 0,
  FAIL: -1,
  NO_MEM: 0x101,
  INVALID_ARG: 0x102,
  INVALID_STATE: 0x103,
  NOT_FOUND: 0x105,
  NOT_SUPPORTED: 0x106,
  OTA_VALIDATE_FAILED: 0x1503,
  OTA_ROLLBACK_FAILED: 0x1505,
  OTA_ROLLBACK_INVALID_STATE: 0x1506,
});

export function espErrorName(code: number): string {
  for (const [name, value] of Object.entries(ESP_ERR)) if (value === code) return `ESP_ERR_${name}`.replace('ESP_ERR_OK', 'ESP_OK').replace('ESP_ERR_FAIL', 'ESP_FAIL');
  return `esp_err 0x${(code >>> 0).toString(16)}`;
}
