/**
 * Child-process entry of a device host on Node (sim/hosting/remote-engine.ts spawns it with
 * `node --import tsx`): requests arrive over the IPC channel as { id, request } and each is
 * answered with { id, ok, value } or { id, ok: false, error }.
 */
import { DeviceHost, type HostRequest } from './device-host.js';

const host = new DeviceHost();
process.on('message', (message: { id: number; request: HostRequest }) => {
  host.handle(message.request).then(
    (value) => {
      process.send?.({ id: message.id, ok: true, value });
      if (message.request.op === 'close') process.disconnect();
    },
    (error: unknown) => process.send?.({ id: message.id, ok: false, error: (error as Error).stack ?? String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));
