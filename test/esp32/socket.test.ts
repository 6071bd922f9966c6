/**
 * The ESP32 SocketPort (hosts/esp32/socket.ts) over a fake of Moddable's lwIP TCP that keeps its
 * quirks (test/esp32/fakes.ts LwipTcp), against real servers on ephemeral ports.
 */
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FirmwareError, isFirmwareError, type Socket } from '../../firmware/index.js';
import type { TcpConstructor, TlsConstructor, TlsOptions } from '../../hosts/esp32/moddable-types.js';
import { createEsp32SocketPort, isIpLiteral, type NetworkGate } from '../../hosts/esp32/socket.js';
import { closedPort, listen, Probe } from '../contract/socket.js';
import { LwipTcp } from './fakes.js';

const up: NetworkGate = { up: () => Promise.resolve() };
const setTimer = (callback: () => void, ms: number) => {
  const t = setTimeout(callback, ms);
  return () => clearTimeout(t);
};
const tick = () => new Promise((resolve) => setTimeout(resolve, 30));

function port(network: NetworkGate = up, extra: Partial<Parameters<typeof createEsp32SocketPort>[0]> = {}) {
  return createEsp32SocketPort({ tcp: LwipTcp as unknown as TcpConstructor, resolve: () => undefined, network, setTimer, ...extra });
}

describe('ESP32 sockets over lwIP TCP', () => {
  let echo: net.Server;
  let echoPort: number;
  const peers: net.Socket[] = [];
  let sockets: Socket[] = [];

  beforeAll(async () => {
    echo = net.createServer((s) => {
      peers.push(s);
      s.on('data', (d) => s.write(d));
      s.on('error', () => undefined);
    });
    echoPort = await listen(echo);
  });
  afterEach(() => {
    for (const s of sockets) s.close();
    sockets = [];
  });
  afterAll(() => {
    for (const p of peers) p.destroy();
    echo.close();
  });

  function open(probe: Probe, p = port(), address = '127.0.0.1', at = echoPort): Socket {
    const s = probe.call(() => p.connect(probe.options(address, at)));
    sockets.push(s);
    return s;
  }

  it('announces the connection with a first onWritable, never inside connect, and echoes', async () => {
    const probe = new Probe();
    const s = open(probe);
    expect(probe.events).toEqual([]);
    const w = await probe.first('writable');
    expect(w.kind === 'writable' && w.n).toBeGreaterThan(0);
    probe.call(() => s.write(Uint8Array.of(1, 2, 3)));
    await probe.first('readable');
    expect(probe.call(() => s.read())).toEqual(Uint8Array.of(1, 2, 3));
    expect(probe.call(() => s.read())).toBeUndefined();
    expect(probe.reentrant).toBe(0);
  });

  it('refuses a write before the connection is up', () => {
    const probe = new Probe();
    const s = open(probe);
    expect(() => s.write(Uint8Array.of(1))).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_NOT_CONNECTED' }));
  });

  it('read(max) takes at most max bytes and never asks lwIP for more than waits (it would throw)', async () => {
    const probe = new Probe();
    const s = open(probe);
    await probe.first('writable');
    s.write(Uint8Array.from({ length: 10 }, (_, i) => i));
    while (probe.events.filter((e) => e.kind === 'readable').at(-1)?.kind !== 'readable' || (probe.events.filter((e) => e.kind === 'readable').at(-1) as { n: number }).n < 10) await probe.next('readable');
    expect(s.read(4)).toEqual(Uint8Array.of(0, 1, 2, 3));
    expect(s.read(100)).toEqual(Uint8Array.of(4, 5, 6, 7, 8, 9));
    expect(s.read(1)).toBeUndefined();
  });

  it('throws ERR_SOCKET_OVERFLOW past the writable count and carries a large transfer on onWritable', async () => {
    const probe = new Probe();
    const s = open(probe);
    const first = await probe.first('writable');
    const writable = (first as { n: number }).n;
    expect(() => s.write(new Uint8Array(writable + 1))).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_OVERFLOW' }));
    const total = 64 * 1024;
    let sent = 0;
    let received = 0;
    let room = writable;
    while (received < total) {
      if (sent < total && room > 0) {
        const n = Math.min(room, total - sent);
        room = s.write(new Uint8Array(n).fill(sent & 0xff));
        sent += n;
      }
      const chunk = s.read();
      if (chunk !== undefined) received += chunk.length;
      else if (room === 0 || sent === total) {
        const e = await Promise.race([probe.next('writable'), probe.next('readable')]);
        if (e.kind === 'writable') room = e.n;
      }
    }
    expect(received).toBe(total);
  });

  it('reports a refused connection with onError(ERR_SOCKET_CONNECT) once and nothing else', async () => {
    const at = await closedPort();
    const probe = new Probe();
    open(probe, port(), '127.0.0.1', at);
    const e = await probe.first('error');
    expect(e.kind === 'error' && isFirmwareError(e.error, 'ERR_SOCKET_CONNECT')).toBe(true);
    await tick();
    expect(probe.events.map((x) => x.kind)).toEqual(['error']);
  });

  it('an orderly end by the peer is onClose once; bytes before it stay readable; writes refused', async () => {
    const server = net.createServer((s) => s.end(Buffer.from([7, 8, 9])));
    const at = await listen(server);
    const probe = new Probe();
    const s = open(probe, port(), '127.0.0.1', at);
    await probe.first('readable');
    // lwIP delivers the end after the bytes are read.
    expect(s.read()).toEqual(Uint8Array.of(7, 8, 9));
    await probe.first('close');
    expect(() => s.write(Uint8Array.of(1))).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_CLOSED' }));
    await tick();
    expect(probe.count('close')).toBe(1);
    expect(probe.count('error')).toBe(0);
    server.close();
  });

  it('a reset by the peer also ends in onClose (lwIP TCP reports FIN and RST alike)', async () => {
    const server = net.createServer((s) => setTimeout(() => s.resetAndDestroy(), 10));
    const at = await listen(server);
    const probe = new Probe();
    open(probe, port(), '127.0.0.1', at);
    await probe.first('close');
    await tick();
    expect(probe.count('close')).toBe(1);
    expect(probe.count('error')).toBe(0);
    server.close();
  });

  it('close() is idempotent and stops every callback', async () => {
    const probe = new Probe();
    const s = open(probe);
    await probe.first('writable');
    s.write(Uint8Array.of(1));
    s.close();
    s.close();
    const seen = probe.events.length;
    await tick();
    expect(probe.events.length).toBe(seen);
    expect(s.read()).toBeUndefined();
    expect(() => s.write(Uint8Array.of(1))).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_CLOSED' }));
  });

  it('waits for the network before opening, and fails the socket when the join fails', async () => {
    let release!: () => void;
    const gate: NetworkGate = { up: () => new Promise<void>((resolve) => { release = resolve; }) };
    const before = LwipTcp.instances.length;
    const probe = new Probe();
    open(probe, port(gate));
    await tick();
    expect(LwipTcp.instances.length).toBe(before); // no TCP socket while the radio is down
    release();
    await probe.first('writable');
    expect(LwipTcp.instances.length).toBe(before + 1);

    const failed = new Probe();
    open(failed, port({ up: () => Promise.reject(new FirmwareError('ERR_WIFI_JOIN', 'no AP')) }));
    const e = await failed.first('error');
    expect(e.kind === 'error' && isFirmwareError(e.error, 'ERR_WIFI_JOIN')).toBe(true);
  });

  it('refuses a host name where an address is needed', () => {
    expect(() => port().connect({ address: 'broker.example.net', port: 1883 })).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_CONNECT' }));
  });
});

describe('ESP32 sockets: TLS and DNS', () => {
  it('opens Moddable\'s TLS socket with SNI, the given CA and TCP underneath', () => {
    const made: TlsOptions[] = [];
    const Tls = class {
      constructor(options: TlsOptions) {
        made.push(options);
      }
      read() { return undefined; }
      write() { return 0; }
      close() {}
    } as unknown as TlsConstructor;
    const p = port(up, { tls: Tls });
    p.connect({ address: '10.0.0.1', port: 8883, tls: { host: 'broker.example.net', ca: [Uint8Array.of(0x30, 0x82)] } });
    return new Promise<void>((resolve) => setTimeout(() => {
      expect(made).toHaveLength(1);
      expect(made[0]).toMatchObject({ address: '10.0.0.1', port: 8883, host: 'broker.example.net', TCP: { io: LwipTcp } });
      expect([...new Uint8Array(made[0]!.secure['certificate'] as ArrayBuffer)]).toEqual([0x30, 0x82]);
      resolve();
    }, 10));
  });

  it('refuses TLS when the build has no TLS socket', () => {
    expect(() => port().connect({ address: '10.0.0.1', port: 8883, tls: { host: 'x' } })).toThrow(expect.objectContaining({ code: 'ERR_SOCKET_TLS_UNSUPPORTED' }));
  });

  it('resolves IP literals without the network, names through System.resolve after it', async () => {
    const asked: string[] = [];
    let networkUp = 0;
    const p = port({ up: async () => { networkUp++; } }, {
      resolve: (name, callback) => {
        asked.push(name);
        setTimeout(() => callback(name, name === 'known.example' ? '93.184.216.34' : undefined), 1);
      },
    });
    expect(await p.resolve('10.1.2.3')).toBe('10.1.2.3');
    expect(await p.resolve('::1')).toBe('::1');
    expect(networkUp).toBe(0);
    expect(await p.resolve('known.example')).toBe('93.184.216.34');
    await expect(p.resolve('unknown.example')).rejects.toMatchObject({ code: 'ERR_DNS' });
    expect(asked).toEqual(['known.example', 'unknown.example']);
    expect(networkUp).toBe(2);
  });

  it('gives up on a name lwIP does not answer', async () => {
    const p = port(up, { resolve: () => undefined, dnsTimeoutMs: 20 });
    await expect(p.resolve('slow.example')).rejects.toMatchObject({ code: 'ERR_DNS', message: expect.stringMatching(/no answer in 20 ms/) });
  });

  it('tells IP literals from names', () => {
    for (const a of ['0.0.0.0', '192.168.1.255', '::1', 'fe80::1%en0', '2001:db8::8a2e:370:7334']) expect(isIpLiteral(a), a).toBe(true);
    for (const a of ['256.1.1.1', '1.2.3', 'example.com', 'localhost', '']) expect(isIpLiteral(a), a).toBe(false);
  });
});
