/**
 * The ESP32 host's entry, imported by manifests/main.ts as "hosts/esp32/app": one wake cycle
 * with Moddable's modules, ending in deep sleep. Preload-safe: nothing runs until main calls it.
 */
import { runDevice } from './device.js';
import { moddable } from './moddable.js';

export default function start(): void {
  const m = moddable();
  // runDevice catches everything itself; this catch is for a fault in that handling, so that
  // an unhandled rejection never reaches XS (which would abort and restart the chip).
  runDevice(m).catch((error: unknown) => {
    m.trace(`error WAKE_ABORTED ${String(error)}\n`);
    m.native().sn_sleep_wake_timer(5 * 60_000);
    m.native().sn_deep_sleep();
  });
}
