/**
 * Prometheus metrics (prom-client), one registry per app so tests can build many apps:
 * check-ins, malformed requests by route and reason, rollout and device-rollout state counts
 * (read from the store at scrape time, so every instance reports the shared truth), HTTP
 * durations by route template (bounded label set; duration-histogram.ts). Served at GET
 * /metrics (viewer).
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import fp from 'fastify-plugin';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { DEVICE_ROLLOUT_STATES, ROLLOUT_STATES, type Store } from '../store/types.js';
import { addRouteHook } from './auth.js';
import { DurationHistogram } from './duration-histogram.js';

export interface Metrics {
  registry: Registry;
  /** Requests no route matched (the 404 handler reports them). */
  observeUnmatched: (method: string, status: number, seconds: number) => void;
  /**
   * The duration recorder of one route (method and template fixed), its label children cached
   * by status: the metrics plugin makes one per route, the direct check-in path its own.
   */
  routeTimer: (method: string, route: string) => (status: number, seconds: number) => void;
  /** One check-in answered: with an update offer or without. */
  countCheckIn: (result: 'ok' | 'offered') => void;
  malformed: Counter<'route' | 'reason'>;
  rolloutTransitions: Counter<'to'>;
}

export function createMetrics(store: Store, options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics === true) collectDefaultMetrics({ register: registry, prefix: 'ota_' });
  // Counted in plain numbers, handed to prom-client when scraped: its inc() hashes the labels
  // on every call, and this one runs on every check-in.
  const answered = { ok: 0, offered: 0 };
  new Counter({
    name: 'ota_checkins_total', help: 'Check-ins answered, by result (ok, offered).', labelNames: ['result'], registers: [registry],
    collect() {
      for (const result of ['ok', 'offered'] as const) {
        if (answered[result] > 0) this.inc({ result }, answered[result]);
        answered[result] = 0;
      }
    },
  });
  const countCheckIn = (result: 'ok' | 'offered'): void => { answered[result] += 1; };
  const malformed = new Counter({
    name: 'ota_malformed_requests_total', help: 'Requests refused as malformed (4xx other than auth), by route template and reason code.',
    labelNames: ['route', 'reason'], registers: [registry],
  });
  const rolloutTransitions = new Counter({ name: 'ota_rollout_state_changes_total', help: 'Rollout state changes, by new state.', labelNames: ['to'], registers: [registry] });
  new Gauge({
    name: 'ota_rollouts', help: 'Rollouts by state.', labelNames: ['state'], registers: [registry],
    async collect() {
      const rollouts = await store.listRollouts();
      for (const state of ROLLOUT_STATES) this.set({ state }, rollouts.filter((r) => r.state === state).length);
    },
  });
  new Gauge({
    name: 'ota_rollout_devices', help: 'Devices of each live rollout by per-device state.', labelNames: ['rollout', 'state'], registers: [registry],
    async collect() {
      this.reset();
      for (const r of await store.listRollouts({ states: ['active', 'paused'] })) {
        const counts = await store.countRolloutDevices(r.id);
        for (const state of DEVICE_ROLLOUT_STATES) this.set({ rollout: r.id, state }, counts[state]);
      }
    },
  });
  new Gauge({
    name: 'ota_devices', help: 'Registered devices.', registers: [registry],
    async collect() { this.set(await store.countDevices()); },
  });
  const durations = new DurationHistogram({
    name: 'ota_http_request_duration_seconds', help: 'HTTP request durations by method, route template and status.',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registry,
  });
  const routeTimer = (method: string, route: string) => {
    const recorders = new Map<number, (seconds: number) => void>();
    return (status: number, seconds: number): void => {
      let record = recorders.get(status);
      if (record === undefined) {
        record = durations.recorder({ method, route, status_code: String(status) });
        recorders.set(status, record);
      }
      record(seconds);
    };
  };
  const unmatched = new Map<string, (status: number, seconds: number) => void>();
  const observeUnmatched = (method: string, status: number, seconds: number): void => {
    let observe = unmatched.get(method);
    if (observe === undefined) {
      observe = routeTimer(method, 'unmatched');
      unmatched.set(method, observe);
    }
    observe(status, seconds);
  };
  return { registry, countCheckIn, malformed, rolloutTransitions, routeTimer, observeUnmatched };
}

const metricsPlugin: FastifyPluginAsync<{ metrics: Metrics }> = async (app: FastifyInstance, { metrics }) => {
  // One hook per route with its labels fixed at registration.
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      const observe = metrics.routeTimer(method, route.url);
      // Callback style: no promise per request.
      addRouteHook(route, 'onResponse', (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
        if (request.method === method) observe(reply.statusCode, reply.elapsedTime / 1000);
        done();
      });
    }
  });
  app.get('/metrics', {
    config: { access: { role: 'viewer' } },
    schema: { tags: ['system'], summary: 'Prometheus metrics (text exposition format)', response: { 200: { type: 'string' } } },
  }, async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });
};

export default fp(metricsPlugin, { name: 'ota-metrics', fastify: '5.x' });
