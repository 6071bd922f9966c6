/*
 * Modules the ESP32 host imports that have no typing in the Moddable SDK (nor in
 * @moddable/typings): the ECMA-419 sensor drivers under modules/drivers/sensors and the TLS
 * socket of examples/io/tcp/tlssocket. Both builds read this file: the host modules that import
 * these specifiers reference it with a triple-slash directive, so mcconfig's per-file tsc sees
 * it as well as `npx tsc -p hosts/esp32/tsconfig.json`.
 *
 * Shapes are what the drivers do (moddable.md section 4), kept loose where drivers differ
 * between SDK versions; hosts/esp32/sample-shape.ts normalises their samples.
 */

interface SensorDriverOptions {
  /** ECMA-419 sensor pattern: the bus and its options (io, data, clock, address, hz, port). */
  sensor: Record<string, unknown>;
  onError?: (error?: unknown) => void;
  [option: string]: unknown;
}

interface SensorDriver {
  configure(options: Record<string, unknown>): void;
  /** A grouped sample ({ thermometer: { temperature } } ...), flat on older drivers, undefined when no data is ready. */
  sample(): unknown;
  close(): void;
}

interface SensorDriverConstructor {
  new (options: SensorDriverOptions): SensorDriver;
}

declare module 'embedded:sensor/Humidity-Temperature/SHT3x' {
  const SHT3x: SensorDriverConstructor;
  export default SHT3x;
}

declare module 'embedded:sensor/Barometer-Temperature/BMP280' {
  const BMP280: SensorDriverConstructor;
  export default BMP280;
}

declare module 'embedded:sensor/Barometer-Humidity-Temperature/BME68x' {
  const BME68x: SensorDriverConstructor;
  export default BME68x;
}

declare module 'embedded:io/socket/tcp/tls' {
  /**
   * Moddable's JavaScript TLS 1.2 client over a TCP socket: the TCP options plus `host` (SNI),
   * `secure` (ssl/session options: certificate, verify, ...) and `TCP: { io: TCP }`.
   */
  const TLSSocket: new (options: Record<string, unknown>) => object;
  export default TLSSocket;
}
