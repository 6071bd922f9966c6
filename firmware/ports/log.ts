/** Logging: maps to trace() on the device, print() in xsnap, a logger on Node. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface LogPort {
  log(level: LogLevel, code: string, fields?: Readonly<Record<string, unknown>>): void;
}
