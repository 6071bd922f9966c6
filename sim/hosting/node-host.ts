/**
 * Child-process entry of a device host on Node (sim/hosting/remote-engine.ts spawns it with
 * `node --import tsx`).
 */
import { DeviceHost } from './device-host.js';
import { serveOverIpc } from './serve-ipc.js';

const host = new DeviceHost();
serveOverIpc((request) => host.handle(request));
