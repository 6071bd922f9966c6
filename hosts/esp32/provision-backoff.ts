/**
 * First-boot provisioning needs the radio and the server. When it fails (no access point, server
 * down, claim refused), trying again at every wake would join Wi-Fi every few minutes for
 * nothing: skip 1, 3, 7 ... up to 63 wakes between tries, counted in the retained record (it
 * restarts after a power cut, when trying at once is what someone at the device expects).
 */
import type { HostRetained } from './retained.js';

const MAX_SKIP = 63;

export interface ProvisionBackoff {
  /** True when this wake should try; counts a skipped wake otherwise. */
  due(): boolean;
  failed(): void;
  succeeded(): void;
}

export function createProvisionBackoff(slot: HostRetained): ProvisionBackoff {
  const state = (): { failures: number; skip: number } => {
    const b = slot.load();
    return b === undefined || b.length !== 2 ? { failures: 0, skip: 0 } : { failures: b[0]!, skip: b[1]! };
  };
  const save = (failures: number, skip: number): void => slot.save(Uint8Array.of(Math.min(failures, 0xff), skip));
  return {
    due() {
      const s = state();
      if (s.skip === 0) return true;
      save(s.failures, s.skip - 1);
      return false;
    },
    failed() {
      const failures = state().failures + 1;
      save(failures, Math.min(MAX_SKIP, 2 ** Math.min(failures, 6) - 1));
    },
    succeeded() {
      slot.save(new Uint8Array(0));
    },
  };
}
