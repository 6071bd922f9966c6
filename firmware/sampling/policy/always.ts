/**
 * Report every value that leaves the filter chain. Allowed only as a whole policy (not inside
 * anyOf/allOf, where it would either make the rest pointless or add nothing). Stateless.
 *
 * Spec: `{ type: 'always' }`.
 */
import type { ReportPolicy } from './policy.js';
import { aObject, aState } from '../validate.js';

export interface AlwaysSpec {
  readonly type: 'always';
}

export function parseAlwaysSpec(raw: unknown, path = 'report'): AlwaysSpec {
  aObject(raw, path, ['type']);
  return { type: 'always' };
}

export class AlwaysPolicy implements ReportPolicy {
  readonly type = 'always';

  constructor(spec: AlwaysSpec = { type: 'always' }, path = 'report') {
    parseAlwaysSpec(spec, path);
  }

  decide(_value: number, _nowMs: number): boolean {
    return true;
  }

  reported(_value: number, _nowMs: number): void {}

  /** Undefined: sampling drives it; a due time that is always "now" would keep the node awake. */
  nextDueMs(): undefined {
    return undefined;
  }

  snapshot(): number[] {
    return [];
  }

  restore(state: readonly unknown[]): void {
    aState(state, 'always policy', 0, 0);
  }
}
