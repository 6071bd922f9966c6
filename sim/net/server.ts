/**
 * The real OTA server (ota-server/app.ts) in the simulator's process, over real HTTP on an
 * ephemeral port, with SQLite in a temporary directory. The simulator drives it the way an
 * operator does, through its API with an admin token (keys, devices, firmware, rollouts).
 *
 * Time: the server's clock is virtual. A device's request is answered at that device's own
 * virtual instant (its wake's true time: devices run concurrently within a short slice of
 * virtual time, and a check-in answer carries the time the device sets its clock by), found
 * from the request path through an AsyncLocalStorage entered when the request arrives; other
 * work (rollout soak ticks, API calls) runs at the simulator's current virtual time.
 *
 * Outage: the listener stops accepting (server-outage fault) and starts again on the same port.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp, type OtaApp } from '../../ota-server/app.js';
import { openStore } from '../../ota-server/store/index.js';

export interface SimServerOptions {
  dataDir: string;
  broker: { host: string; port: number };
  topicPrefix: string;
  /** The simulator's current virtual time (UTC ms). */
  now: () => number;
  /** A device's current wake time, if it is awake. */
  deviceNow: (deviceId: string) => number | undefined;
}

export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
}

export interface SimServer {
  readonly app: OtaApp;
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly up: boolean;
  api<T = unknown>(method: string, path: string, body?: unknown, raw?: { bytes: Uint8Array; contentType: string }): Promise<ApiAnswer<T>>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

const CHECKIN_PATH = /^\/v1\/devices\/([^/?]+)\/checkin/;

export async function startSimServer(options: SimServerOptions): Promise<SimServer> {
  const requestTime = new AsyncLocalStorage<number>();
  // Whole milliseconds: the server's answers carry integer times.
  const now = (): number => Math.round(requestTime.getStore() ?? options.now());
  const store = await openStore({ dataDir: options.dataDir, nowMs: options.now() });
  const app = await buildApp({
    store,
    dataDir: options.dataDir,
    now,
    // SIM_SERVER_LOG=info (or debug): the server's own pino log on stdout, for debugging a run.
    logger: process.env['SIM_SERVER_LOG'] === undefined ? false : { level: process.env['SIM_SERVER_LOG'] },
    // A fleet behind one NAT looks like one client: the limit is for the real world, not the model.
    rateLimit: false,
    mqtt: { brokers: [{ host: options.broker.host, port: options.broker.port }], topicPrefix: options.topicPrefix },
    // Rollout soak times advance on the virtual clock: the simulator ticks them.
    tickMs: 0,
    statusFlushMs: 0,
  });
  const server = app.app.server;
  // Runs before Fastify's own 'request' listener, in the same synchronous emit: the store set
  // here is what every continuation of this request's handling sees.
  server.prependListener('request', (req: IncomingMessage) => {
    const m = CHECKIN_PATH.exec(req.url ?? '');
    const at = m === null ? undefined : options.deviceNow(decodeURIComponent(m[1]!));
    requestTime.enterWith(at ?? options.now());
  });
  await app.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (server.address() as AddressInfo).port;
  const adminToken = (await app.services.tokens.bootstrapAdmin(undefined))!;
  const url = `http://127.0.0.1:${port}`;
  let up = true;

  return {
    app,
    host: '127.0.0.1',
    port,
    url,
    get up() { return up; },
    async api<T>(method: string, path: string, body?: unknown, raw?: { bytes: Uint8Array; contentType: string }): Promise<ApiAnswer<T>> {
      // Through app.inject: the operator's calls keep working while devices see an outage.
      const headers: Record<string, string> = { authorization: `Bearer ${adminToken}` };
      let payload: string | Buffer | undefined;
      if (raw !== undefined) {
        headers['content-type'] = raw.contentType;
        payload = Buffer.from(raw.bytes);
      } else if (body !== undefined) {
        headers['content-type'] = 'application/json';
        payload = JSON.stringify(body);
      }
      const res = await requestTime.run(options.now(), () => app.app.inject({
        method: method as 'GET', url: path, headers, ...(payload === undefined ? {} : { payload }),
      }));
      const text = res.body;
      let parsed: unknown = text;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.statusCode, body: parsed as T };
    },
    async stop() {
      if (!up) return;
      up = false;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    async start() {
      if (up) return;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
      up = true;
    },
    async close() {
      if (up) server.closeAllConnections();
      up = false;
      try {
        await app.app.close();
      } catch (error) {
        // Closing while the listener is down (an outage at the end of the run) is fine.
        if ((error as { code?: string }).code !== 'ERR_SERVER_NOT_RUNNING') throw error;
      }
    },
  };
}
