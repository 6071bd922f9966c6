/**
 * TimerPort on Node: setTimeout-based for real time, and a virtual timer that fires only when
 * the test or simulator advances a ManualClock through it (in due order; ties in set order).
 */
import type { TimerHandle, TimerPort } from '../../firmware/index.js';
import type { ManualClock } from './clock.js';

function checkArgs(callback: () => void, ms: number): void {
  if (typeof callback !== 'function') throw new TypeError('timer.set needs a callback');
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new RangeError(`timer.set: ms must be a finite number >= 0, got ${String(ms)}`);
}

export function createSystemTimer(): TimerPort {
  let nextId = 1;
  const live = new Map<number, ReturnType<typeof setTimeout>>();
  return {
    set(callback, ms) {
      checkArgs(callback, ms);
      const handle: TimerHandle = Object.freeze({ id: nextId++ });
      live.set(handle.id, setTimeout(() => {
        live.delete(handle.id);
        callback();
      }, ms));
      return handle;
    },
    clear(handle) {
      const t = live.get(handle.id);
      if (t !== undefined) clearTimeout(t);
      live.delete(handle.id);
    },
  };
}

export interface VirtualTimer extends TimerPort {
  /** Advances the clock by `ms`, firing each due timer at its own time, in order. */
  advance(ms: number): void;
  /** Advances to the next pending timer and fires it; false when none is pending. */
  runNext(): boolean;
  /** Number of timers not yet fired or cleared. */
  pending(): number;
  /** Monotonic ms at which the next timer is due, or undefined. */
  nextDueMs(): number | undefined;
}

interface Entry { id: number; due: number; callback: () => void }

export function createVirtualTimer(clock: ManualClock): VirtualTimer {
  let nextId = 1;
  const entries: Entry[] = [];
  const earliest = (): Entry | undefined => {
    let best: Entry | undefined;
    for (const e of entries) if (best === undefined || e.due < best.due || (e.due === best.due && e.id < best.id)) best = e;
    return best;
  };
  const fire = (entry: Entry): void => {
    entries.splice(entries.indexOf(entry), 1);
    entry.callback();
  };
  return {
    set(callback, ms) {
      checkArgs(callback, ms);
      const entry = { id: nextId++, due: clock.monotonicMs() + ms, callback };
      entries.push(entry);
      return Object.freeze({ id: entry.id });
    },
    clear(handle) {
      const i = entries.findIndex((e) => e.id === handle.id);
      if (i >= 0) entries.splice(i, 1);
    },
    advance(ms) {
      const end = clock.monotonicMs() + ms;
      for (;;) {
        const next = earliest();
        if (next === undefined || next.due > end) break;
        clock.advance(next.due - clock.monotonicMs());
        fire(next);
      }
      clock.advance(end - clock.monotonicMs());
    },
    runNext() {
      const next = earliest();
      if (next === undefined) return false;
      clock.advance(Math.max(0, next.due - clock.monotonicMs()));
      fire(next);
      return true;
    },
    pending: () => entries.length,
    nextDueMs: () => earliest()?.due,
  };
}
