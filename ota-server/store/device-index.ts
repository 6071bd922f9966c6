/**
 * Every claimed device's identity by token hash, in memory: the check-in path authenticates
 * without SQL. It is a complete copy, not a cache: loaded whole when the store opens, then
 * changed by the store after each of its own committed writes. That is only sound while this
 * process is the database's sole writer, which is why only SQLite (opened with an exclusive
 * lock) uses it; instances sharing a PostgreSQL must each read the database.
 *
 * Identities are frozen, tags included: every caller gets the same object.
 */
import type { DeviceIdentity } from './types.js';

function identity(id: string, board: string, tags: readonly string[]): DeviceIdentity {
  return Object.freeze({ id, board, tags: Object.freeze([...tags]) });
}

export class DeviceIndex {
  readonly #byTokenHash = new Map<string, DeviceIdentity>();
  /** A device has at most one live token: the reverse map finds the one a change replaces. */
  readonly #tokenHashOf = new Map<string, string>();

  get(tokenHash: string): DeviceIdentity | undefined {
    return this.#byTokenHash.get(tokenHash);
  }

  /** The device's token is now this one (its previous one, if any, stops working). */
  set(tokenHash: string, id: string, board: string, tags: readonly string[]): void {
    this.remove(id);
    this.#byTokenHash.set(tokenHash, identity(id, board, tags));
    this.#tokenHashOf.set(id, tokenHash);
  }

  /** New tags for a device; nothing to do when it has no token. */
  retag(id: string, tags: readonly string[]): void {
    const tokenHash = this.#tokenHashOf.get(id);
    const current = tokenHash === undefined ? undefined : this.#byTokenHash.get(tokenHash);
    if (tokenHash !== undefined && current !== undefined) this.#byTokenHash.set(tokenHash, identity(id, current.board, tags));
  }

  /** The device lost its token (claim reset) or no longer exists. */
  remove(id: string): void {
    const tokenHash = this.#tokenHashOf.get(id);
    if (tokenHash === undefined) return;
    this.#byTokenHash.delete(tokenHash);
    this.#tokenHashOf.delete(id);
  }
}
