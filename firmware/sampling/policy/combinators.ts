/**
 * anyOf / allOf: report when any (all) of the parts says so. Every part hears `reported`, so
 * all of them measure from the same last report. The usual composition is
 *   anyOf(allOf(deadband, throttle), heartbeat)
 * "changed beyond the band and the minimum interval has passed, or the heartbeat is due".
 *
 * nextDueMs follows from the definition (when decide() is true whatever the value):
 * anyOf -> the earliest part that has one; allOf -> the latest, but only if every part has one
 * (a deadband never guarantees a report, so allOf(deadband, throttle) has none).
 */
import type { PolicyState, PolicyType, ReportPolicy } from './policy.js';
import { stateError } from '../validate.js';

abstract class Combinator implements ReportPolicy {
  abstract readonly type: PolicyType;
  protected readonly parts: readonly ReportPolicy[];

  constructor(parts: readonly ReportPolicy[]) {
    this.parts = parts.slice();
  }

  abstract decide(value: number, nowMs: number): boolean;
  abstract nextDueMs(): number | undefined;

  reported(value: number, nowMs: number): void {
    for (const part of this.parts) part.reported(value, nowMs);
  }

  snapshot(): PolicyState[] {
    return this.parts.map((part) => part.snapshot());
  }

  restore(state: PolicyState): void {
    if (!Array.isArray(state) || state.length !== this.parts.length) {
      throw stateError(`${this.type} policy: expected ${this.parts.length} part states`);
    }
    // All or nothing: a part that refuses its state rolls back the parts already restored.
    const before = this.snapshot();
    try {
      this.parts.forEach((part, i) => part.restore(state[i] as PolicyState));
    } catch (error) {
      this.parts.forEach((part, i) => part.restore(before[i]!));
      throw error;
    }
  }
}

export class AnyOfPolicy extends Combinator {
  readonly type = 'anyOf';

  decide(value: number, nowMs: number): boolean {
    return this.parts.some((part) => part.decide(value, nowMs));
  }

  nextDueMs(): number | undefined {
    let due: number | undefined;
    for (const part of this.parts) {
      const d = part.nextDueMs();
      if (d !== undefined && (due === undefined || d < due)) due = d;
    }
    return due;
  }
}

export class AllOfPolicy extends Combinator {
  readonly type = 'allOf';

  decide(value: number, nowMs: number): boolean {
    return this.parts.every((part) => part.decide(value, nowMs));
  }

  nextDueMs(): number | undefined {
    let due = -Infinity;
    for (const part of this.parts) {
      const d = part.nextDueMs();
      if (d === undefined) return undefined;
      if (d > due) due = d;
    }
    return due === -Infinity ? undefined : due;
  }
}
