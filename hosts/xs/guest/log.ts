/**
 * LogPort for code running inside xsnap: one line per entry through XS's global `print`
 * (on the device the ESP32 host maps the same port to `trace`). xsnap discards the worker's
 * stdout unless startXsWorker({ stdout: 'inherit' }) is used.
 *
 * Line format (also used by hosts/node/log.ts): `<level> <code> <fields as JSON>`.
 */
import type { LogLevel, LogPort } from '../../../firmware/index.js';

const RANK: Readonly<Record<LogLevel, number>> = Object.freeze({ debug: 0, info: 1, warn: 2, error: 3 });

export function createPrintLog(minLevel: LogLevel = 'info'): LogPort {
  const print = (globalThis as { print?: (line: string) => void }).print;
  const floor = RANK[minLevel];
  return {
    log(level, code, fields) {
      if (print === undefined || RANK[level] < floor) return;
      print(fields === undefined ? `${level} ${code}` : `${level} ${code} ${safeJson(fields)}`);
    },
  };
}

function safeJson(fields: Readonly<Record<string, unknown>>): string {
  try {
    return JSON.stringify(fields, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch {
    return '{"unprintable":true}';
  }
}
