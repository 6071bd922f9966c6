/**
 * The core opens a radio window through UplinkStep.openWindow (design section 3 step 7) and
 * knows nothing of Wi-Fi. This wrapper joins Wi-Fi first, within the window's own deadline, so
 * the radio is on only in wakes that have something to send. When the join fails the uplink
 * still runs its window: its connects fail at once (the socket port waits on the same failed
 * join), so it records the failure and backs off across wakes as for a broker outage. A boot
 * with several windows (an image pending verification stays awake) tries the join once per window.
 */
import { isFirmwareError, type LogPort, type UplinkStep, type WindowOutcome } from '../esp32-core.js';
import type { WifiLink } from './wifi.js';

export function withRadio(uplink: UplinkStep, wifi: WifiLink, log: LogPort): UplinkStep {
  return {
    enqueue: (report) => uplink.enqueue(report),
    backlog: () => uplink.backlog(),
    nextAttemptAtMs: () => uplink.nextAttemptAtMs(),
    snapshot: () => uplink.snapshot(),
    restore: (bytes) => uplink.restore(bytes),
    async openWindow(context): Promise<WindowOutcome> {
      wifi.forgetFailure();
      try {
        await wifi.up(Math.max(0, context.deadlineMs - context.nowMs));
      } catch (error) {
        log.log('warn', 'WIFI_JOIN_FAILED', { code: isFirmwareError(error) ? error.code : 'ERR_WIFI_JOIN', error: (error as Error).message });
      }
      return uplink.openWindow(context);
    },
  };
}
