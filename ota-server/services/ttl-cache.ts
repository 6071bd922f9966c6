/**
 * A value reused for at most `ttlMs` of real (monotonic) time, dropped at once by this
 * instance's own writes. The check-in path reads live rollouts and config versions through
 * these, so a settled fleet's check-in reads only the device's token row.
 * With several instances on one PostgreSQL, another instance's change is seen within ttlMs.
 */
export class TtlCache<K, V> {
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #entries = new Map<K, { value: V; atMs: number }>();

  constructor(ttlMs: number, max = 100_000) {
    this.#ttlMs = ttlMs;
    this.#max = max;
  }

  get(key: K): V | undefined {
    const e = this.#entries.get(key);
    if (e === undefined) return undefined;
    if (performance.now() - e.atMs >= this.#ttlMs) {
      this.#entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: K, value: V): void {
    if (this.#ttlMs <= 0) return;
    if (this.#entries.size >= this.#max) this.#entries.clear();
    this.#entries.set(key, { value, atMs: performance.now() });
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}
