/**
 * The child side of a device host in another process (remote-engine.ts childHost is the parent
 * side): requests arrive over the IPC channel as { id, request } and each is answered with
 * { id, ok, value } or { id, ok: false, error }. After answering 'close' the child lets go of the
 * channel, and it exits when the parent does.
 */
import type { HostRequest } from './device-host.js';

export function serveOverIpc(handle: (request: HostRequest) => Promise<unknown>): void {
  process.on('message', (message: { id: number; request: HostRequest }) => {
    handle(message.request).then(
      (value) => {
        process.send?.({ id: message.id, ok: true, value });
        if (message.request.op === 'close') process.disconnect();
      },
      (error: unknown) => process.send?.({ id: message.id, ok: false, error: (error as Error).stack ?? String(error) }),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
