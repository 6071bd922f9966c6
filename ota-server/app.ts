/**
 * Builds the OTA server as a Fastify app: injectable (store, clock, crypto, logger, limits), so
 * tests run it over real HTTP on any store and main.ts runs it for real.
 *
 * Layout (style item 13): shared services wrapped with fastify-plugin (auth, metrics, errors,
 * rate limits, OpenAPI); one encapsulated plugin per resource under routes/, with its schemas
 * beside it, all under /v1.
 */
import { createServer, type ServerOptions } from 'node:http';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { createNodeCrypto, type CryptoPort } from './core.js';
import inputPolicy from './plugins/input-policy.js';
import authPlugin, { type Access, type RouteAccess } from './plugins/auth.js';
import errorsPlugin from './plugins/errors.js';
import { lazyChildLogger } from './plugins/lazy-logger.js';
import metricsPlugin, { createMetrics, type Metrics } from './plugins/metrics.js';
import rateLimitPlugin, { RateLimiter } from './plugins/rate-limit.js';
import { checkInAnswerer } from './routes/checkin/answer.js';
import { directCheckIn, type DirectHandler } from './routes/checkin/direct.js';
import checkinRoutes from './routes/checkin/index.js';
import { ERROR_SCHEMA } from './routes/common.js';
import configRoutes from './routes/config/index.js';
import deviceRoutes from './routes/devices/index.js';
import firmwareRoutes from './routes/firmware/index.js';
import keyRoutes from './routes/keys/index.js';
import provisioningRoutes from './routes/provisioning/index.js';
import rolloutRoutes from './routes/rollouts/index.js';
import systemRoutes from './routes/system/index.js';
import tokenRoutes from './routes/tokens/index.js';
import type { MqttSettings } from './services/context.js';
import { ImageFiles } from './services/image-files.js';
import { createServices, type Services } from './services/index.js';
import type { Store } from './store/types.js';

export interface AppOptions {
  store: Store;
  /** Firmware images go to `<dataDir>/firmware`. */
  dataDir: string;
  /** UTC ms; default Date.now. */
  now?: () => number;
  crypto?: CryptoPort;
  /** Fastify logger option: false (default for tests), true, or pino options. */
  logger?: FastifyServerOptions['logger'];
  /** Fastify's two log lines per request (off by default: the server logs what it decides). */
  logRequests?: boolean;
  /** Per token (or per IP without one). false disables. Default 600 per minute. */
  rateLimit?: { max: number; timeWindowMs: number } | false;
  /** Default body limit for JSON routes; device messages and uploads have their own. Default 64 KiB. */
  bodyLimit?: number;
  /** Largest firmware image accepted. Default 16 MiB. */
  maxImageBytes?: number;
  mqtt?: MqttSettings;
  /** Write last-seen and status behind in batches of this many ms (0: at once). */
  statusFlushMs?: number;
  /** How often to advance rollouts whose soak time is over; 0 disables the timer. Default 10 s. */
  tickMs?: number;
  /** Node process metrics (main.ts turns them on). */
  defaultMetrics?: boolean;
  /** Close the store when the app closes (main.ts); tests that reopen it keep it. Default true. */
  closeStore?: boolean;
  /**
   * Answer well-formed device check-ins from node:http ahead of Fastify's router
   * (routes/checkin/direct.ts). Default true; off while logRequests is on, so every request
   * is logged.
   */
  directCheckIn?: boolean;
}

export interface OtaApp {
  app: FastifyInstance;
  /** Every route with the access it declares (the route-by-role matrix walks it). */
  routes: readonly RouteAccess[];
  services: Services;
  metrics: Metrics;
}

const DEFAULT_MQTT: MqttSettings = { brokers: [{ host: '127.0.0.1', port: 1883 }] };

/** What Fastify hands serverFactory: its options, with the server defaults filled in (fastify.js). */
interface FastifyServerSettings {
  http?: ServerOptions;
  keepAliveTimeout: number;
  requestTimeout: number;
  connectionTimeout: number;
  maxRequestsPerSocket: number;
}

export async function buildApp(options: AppOptions): Promise<OtaApp> {
  // Set once the services exist; until then (and when off) every request goes to Fastify.
  let direct: DirectHandler | undefined;
  const app = Fastify({
    // Fastify's own server settings (lib/server.js), with the direct check-in in front.
    serverFactory: (handler, given) => {
      const o = given as unknown as FastifyServerSettings;
      const server = createServer(o.http ?? {}, (request, response) => {
        if (direct === undefined || !direct(request, response)) handler(request, response);
      });
      server.keepAliveTimeout = o.keepAliveTimeout;
      server.requestTimeout = o.requestTimeout;
      server.setTimeout(o.connectionTimeout);
      if (o.maxRequestsPerSocket > 0) server.maxRequestsPerSocket = o.maxRequestsPerSocket;
      return server;
    },
    logger: options.logger ?? false,
    logController: new LogController({ disableRequestLogging: options.logRequests !== true }),
    childLoggerFactory: lazyChildLogger,
    bodyLimit: options.bodyLimit ?? 64 * 1024,
    // No type coercion: "1" is not 1. Unknown fields are refused, not silently removed.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, useDefaults: false, allErrors: false } },
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
  });
  const now = options.now ?? Date.now;
  const services = createServices({
    store: options.store,
    images: new ImageFiles(options.dataDir),
    crypto: options.crypto ?? createNodeCrypto(),
    now,
    log: app.log,
    mqtt: options.mqtt ?? DEFAULT_MQTT,
  }, { statusFlushMs: options.statusFlushMs ?? 0 });
  const metrics = createMetrics(options.store, { defaultMetrics: options.defaultMetrics });
  services.rollouts.onStateChange = (rollout, previous, why) => {
    metrics.rolloutTransitions.inc({ to: rollout.state });
    app.log.info({ rolloutId: rollout.id, from: previous, to: rollout.state, stageIndex: rollout.stageIndex, why }, 'rollout state');
  };

  const answer = checkInAnswerer(services, metrics);

  app.addSchema(ERROR_SCHEMA);
  // Before anything that adds routes: auth checks every route's access declaration as it is added.
  await app.register(errorsPlugin, { metrics });
  const routes: RouteAccess[] = [];
  await app.register(authPlugin, { services, routes });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'OTA and provisioning server',
        version: '1',
        description: 'Device identity, signed firmware store, staged rollouts, check-in and remote config. '
          + 'Every route states who may call it (x-access); see docs/server.md.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'API token, or a device token on device routes' } } },
      security: [{ bearer: [] }],
    },
    transform: ({ schema, url, route }) => {
      const access = (route.config as { access?: Access } | undefined)?.access;
      const transformed = { ...(schema as Record<string, unknown>) };
      if (access !== undefined) {
        const who = access.public === true ? 'anyone' : [access.role === undefined ? undefined : `${access.role} or above`,
          access.device === 'own' ? 'the device itself' : access.device === 'offered' ? 'a device offered this image' : undefined].filter(Boolean).join(', or ');
        transformed['x-access'] = access;
        transformed.description = [`Access: ${who}.`, transformed.description].filter(Boolean).join(' ');
        if (access.public === true) transformed.security = [];
      }
      return { schema: transformed, url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  const limit = options.rateLimit === false ? undefined : options.rateLimit ?? { max: 600, timeWindowMs: 60_000 };
  const limiter = limit === undefined ? undefined : new RateLimiter(limit.max, limit.timeWindowMs);
  if (limiter !== undefined) await app.register(rateLimitPlugin, { limiter });
  await app.register(inputPolicy);
  await app.register(metricsPlugin, { metrics });
  await app.register(systemRoutes, { services });
  await app.register(async (v1) => {
    await v1.register(tokenRoutes, { services });
    await v1.register(keyRoutes, { services });
    await v1.register(deviceRoutes, { services });
    await v1.register(provisioningRoutes, { services });
    await v1.register(checkinRoutes, { services, answer });
    await v1.register(firmwareRoutes, { services, maxImageBytes: options.maxImageBytes ?? 16 * 1024 * 1024 });
    await v1.register(rolloutRoutes, { services });
    await v1.register(configRoutes, { services });
  }, { prefix: '/v1' });

  if (options.directCheckIn !== false && options.logRequests !== true) {
    let closing = false;
    app.addHook('preClose', async () => { closing = true; });
    direct = directCheckIn({ tokens: services.tokens, answer, metrics, limiter, log: app.log, closing: () => closing });
  }

  const tickMs = options.tickMs ?? 10_000;
  let ticker: NodeJS.Timeout | undefined;
  if (tickMs > 0) {
    ticker = setInterval(() => {
      services.rollouts.tick().catch((error: unknown) => app.log.error({ err: error }, 'rollout tick failed'));
    }, tickMs);
    ticker.unref();
  }
  app.addHook('onClose', async () => {
    if (ticker !== undefined) clearInterval(ticker);
    await services.statusWriter.flush();
    if (options.closeStore !== false) await options.store.close();
  });
  await app.ready();
  return { app, routes, services, metrics };
}
