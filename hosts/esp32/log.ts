/**
 * LogPort on trace(): one line per entry, `<level> <code> <fields as JSON>`, the format of the
 * node host and of the XS print shim, so logs from a device, xsnap and the simulator read alike.
 * In -d builds trace goes to xsbug, in -i builds to the serial console, in release builds nowhere.
 */
import type { LogLevel, LogPort } from '../esp32-core.js';

const RANK: Readonly<Record<LogLevel, number>> = Object.freeze({ debug: 0, info: 1, warn: 2, error: 3 });

function replacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  return value;
}

export function formatLogLine(level: LogLevel, code: string, fields?: Readonly<Record<string, unknown>>): string {
  if (fields === undefined) return `${level} ${code}`;
  let text: string;
  try {
    text = JSON.stringify(fields, replacer);
  } catch {
    text = '"<unserialisable fields>"';
  }
  return `${level} ${code} ${text}`;
}

export function createTraceLog(write: (line: string) => void, minLevel: LogLevel = 'info'): LogPort {
  const floor = RANK[minLevel];
  return {
    log(level, code, fields) {
      if (RANK[level] >= floor) write(`${formatLogLine(level, code, fields)}\n`);
    },
  };
}
