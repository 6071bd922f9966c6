/**
 * TimerPort on Moddable's "timer" module (Timer.set / Timer.clear). Moddable runs the callback
 * from its event loop, never inside set(), which is what the port asks.
 */
import { FirmwareError, type TimerHandle, type TimerPort } from '../esp32-core.js';
import type { TimerModule } from './moddable-types.js';

export function createEsp32Timer(timer: TimerModule): TimerPort {
  const live = new Map<number, object>();
  let nextId = 1;
  return {
    set(callback, ms) {
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new FirmwareError('ERR_ARGUMENT', `timer delay ${String(ms)} ms`);
      const id = nextId++;
      live.set(id, timer.set(() => {
        if (!live.delete(id)) return;
        callback();
      }, ms));
      return Object.freeze({ id });
    },
    clear(handle: TimerHandle) {
      const t = live.get(handle.id);
      if (t === undefined) return;
      live.delete(handle.id);
      timer.clear(t);
    },
  };
}
