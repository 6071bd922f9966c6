import '@endo/init';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostHandlers, startXsWorker, type XsWorker } from '../../../../hosts/xs/index.js';
import { createSocketBridge } from '../../../../hosts/xs/socket-bridge.js';
import { pureWork } from './xs/entry-pure.js';

const entry = fileURLToPath(new URL('./xs/entry.ts', import.meta.url));
const image = new Uint8Array(30_000).map((_, i) => (i * 13) & 0xff);
const server = http.createServer((req, res) => {
  if (req.url === '/image') {
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const first = m === null ? 0 : Number(m[1]);
    res.writeHead(m === null ? 200 : 206, {
      ETag: '"img"', 'Content-Length': image.length - first,
      ...(m === null ? {} : { 'Content-Range': `bytes ${first}-${image.length - 1}/${image.length}` }),
    });
    res.end(Buffer.from(image.subarray(first)));
  } else if (req.url === '/chunked') {
    res.writeHead(200);
    res.write('on ');
    setImmediate(() => res.end('XS'));
  } // '/stall': never answers
});
let port = 0;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const request = {
  deviceId: 'xs-1', firmwareVersion: '2.0.0', slot: 1 as const, bootState: 'pending-verify', batteryVolts: 3.61, configVersion: 4,
  outbox: { records: 3, bytes: 400, dropped: 1, thinned: 2 }, updateOutcome: { kind: 'failed' as const, version: '2.1.0', reason: 'ERR_OTA_HASH' }, deviceTimeMs: 1_790_000_000_123,
};

describe('uplink on XS (xsnap)', () => {
  it('messages, outbox thinning and re-stamping give the same bytes and results as on Node', async () => {
    const worker = await startXsWorker({ name: 'uplink-xs-pure', entry });
    try {
      const { reply, meter } = await worker.call('pure', request);
      expect(reply).toEqual(JSON.parse(JSON.stringify(pureWork(request))));
      expect((reply as { stats: { thinned: number } }).stats.thinned).toBeGreaterThan(0);
      expect(meter.computrons).toBeGreaterThan(0);
    } finally {
      await worker.close();
    }
  });

  it('the HTTP client runs on XS over bridged sockets: Range 206, streamed body, chunked, idle timeout', async () => {
    const bridge = createSocketBridge();
    let finish!: (result: unknown) => void;
    const done = new Promise<unknown>((resolve) => (finish = resolve));
    let worker: XsWorker | undefined;
    try {
      worker = await startXsWorker({ name: 'uplink-xs-http', entry, handleCommand: hostHandlers({ ...bridge.handlers, done: (r) => (finish(r), null) }) });
      bridge.attach(worker);
      expect((await worker.call('download', { port, first: 10_000 })).reply).toBe('started');
      let sum = 0;
      for (const b of image.subarray(10_000)) sum = (sum + b) % 65521;
      expect(await done).toEqual({
        outcome: { kind: 'partial', first: 10_000, last: image.length - 1, complete: image.length },
        bytes: image.length - 10_000, sum, text: 'on XS', stalled: 'ERR_HTTP_TIMEOUT',
      });
      expect(bridge.deliveryError).toBeUndefined();
    } finally {
      bridge.close();
      await worker?.close();
    }
  });
});
