/**
 * Fastify gives every request a pino child logger (bound to its request id). Making one costs
 * more than the rest of a check-in's logging, and most requests never log, so the child is made
 * on the first log call that its level lets through. One small object per request, methods on
 * the prototype.
 */
import type { FastifyBaseLogger } from 'fastify';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type LogFn = (...args: unknown[]) => void;

class LazyChild {
  readonly #parent: FastifyBaseLogger;
  readonly #bindings: Record<string, unknown>;
  readonly #options: object;
  #child: FastifyBaseLogger | undefined;

  constructor(parent: FastifyBaseLogger, bindings: Record<string, unknown>, options: object) {
    this.#parent = parent;
    this.#bindings = bindings;
    this.#options = options;
  }

  #real(): FastifyBaseLogger {
    return (this.#child ??= this.#parent.child(this.#bindings, this.#options));
  }

  #log(level: Level, args: unknown[]): void {
    const p = this.#parent as FastifyBaseLogger & { isLevelEnabled?: (l: string) => boolean };
    if (typeof p.isLevelEnabled === 'function' && !p.isLevelEnabled(level)) return;
    (this.#real()[level] as LogFn)(...args);
  }

  get level(): string { return (this.#child ?? this.#parent).level; }
  set level(value: string) { this.#real().level = value; }
  fatal(...args: unknown[]): void { this.#log('fatal', args); }
  error(...args: unknown[]): void { this.#log('error', args); }
  warn(...args: unknown[]): void { this.#log('warn', args); }
  info(...args: unknown[]): void { this.#log('info', args); }
  debug(...args: unknown[]): void { this.#log('debug', args); }
  trace(...args: unknown[]): void { this.#log('trace', args); }
  silent(): void {}
  child(bindings: Record<string, unknown>, options?: object): FastifyBaseLogger { return this.#real().child(bindings, options); }
}

export function lazyChildLogger(parent: FastifyBaseLogger, bindings: Record<string, unknown>, options: object): FastifyBaseLogger {
  return new LazyChild(parent, bindings, options) as unknown as FastifyBaseLogger;
}
