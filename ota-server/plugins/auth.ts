/**
 * Authentication and the route-by-role rule. Every route declares `config.access`; a route
 * without one makes the app refuse to start. Each route gets its own onRequest check with its
 * access captured at registration; it runs before the body is read or validated, so a caller
 * without the right token learns nothing about a route's input.
 *
 *   access.public            anyone (the token, if sent, is still checked)
 *   access.role              API tokens of at least this role (viewer < operator < admin)
 *   access.device = 'own'    the device whose id is the route's :id
 *   access.device = 'offered' a device that was offered the route's :sha256 in a rollout
 *
 * 401 = no or unknown token; 403 = a valid token that may not use this route.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import { ServerError } from '../errors.js';
import type { Services } from '../services/index.js';
import { ROLE_RANK, type Principal } from '../services/tokens.js';
import type { ApiRole, RolloutDeviceRecord } from '../store/types.js';

export interface Access {
  public?: true;
  role?: ApiRole;
  device?: 'own' | 'offered';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

const PRINCIPAL = 'principal';
const OFFER = 'firmwareOffer';
const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous' });

export function principalOf(request: FastifyRequest): Principal {
  return request.getDecorator<Principal | null>(PRINCIPAL) ?? ANONYMOUS;
}

/** The rollout row that let a device download this firmware (access.device = 'offered'). */
export function firmwareOfferOf(request: FastifyRequest): RolloutDeviceRecord | undefined {
  return request.getDecorator<RolloutDeviceRecord | undefined>(OFFER);
}

/** Why a device token is refused a route it may use for itself but not for this device. */
export const NOT_THIS_DEVICE = 'not this device\'s resource';

/** Routes whose access is set by their owner plugin (swagger-ui's static files) rather than here. */
export const PUBLIC_PREFIXES: readonly string[] = ['/docs'];

/** The token of an Authorization header; ERR_AUTH_INVALID unless it is `Bearer <token>`. */
export function bearerOf(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer ([!-~]{1,512})$/.exec(header);
  if (match === null) throw new ServerError('ERR_AUTH_INVALID', 'expected "Authorization: Bearer <token>"');
  return match[1];
}

export interface RouteAccess {
  method: string;
  url: string;
  access: Access;
}

/** Appends a route-level hook (a new array: a GET and its HEAD twin must not share one). */
export function addRouteHook(route: RouteOptions, kind: 'onRequest' | 'preParsing' | 'onResponse', hook: unknown): void {
  const r = route as unknown as Record<string, unknown>;
  const existing = r[kind];
  const list = existing === undefined ? [] : Array.isArray(existing) ? [...(existing as unknown[])] : [existing];
  r[kind] = [...list, hook];
}

const authPlugin: FastifyPluginAsync<{ services: Services; routes?: RouteAccess[] }> = async (app: FastifyInstance, { services, routes }) => {
  app.decorateRequest(PRINCIPAL, null);
  app.decorateRequest(OFFER, undefined);

  /** The check of one route, its access captured at registration (no per-request lookup of it). */
  const guard = (access: Access) => async (request: FastifyRequest): Promise<void> => {
    const bearer = bearerOf(request.headers.authorization);
    if (bearer === undefined) {
      if (access.public === true) return;
      throw new ServerError('ERR_AUTH_REQUIRED');
    }
    const principal = await services.tokens.authenticate(bearer);
    if (principal === undefined) throw new ServerError('ERR_AUTH_INVALID');
    request.setDecorator(PRINCIPAL, principal);
    if (access.public === true) return;
    if (principal.kind === 'api') {
      if (access.role !== undefined && ROLE_RANK[principal.token.role] >= ROLE_RANK[access.role]) return;
      throw new ServerError('ERR_FORBIDDEN', access.role === undefined ? 'devices only' : `needs role ${access.role}`);
    }
    if (principal.kind === 'device') {
      const params = request.params as Record<string, string | undefined>;
      if (access.device === 'own' && params.id === principal.device.id) return;
      if (access.device === 'offered' && params.sha256 !== undefined) {
        const row = await services.ctx.store.findOfferOfFirmware(principal.device.id, params.sha256);
        if (row !== undefined) {
          request.setDecorator(OFFER, row);
          return;
        }
      }
      throw new ServerError('ERR_FORBIDDEN', access.device === undefined ? 'not for devices' : NOT_THIS_DEVICE);
    }
    throw new ServerError('ERR_AUTH_REQUIRED');
  };

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    let access = route.config?.access;
    if (access === undefined) {
      if (!PUBLIC_PREFIXES.some((p) => route.url === p || route.url.startsWith(`${p}/`))) {
        throw new Error(`route ${methods.join(',')} ${route.url} declares no config.access`);
      }
      access = { public: true };
      route.config = { ...route.config, access };
    }
    if (access.public !== true && access.role === undefined && access.device === undefined) {
      throw new Error(`route ${methods.join(',')} ${route.url} grants nobody access`);
    }
    for (const method of methods) routes?.push({ method, url: route.url, access });
    addRouteHook(route, 'onRequest', guard(access));
  });
};

export default fp(authPlugin, { name: 'ota-auth', fastify: '5.x' });
