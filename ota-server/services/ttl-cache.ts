/**
 * One value reused for at most `ttlMs` of real (monotonic) time, dropped at once by this
 * instance's own writes. The check-in path reads live rollouts and config versions through
 * these, so a settled fleet's check-in reads no rollout or config rows (and, on SQLite, whose
 * store keeps an in-memory token index, no rows at all).
 * With several instances on one PostgreSQL, another instance's change is seen within ttlMs.
 */
export class TtlValue<V> {
  readonly #ttlMs: number;
  #value: V | undefined;
  #atMs = 0;

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  get(): V | undefined {
    if (this.#value !== undefined && performance.now() - this.#atMs >= this.#ttlMs) this.#value = undefined;
    return this.#value;
  }

  set(value: V): void {
    this.#value = value;
    this.#atMs = performance.now();
  }

  clear(): void {
    this.#value = undefined;
  }
}

/** How long live rollouts and config versions are reused: another instance's change waits at most this. */
export const CHECK_IN_CACHE_MS = 1000;
