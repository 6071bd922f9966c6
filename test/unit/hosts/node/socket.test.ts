import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFirmwareError, type Socket } from '../../../../firmware/index.js';
import { createNodeSocketPort } from '../../../../hosts/node/socket.js';
import { describeSocketContract } from '../../../contract/socket.js';

describeSocketContract('node (net)', () => createNodeSocketPort());
describeSocketContract('node (net, 1 kB send buffer)', () => createNodeSocketPort({ sendBufferBytes: 1024 }));

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.runIf(hasOpenssl())('node socket over TLS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'socket-tls-'));
  let server: tls.Server;
  let port: number;
  let caDer: Uint8Array;

  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
      '-subj', '/CN=broker.test', '-addext', 'subjectAltName=DNS:broker.test',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const cert = readFileSync(join(dir, 'cert.pem'));
    caDer = new Uint8Array(new X509Certificate(cert).raw);
    server = tls.createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (s) => {
      s.on('error', () => undefined);
      s.on('data', (d) => s.write(d));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  function connect(tlsOptions: { host: string; ca?: Uint8Array[] }): Promise<{ socket: Socket; result: 'open' | Error; data: Promise<Uint8Array> }> {
    return new Promise((resolve) => {
      let resolveData!: (b: Uint8Array) => void;
      const data = new Promise<Uint8Array>((r) => (resolveData = r));
      const socket: Socket = createNodeSocketPort().connect({
        address: '127.0.0.1', port, tls: tlsOptions,
        onWritable: () => resolve({ socket, result: 'open', data }),
        onReadable: () => resolveData(socket.read()!),
        onError: (error) => resolve({ socket, result: error, data }),
      });
    });
  }

  it('verifies the server against a DER CA and the SNI host name, then carries bytes', async () => {
    const { socket, result, data } = await connect({ host: 'broker.test', ca: [caDer] });
    expect(result).toBe('open');
    socket.write(Uint8Array.of(0xc0, 0x00));
    expect(await data).toEqual(Uint8Array.of(0xc0, 0x00));
    socket.close();
  });

  it('refuses a certificate for another host name (ERR_SOCKET_CONNECT)', async () => {
    const { socket, result } = await connect({ host: 'other.test', ca: [caDer] });
    expect(isFirmwareError(result, 'ERR_SOCKET_CONNECT')).toBe(true);
    socket.close();
  });

  it('refuses a server whose CA is not trusted (ERR_SOCKET_CONNECT)', async () => {
    const { socket, result } = await connect({ host: 'broker.test' });
    expect(isFirmwareError(result, 'ERR_SOCKET_CONNECT')).toBe(true);
    socket.close();
  });
});

describe('node socket arguments', () => {
  it('takes an IP address only (ECMA-419): a host name throws ERR_SOCKET_CONNECT', () => {
    expect(() => createNodeSocketPort().connect({ address: 'localhost', port: 1 })).toThrowError(expect.objectContaining({ code: 'ERR_SOCKET_CONNECT' }));
  });
});
