/**
 * hosts/xs: run bundles of the firmware core inside a real XS engine (@agoric/xsnap) from Node.
 * Node side: bundle(), startXsWorker(), hostHandlers(). XS side (import from entries):
 * hosts/xs/guest/serve.ts (serve, callHost) and hosts/xs/guest/log.ts (createPrintLog).
 * See docs/xs.md. Import '@endo/init' first in any process that imports this module.
 */
export { bundle, type BundleOptions } from './bundle.js';
export {
  hostHandlers, startXsWorker, XsCallError,
  type StartXsWorkerOptions, type XsCallResult, type XsMeter, type XsWorker,
} from './worker.js';
export type { WireCodec, WireFormat } from './wire.js';
