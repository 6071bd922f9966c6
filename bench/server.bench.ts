/**
 * Server throughput (toolchain.md section 7): check-ins per second against 10,000 registered
 * devices on SQLite, and a bare node:http server answering the same number of bytes, in the
 * same run on the same machine. Each server runs in a child process (this file, started with
 * `child`); autocannon drives them from this process, 50 connections, 1 s warm-up, then 5 s,
 * alternating, five times each (about 60 s in all, plus seeding); the ratio is the median of
 * the five back-to-back pairs.
 *
 * The check-in server is the app as main.ts builds it (rate limits on, status written behind
 * every STATUS_FLUSH_MS, pino at warn, request logging off, so check-ins take the direct path
 * of routes/checkin/direct.ts). Every request is a CBOR check-in from one of the 10,000
 * devices in turn, with its own token, as the device sends it; a fleet config is in force
 * and the devices run its version, so the answer is the server time only, as for most
 * check-ins of a settled fleet. Results on 2 shared cores are relative numbers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { encodeCheckIn, encodeCheckInAnswer } from '../firmware/messages/checkin.js';
import { DEFAULT_NODE_CONFIG } from '../firmware/node/config.js';

const DEVICES = 10_000;
const CONNECTIONS = 50;
const WARMUP_S = 1;
const DURATION_S = 5;
const ROUNDS = 5;

interface Seeded { port: number; answerBytes: number; configVersion: number; tokens: string[] }

/** The id of registered device i, as seeded and as its check-ins name it. */
function deviceIdOf(i: number): string {
  return `node-${String(i).padStart(5, '0')}`;
}

function body(id: string, configVersion: number): Buffer {
  return Buffer.from(encodeCheckIn({
    deviceId: id, firmwareVersion: '1.4.2', slot: 1, bootState: 'valid', batteryVolts: 3.87, configVersion,
    outbox: { records: 3, bytes: 212, dropped: 0, thinned: 0 }, deviceTimeMs: 1_764_000_000_000,
  }, 'cbor'));
}

// ---- children ---------------------------------------------------------------------------

async function checkinChild(dir: string): Promise<void> {
  const { openStore } = await import('../ota-server/store/index.js');
  const { buildApp } = await import('../ota-server/app.js');
  const { generateSecret, hashSecret } = await import('../ota-server/auth/secrets.js');
  const { STATUS_FLUSH_MS } = await import('../ota-server/services/checkin.js');
  const store = await openStore({ dataDir: dir });
  const { app, services } = await buildApp({ store, dataDir: dir, logger: { level: 'warn' }, statusFlushMs: STATUS_FLUSH_MS, tickMs: 0 });
  const ids = Array.from({ length: DEVICES }, (_, i) => deviceIdOf(i));
  await store.createDevices(ids.map((id) => ({ id, board: 'esp32-c3', tags: ['field'], claimHash: hashSecret(`claim-${id}`) })), Date.now());
  const tokens: string[] = [];
  for (const id of ids) {
    const token = generateSecret('device');
    await store.claimDevice(id, hashSecret(`claim-${id}`), { tokenHash: hashSecret(token), mqttPasswordHash: hashSecret(generateSecret('mqtt')) }, Date.now());
    tokens.push(token);
  }
  const { deviceId: _d, version: _v, ...doc } = JSON.parse(JSON.stringify(DEFAULT_NODE_CONFIG)) as Record<string, unknown>;
  const config = await services.configs.put('fleet', doc);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const answerBytes = encodeCheckInAnswer({ serverTimeMs: Date.now() }, 'cbor').length;
  const seeded: Seeded = { port: (app.server.address() as AddressInfo).port, answerBytes, configVersion: config.version, tokens };
  writeFileSync(join(dir, 'seeded.json'), JSON.stringify(seeded));
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

async function rawChild(dir: string, bytes: number): Promise<void> {
  const server = createServer((req, res) => {
    // Read the request body as the real server must, then answer `bytes` bytes (built per request, as the app does).
    req.on('data', () => {});
    req.on('end', () => {
      const answer = Buffer.alloc(bytes, 0x61);
      answer.writeDoubleBE(Date.now(), 0);
      res.writeHead(200, { 'content-type': 'application/cbor', 'content-length': bytes });
      res.end(answer);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    writeFileSync(join(dir, 'raw.json'), JSON.stringify({ port: (server.address() as AddressInfo).port }));
    process.stdout.write('ready\n');
  });
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
}

// ---- parent ---------------------------------------------------------------------------------

const here = fileURLToPath(import.meta.url);

function startChild(args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', here, 'child', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => { if (c.toString().includes('ready')) resolve(child); });
    child.on('exit', (code) => reject(new Error(`bench child ${args[0]} exited with ${code}`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

interface Load { reqPerSec: number; p99Ms: number; errors: number; non2xx: number }

/** The middle value (ROUNDS is odd). */
function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[values.length >> 1]!;
}

// autocannon ships no types: imported by a name TypeScript does not resolve, typed here for the part used.
type Cannon = (o: Record<string, unknown>) => Promise<{ requests: { average: number }; latency: { p99: number }; errors: number; non2xx: number; timeouts: number }>;
const AUTOCANNON: string = 'autocannon';

async function load(url: string, requests: Array<Record<string, unknown>>): Promise<Load> {
  const cannon = ((await import(AUTOCANNON)) as { default: Cannon }).default;
  const options = { url, connections: CONNECTIONS, method: 'POST', requests };
  await cannon({ ...options, duration: WARMUP_S });
  const r = await cannon({ ...options, duration: DURATION_S });
  return { reqPerSec: r.requests.average, p99Ms: r.latency.p99, errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

export async function run(): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'ota-bench-'));
  const children: ChildProcess[] = [];
  try {
    const checkinServer = await startChild(['checkin', dir]);
    children.push(checkinServer);
    const seeded = JSON.parse(readFileSync(join(dir, 'seeded.json'), 'utf8')) as Seeded;
    const rawServer = await startChild(['raw', dir, String(seeded.answerBytes)]);
    children.push(rawServer);
    const rawPort = (JSON.parse(readFileSync(join(dir, 'raw.json'), 'utf8')) as { port: number }).port;
    const bodies = Array.from({ length: DEVICES }, (_, i) => body(deviceIdOf(i), seeded.configVersion));
    // The same request sequence for both servers, so the client (sharing the cores) does the same work.
    const sequence = () => {
      let next = 0;
      return [{
        setupRequest: (request: Record<string, unknown>) => {
          const i = next++ % DEVICES;
          return {
            ...request, method: 'POST', path: `/v1/devices/${deviceIdOf(i)}/checkin`, body: bodies[i],
            headers: { 'content-type': 'application/cbor', accept: 'application/cbor', authorization: `Bearer ${seeded.tokens[i]}` },
          };
        },
      }];
    };
    // Alternated, ROUNDS times each. The machine's speed drifts (other jobs share its 2 cores),
    // so each check-in run is compared with the raw run right after it, and the median of those
    // ratios is reported, with the median rates beside it.
    const pairs: Array<{ checkin: Load; raw: Load }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const checkin = await load(`http://127.0.0.1:${seeded.port}`, sequence());
      const raw = await load(`http://127.0.0.1:${rawPort}`, sequence());
      pairs.push({ checkin, raw });
    }
    const ratios = pairs.map((p) => p.checkin.reqPerSec / p.raw.reqPerSec);
    const failures = pairs.reduce((n, p) => n + p.checkin.non2xx + p.checkin.errors, 0);
    if (failures > 0) process.stderr.write(`server bench: ${failures} non-2xx or failed check-ins\n`);
    process.stderr.write(`server bench: ratio per round ${ratios.map((r) => r.toFixed(3)).join(' ')}\n`);
    const checkinRates = pairs.map((p) => p.checkin.reqPerSec);
    const medianCheckins = median(checkinRates);
    return {
      'server.checkinsPerSec': Math.round(medianCheckins),
      'server.rawHttpPerSec': Math.round(median(pairs.map((p) => p.raw.reqPerSec))),
      'server.checkinRatio': Number(median(ratios).toFixed(3)),
      'server.checkinP99Ms': pairs[checkinRates.indexOf(medianCheckins)]!.checkin.p99Ms,
      'server.checkinFailures': failures,
      'server.answerBytes': seeded.answerBytes,
    };
  } finally {
    for (const child of children) await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child' && import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [, , , kind, dir, bytes] = process.argv;
  if (kind === 'checkin') await checkinChild(dir!);
  else await rawChild(dir!, Number(bytes));
}
