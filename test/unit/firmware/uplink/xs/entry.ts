/**
 * XS entry for test/unit/firmware/uplink/uplink-xs.test.ts: the uplink's pure parts (messages,
 * outbox, re-stamping) and the HTTP client on bridged sockets, run inside xsnap.
 */
import { HttpClient } from '../../../../../firmware/http/client.js';
import { requestRange } from '../../../../../firmware/http/range.js';
import type { CheckInRequest } from '../../../../../firmware/messages/checkin.js';
import { callHost, serve } from '../../../../../hosts/xs/guest/serve.js';
import { createBridgedPorts } from '../../../../../hosts/xs/socket-bridge-guest.js';
import { pureWork } from './entry-pure.js';

const bridge = createBridgedPorts();

async function download(a: { port: number; first: number }): Promise<unknown> {
  const http = new HttpClient({ socket: bridge.socket, timer: bridge.timer, idleTimeoutMs: 5000 });
  const { response, outcome } = await requestRange(http, { host: '127.0.0.1', port: a.port, path: '/image' }, { first: a.first }, { etag: '"img"' });
  let bytes = 0;
  let sum = 0;
  for await (const piece of response) {
    bytes += piece.length;
    for (const b of piece) sum = (sum + b) % 65521;
  }
  const chunked = await http.request({ host: '127.0.0.1', port: a.port, path: '/chunked' });
  const text = String.fromCharCode(...(await chunked.bytes()));
  const stalled = await http.request({ host: '127.0.0.1', port: a.port, path: '/stall', idleTimeoutMs: 200 }).then(() => 'answered', (e: { code?: string }) => e.code);
  return { outcome, bytes, sum, text, stalled };
}

serve({
  ...bridge.handlers,
  pure: (args) => pureWork(args as CheckInRequest),
  download: (args) => {
    download(args as { port: number; first: number }).then(
      (result) => callHost('done', result),
      (error: { code?: string; message?: string }) => callHost('done', { error: error.code ?? error.message }),
    );
    return 'started';
  },
});
