/**
 * A real server for tests: the app on a store target (SQLite or PostgreSQL), listening on an
 * ephemeral port, with a manual clock and a bootstrap admin token. restart() closes the app and
 * reopens the same data (same SQLite file and image directory, same PostgreSQL schema).
 */
import type { AddressInfo } from 'node:net';
import { buildApp, type AppOptions, type OtaApp } from '../../../ota-server/app.js';
import type { Store } from '../../../ota-server/store/index.js';
import { makeTarget, type StoreTarget } from './db.js';

export const T0 = 1_750_000_000_000;

export interface Answer {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
  text(): string;
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience: answers are read loosely
}

export interface RequestOptions {
  token?: string | undefined;
  json?: unknown;
  body?: BodyInit | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Harness {
  readonly target: StoreTarget;
  store: Store;
  server: OtaApp;
  url: string;
  adminToken: string;
  clock: { now: number };
  request(method: string, path: string, options?: RequestOptions): Promise<Answer>;
  /** An API token of a role, created through the API. */
  token(role: 'viewer' | 'operator' | 'admin'): Promise<string>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(targetName: StoreTarget['name'], options: Partial<AppOptions> = {}): Promise<Harness> {
  const target = makeTarget(targetName);
  const clock = { now: T0 };
  const appOptions = (store: Store): AppOptions => ({
    store, dataDir: target.dataDir, now: () => clock.now, rateLimit: false, tickMs: 0, ...options,
  });
  let store = await target.open(clock.now);
  let server = await buildApp(appOptions(store));
  const adminToken = (await server.services.tokens.bootstrapAdmin(undefined))!;
  const listen = async (s: OtaApp): Promise<string> => {
    await s.app.listen({ port: 0, host: '127.0.0.1' });
    return `http://127.0.0.1:${(s.app.server.address() as AddressInfo).port}`;
  };
  const h: Harness = {
    target, store, server, clock, adminToken,
    url: await listen(server),
    async request(method, path, o = {}) {
      const headers: Record<string, string> = { ...o.headers };
      if (o.token !== undefined) headers.authorization = `Bearer ${o.token}`;
      let body: BodyInit | undefined;
      if (o.json !== undefined) {
        body = JSON.stringify(o.json);
        headers['content-type'] = o.contentType ?? 'application/json';
      } else if (o.body !== undefined) {
        body = o.body as BodyInit;
        if (o.contentType !== undefined) headers['content-type'] = o.contentType;
      }
      const res = await fetch(h.url + path, { method, headers, body });
      const bytes = new Uint8Array(await res.arrayBuffer());
      return {
        status: res.status, headers: res.headers, bytes,
        text: () => Buffer.from(bytes).toString('utf8'),
        json: () => JSON.parse(Buffer.from(bytes).toString('utf8')),
      };
    },
    async token(role) {
      const a = await h.request('POST', '/v1/tokens', { token: adminToken, json: { name: `test ${role}`, role } });
      if (a.status !== 201) throw new Error(`token: ${a.status} ${a.text()}`);
      return a.json().token as string;
    },
    async restart() {
      await server.app.close();
      store = await target.open(clock.now);
      server = await buildApp(appOptions(store));
      h.store = store;
      h.server = server;
      h.url = await listen(server);
    },
    async close() {
      await server.app.close();
      await target.dispose();
    },
  };
  return h;
}
