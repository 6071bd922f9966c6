// XS entry used by worker.test.ts to exercise the call envelope.
import { FirmwareError } from '../../../firmware/index.js';
import { callHost, serve } from '../../../hosts/xs/guest/serve.js';
import { createPrintLog } from '../../../hosts/xs/guest/log.js';

let counter = 0;
const log = createPrintLog('debug');

serve({
  echo: (args) => args,
  count: () => ++counter,
  bytes: (args) => Uint8Array.from(args as number[]),
  coded: () => { throw new FirmwareError('ERR_CONFIG_INVALID', 'channels[0].period'); },
  plain: () => { throw new TypeError('boom'); },
  later: async (args) => { await Promise.resolve(); return { doubled: (args as number) * 2 }; },
  laterFails: async () => { await Promise.resolve(); throw new FirmwareError('ERR_STATE_CORRUPT'); },
  askHost: (args) => callHost('add', args),
  askHostBytes: () => Array.from(callHost('bytes') as Uint8Array),
  log: () => { log.log('info', 'XS_HELLO', { n: 1 }); return typeof (globalThis as { print?: unknown }).print; },
  spin: () => { for (;;) { /* metering limit ends this */ } },
  engine: () => ({ hasConsole: typeof (globalThis as { console?: unknown }).console, hasPrint: typeof (globalThis as { print?: unknown }).print }),
});
