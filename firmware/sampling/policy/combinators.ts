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
import { stateError, type RestorePhase } from '../validate.js';

abstract class Combinator implements ReportPolicy {
  abstract readonly type: PolicyType;
  protected readonly parts: readonly ReportPolicy[];

  constructor(parts: readonly ReportPolicy[]) {
    this.parts = parts.slice();
  }

  abstract decide(value: number, nowMs: number): boolean;
  abstract nextDueMs(): number | undefined;

  reported(value: number, nowMs: number): void {
    const parts = this.parts;
    for (let i = 0; i < parts.length; i++) parts[i]!.reported(value, nowMs);
  }

  snapshot(): PolicyState[] {
    const parts = this.parts;
    const out: PolicyState[] = [];
    for (let i = 0; i < parts.length; i++) out.push(parts[i]!.snapshot());
    return out;
  }

  restore(state: PolicyState, phase?: RestorePhase): void {
    const parts = this.parts;
    if (phase !== 'apply') {
      if (!Array.isArray(state) || state.length !== parts.length) {
        throw stateError(`${this.type} policy: expected ${parts.length} part states`);
      }
      // All or nothing without a rollback copy: every part checks its state before any is set.
      for (let i = 0; i < parts.length; i++) parts[i]!.restore(state[i] as PolicyState, 'check');
      if (phase === 'check') return;
    }
    for (let i = 0; i < parts.length; i++) parts[i]!.restore(state[i] as PolicyState, 'apply');
  }
}

export class AnyOfPolicy extends Combinator {
  readonly type = 'anyOf';

  decide(value: number, nowMs: number): boolean {
    const parts = this.parts;
    for (let i = 0; i < parts.length; i++) if (parts[i]!.decide(value, nowMs)) return true;
    return false;
  }

  nextDueMs(): number | undefined {
    let due: number | undefined;
    const parts = this.parts;
    for (let i = 0; i < parts.length; i++) {
      const d = parts[i]!.nextDueMs();
      if (d !== undefined && (due === undefined || d < due)) due = d;
    }
    return due;
  }
}

export class AllOfPolicy extends Combinator {
  readonly type = 'allOf';

  decide(value: number, nowMs: number): boolean {
    const parts = this.parts;
    for (let i = 0; i < parts.length; i++) if (!parts[i]!.decide(value, nowMs)) return false;
    return true;
  }

  nextDueMs(): number | undefined {
    let due = -Infinity;
    const parts = this.parts;
    for (let i = 0; i < parts.length; i++) {
      const d = parts[i]!.nextDueMs();
      if (d === undefined) return undefined;
      if (d > due) due = d;
    }
    return due === -Infinity ? undefined : due;
  }
}
