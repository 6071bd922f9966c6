/**
 * LogPort on Node: one line per entry (`<level> <code> <fields as JSON>`, the same format as the
 * XS print shim in hosts/xs/guest/log.ts) to a sink (stderr by default), and a memory log that
 * keeps entries for tests and the simulator.
 */
import type { LogLevel, LogPort } from '../../firmware/index.js';

const RANK: Readonly<Record<LogLevel, number>> = Object.freeze({ debug: 0, info: 1, warn: 2, error: 3 });

export function formatLogLine(level: LogLevel, code: string, fields?: Readonly<Record<string, unknown>>): string {
  if (fields === undefined) return `${level} ${code}`;
  return `${level} ${code} ${JSON.stringify(fields, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? `<${v.length} bytes>` : v))}`;
}

export function createConsoleLog(options: { minLevel?: LogLevel; sink?: (line: string) => void; prefix?: string } = {}): LogPort {
  const floor = RANK[options.minLevel ?? 'info'];
  const sink = options.sink ?? ((line: string) => process.stderr.write(`${line}\n`));
  const prefix = options.prefix === undefined ? '' : `${options.prefix} `;
  return {
    log(level, code, fields) {
      if (RANK[level] >= floor) sink(prefix + formatLogLine(level, code, fields));
    },
  };
}

export interface LogEntry { level: LogLevel; code: string; fields: Readonly<Record<string, unknown>> | undefined }

export interface MemoryLog extends LogPort {
  readonly entries: readonly LogEntry[];
  codes(): string[];
  clear(): void;
}

export function createMemoryLog(): MemoryLog {
  const entries: LogEntry[] = [];
  return {
    entries,
    log(level, code, fields) {
      entries.push({ level, code, fields });
    },
    codes: () => entries.map((e) => e.code),
    clear() {
      entries.length = 0;
    },
  };
}
