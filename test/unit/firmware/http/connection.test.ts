import { describe, expect, it } from 'vitest';
import { HttpClient } from '../../../../firmware/http/client.js';
import { createManualClock } from '../../../../hosts/node/clock.js';
import { createVirtualTimer } from '../../../../hosts/node/timer.js';
import type { Socket, SocketOptions, SocketPort } from '../../../../firmware/index.js';

/** A socket port whose peer the test plays by hand. */
function scriptedPort(): SocketPort & { options?: SocketOptions; written: Uint8Array[]; closed: boolean; inbox: Uint8Array[] } {
  const port = {
    options: undefined as SocketOptions | undefined,
    written: [] as Uint8Array[],
    closed: false,
    inbox: [] as Uint8Array[],
    resolve: async (host: string) => (host === 'server.local' ? '10.0.0.9' : host),
    connect(options: SocketOptions): Socket {
      port.options = options;
      return {
        read: () => port.inbox.shift(),
        write: (bytes) => { port.written.push(bytes.slice()); return 1 << 16; },
        close: () => { port.closed = true; },
      };
    },
  };
  return port;
}

const flush = async (): Promise<void> => { for (let i = 0; i < 10; i++) await Promise.resolve(); };

describe('HTTP connection timeouts on a virtual clock', () => {
  it('connect timeout when the socket never becomes writable; the socket is closed', async () => {
    const clock = createManualClock();
    const timer = createVirtualTimer(clock);
    const port = scriptedPort();
    const client = new HttpClient({ socket: port, timer, connectTimeoutMs: 5000 });
    const pending = client.request({ host: 'server.local', port: 8080, path: '/x' });
    let outcome: unknown;
    pending.catch((e: unknown) => { outcome = e; });
    await flush();
    expect(port.options?.address).toBe('10.0.0.9');
    timer.advance(4999);
    await flush();
    expect(outcome).toBeUndefined();
    timer.advance(1);
    await flush();
    expect(outcome).toMatchObject({ code: 'ERR_HTTP_TIMEOUT' });
    expect(port.closed).toBe(true);
    expect(timer.pending()).toBe(0);
  });

  it('idle timer restarts on every byte: a slow but steady answer completes', async () => {
    const clock = createManualClock();
    const timer = createVirtualTimer(clock);
    const port = scriptedPort();
    const client = new HttpClient({ socket: port, timer, idleTimeoutMs: 1000 });
    const pending = client.request({ host: 'server.local', path: '/x' });
    await flush();
    port.options!.onWritable!(4096);
    await flush();
    expect(new TextDecoder().decode(port.written[0])).toMatch(/^GET \/x HTTP\/1\.1\r\nHost: server\.local\r\n/);
    const answer = new TextEncoder().encode('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd');
    for (const byte of answer) {
      timer.advance(900); // under the idle limit each time, far over it in total
      port.inbox.push(new Uint8Array([byte]));
      port.options!.onReadable!(1);
      await flush();
    }
    const response = await pending;
    expect(new TextDecoder().decode(await response.bytes())).toBe('abcd');
    expect(port.closed).toBe(true);
    expect(timer.pending()).toBe(0);
  });

  it('a peer that closes before answering gives ERR_HTTP_PROTOCOL, not a hang', async () => {
    const clock = createManualClock();
    const timer = createVirtualTimer(clock);
    const port = scriptedPort();
    const pending = new HttpClient({ socket: port, timer }).request({ host: 'server.local', path: '/' });
    await flush();
    port.options!.onWritable!(100);
    await flush();
    port.options!.onClose!();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_HTTP_PROTOCOL' });
  });

  it('a socket error fails the request with that error', async () => {
    const clock = createManualClock();
    const timer = createVirtualTimer(clock);
    const port = scriptedPort();
    const pending = new HttpClient({ socket: port, timer }).request({ host: 'server.local', path: '/' });
    await flush();
    port.options!.onError!(Object.assign(new Error('reset'), { code: 'ERR_SOCKET_CLOSED' }));
    await expect(pending).rejects.toMatchObject({ code: 'ERR_SOCKET_CLOSED' });
  });

  it('writes no more than the writable count and waits for onWritable', async () => {
    const clock = createManualClock();
    const timer = createVirtualTimer(clock);
    const port = scriptedPort();
    let writable = 0;
    const connect = port.connect.bind(port);
    port.connect = (options) => {
      const socket = connect(options);
      return { ...socket, write: (bytes) => { if (bytes.length > writable) throw new Error('overflow'); writable -= bytes.length; port.written.push(bytes.slice()); return writable; } };
    };
    const body = new Uint8Array(1000).fill(7);
    const pending = new HttpClient({ socket: port, timer }).request({ host: 'server.local', method: 'POST', path: '/u', body });
    pending.catch(() => undefined);
    await flush();
    writable = 64;
    port.options!.onWritable!(64);
    await flush();
    let total = port.written.reduce((n, b) => n + b.length, 0);
    expect(total).toBe(64);
    while (total < 1000) {
      writable = 300;
      port.options!.onWritable!(300);
      await flush();
      total = port.written.reduce((n, b) => n + b.length, 0);
    }
    const sent = Buffer.concat(port.written).toString('latin1');
    expect(sent).toContain('Content-Length: 1000\r\n');
    expect(sent.endsWith('\x07'.repeat(1000))).toBe(true);
  });

  it('refuses to be built without its ports', () => {
    expect(() => new HttpClient({ socket: undefined as never, timer: createVirtualTimer(createManualClock()) })).toThrow(expect.objectContaining({ code: 'ERR_PORT_MISSING' }));
  });
});
