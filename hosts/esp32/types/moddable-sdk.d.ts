/*
 * Declarations of Moddable SDK 8.2 modules that the npm package @moddable/typings (5.6.0, the
 * only version published) lacks, written after the SDK's own typings ($MODDABLE/typings/
 * embedded/storage/*.d.ts, embedded/update.d.ts, embedded_network/interface/wifi.d.ts, crypt.d.ts) so code
 * that checks here checks in mcconfig's build too. Used by `npx tsc -p hosts/esp32/tsconfig.json`
 * only: the device build takes the SDK's files, which is why nothing references this file.
 *
 * Where the SDK typing and the ESP32 implementation differ (moddable.md section 1), the
 * implementation is noted and the host code relies only on what both agree on.
 */

declare module 'embedded:storage/flash' {
  type ByteBuffer = ArrayBuffer | ArrayBufferView;

  export interface FlashOpenOptions {
    /** "running", "nextota", "xs", or the label of a data partition ("otadata", "outbox"). */
    path: string;
    mode?: 'r' | 'r+';
  }

  export interface FlashStatus {
    size: number;
    blockLength: number;
    blocks: number;
    /** In the SDK typing; the ESP32 implementation does not return it. */
    writeAlign?: number;
    /** In the SDK typing; the ESP32 implementation does not return it. */
    eraseValue?: number;
  }

  export class Flash {
    close(): void;
    /** Erases blocks start .. end - 1 (block units). */
    eraseBlock(start: number, end?: number): void;
    read(byteLength: number, byteOffset: number): ArrayBuffer;
    read(buffer: ByteBuffer, byteOffset: number): number;
    write(buffer: ByteBuffer, byteOffset: number): void;
    status(): FlashStatus;
    format: 'buffer';
  }

  const FlashStorage: {
    open(options: FlashOpenOptions): Flash;
    [Symbol.iterator](): IterableIterator<string>;
  };
  export default FlashStorage;
}

declare module 'embedded:storage/key-value' {
  type ByteBuffer = ArrayBuffer | ArrayBufferView;

  export type StorageFormat = 'buffer' | 'string' | 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'uint64' | 'int64';

  export interface StorageOpenOptions {
    /** The NVS namespace on ESP32 (at most 15 characters). */
    path: string;
    mode?: 'r' | 'r+';
    format?: StorageFormat;
  }

  export class Storage {
    close(): void;
    delete(key: string): void;
    /** undefined for a missing key (the SDK typing omits it; storage-esp32.c returns nothing). */
    read(key: string): ArrayBuffer | string | number | bigint | undefined;
    read(key: string, buffer: ByteBuffer): number;
    write(key: string, value: ByteBuffer | string | number | bigint): void;
    [Symbol.iterator](): IterableIterator<string>;
    format: StorageFormat;
  }

  const KeyValueStorage: {
    open(options: StorageOpenOptions): Storage;
  };
  export default KeyValueStorage;
}

declare module 'embedded:update' {
  import type { Flash } from 'embedded:storage/flash';
  type ByteBuffer = ArrayBuffer | ArrayBufferView;

  export interface UpdateOpenOptions {
    partition: Flash;
    /** "a" appends (esp_ota_begin sequential); "w" writes at offsets after erasing byteLength (or the whole slot). */
    mode?: 'a' | 'w';
    byteLength?: number;
  }

  export interface Updater {
    close(): void;
    /** esp_ota_end (image check) and esp_ota_set_boot_partition; does not restart. */
    complete(): void;
    write(bytes: ByteBuffer): void;
    write(bytes: ByteBuffer, byteOffset: number): void;
    format: 'buffer';
  }

  const Update: {
    open(options: UpdateOpenOptions): Updater;
  };
  export default Update;
}

declare module 'embedded:network/interface/wifi' {
  import type { PortSpecifier } from 'embedded:io/_common';

  export interface WiFiConstructorOptions {
    port?: PortSpecifier;
    onChanged?: () => void;
  }

  export interface WiFiScanResult {
    SSID: string;
    channel: number;
    RSSI: number;
    BSSID?: string;
  }

  export interface WiFiScanOptions {
    onFound?: (result: WiFiScanResult) => void;
    onComplete?: () => void;
  }

  export interface WiFiConnectOptions {
    SSID: string;
    password?: string;
  }

  class WiFi {
    constructor(options: WiFiConstructorOptions);
    close(): void;
    scan(options: WiFiScanOptions): void;
    connect(options: WiFiConnectOptions): void;
    disconnect(): void;
    /** 200 disconnected, 300 connecting, 400 associated, 500 has an address. */
    readonly connection: number;
    readonly address: string | undefined;
    readonly MAC: string | undefined;
  }
  export default WiFi;
}

declare module 'resetReason' {
  /**
   * esp_reset_reason() with a name (build/devices/esp32/modules/resetReason). The host reads the
   * reason through its own native call (native/sleep.c) instead, which needs no extra module.
   */
  export default function getResetReason(): { reason: number; string: string };
}

declare module 'crypt' {
  type DigestType = 'MD5' | 'SHA1' | 'SHA224' | 'SHA256' | 'SHA384' | 'SHA512';

  /**
   * modules/crypt/digest (crypt.js, modCrypt.c). The SDK typing allows only string | ArrayBuffer;
   * modCrypt.c reads the argument with xsmcGetBuffer, which also takes DataView and 1-byte typed
   * array views: hosts/esp32/moddable-types.ts describes that, and the host uses it through there.
   */
  export class Digest {
    constructor(type: DigestType);
    write(message: string | ArrayBuffer): void;
    update(message: string | ArrayBuffer): void;
    /** A new ArrayBuffer of outputSize bytes; `more` keeps the running state. */
    close(more?: boolean): ArrayBuffer;
    reset(): void;
    get blockSize(): number;
    get outputSize(): number;
  }
}
