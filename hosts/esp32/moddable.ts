/// <reference path="./types/device-extras.d.ts" />
/**
 * The one module of the ESP32 host that imports Moddable's modules. Each is handed to the
 * ports as the structural type of hosts/esp32/moddable-types.ts, which says what the ESP32
 * implementation does where the SDK's typings say otherwise (moddable.md section 1). Nothing
 * here runs native code at load time, so the module preloads.
 */
import { Digest } from 'crypt';
import Analog from 'embedded:io/analog';
import Digital from 'embedded:io/digital';
import TCP from 'embedded:io/socket/tcp';
import TLSSocket from 'embedded:io/socket/tcp/tls';
import WiFi from 'embedded:network/interface/wifi';
import BME68x from 'embedded:sensor/Barometer-Humidity-Temperature/BME68x';
import BMP280 from 'embedded:sensor/Barometer-Temperature/BMP280';
import SHT3x from 'embedded:sensor/Humidity-Temperature/SHT3x';
import Flash from 'embedded:storage/flash';
import KeyValue from 'embedded:storage/key-value';
import config from 'mc/config';
import Time from 'time';
import Timer from 'timer';
import type {
  AnalogConstructor, DigestConstructor, DigitalConstructor, FlashStorage, KeyValueStorage, Moddable, SensorDriverClass, TcpConstructor, TimeModule, TimerModule,
  TlsConstructor, WiFiConstructor,
} from './moddable-types.js';
import { native } from './native.js';

// Casts through unknown: the SDK typings and the ESP32 behaviour differ in places (TCP `host`,
// Flash.status fields, onChanged arguments, write results, the byte views Digest.write takes);
// moddable-types.ts is the behaviour.
export function moddable(): Moddable {
  const board = (globalThis as { device?: { io?: { SMBus?: unknown }; I2C?: { default?: Record<string, unknown> } } }).device;
  return {
    analog: Analog as unknown as AnalogConstructor,
    digital: Digital as unknown as DigitalConstructor,
    tcp: TCP as unknown as TcpConstructor,
    tls: TLSSocket as unknown as TlsConstructor,
    wifi: WiFi as unknown as WiFiConstructor,
    flash: Flash as unknown as FlashStorage,
    keyValue: KeyValue as unknown as KeyValueStorage,
    digest: Digest as unknown as DigestConstructor,
    drivers: Object.freeze({
      sht3x: SHT3x as unknown as SensorDriverClass,
      bmp280: BMP280 as unknown as SensorDriverClass,
      bme68x: BME68x as unknown as SensorDriverClass,
    }),
    smbus: board?.io?.SMBus,
    defaultI2c: board?.I2C?.default,
    config: config as unknown as Readonly<Record<string, unknown>>,
    time: Time as unknown as TimeModule,
    timer: Timer as unknown as TimerModule & { delay(ms: number): void },
    native,
    resolve: (name, callback) => System.resolve(name, callback as (name: string, address: string) => void),
    restart: () => System.restart(),
    trace: (text) => trace(text),
    now: () => Date.now(),
  };
}
