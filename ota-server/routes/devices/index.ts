/** Device registry (admin writes, viewer reads) and a device's own view of its config. */
import type { FastifyPluginAsync } from 'fastify';
import { ServerError } from '../../errors.js';
import { parseDeviceCsv, type DeviceRegistration } from '../../services/devices.js';
import type { RouteOptions } from '../common.js';
import { page } from '../common.js';
import * as S from './schemas.js';

const IMPORT_BODY_LIMIT = 4 * 1024 * 1024;

const devices: FastifyPluginAsync<RouteOptions> = async (app, { services }) => {
  // CSV arrives as text and is checked against the same schema as JSON after parsing.
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT }, (_request, body, done) => {
    try {
      done(null, { devices: parseDeviceCsv(body as string) });
    } catch (error) {
      done(error as Error);
    }
  });

  app.post<{ Body: DeviceRegistration }>('/devices', { config: { access: { role: 'admin' } }, schema: S.register }, async (request, reply) => {
    const [device] = await services.devices.register([{ ...request.body, tags: request.body.tags ?? [] }]);
    request.log.info({ deviceId: device!.id }, 'device registered');
    reply.code(201);
    return device;
  });

  app.post<{ Body: { devices: DeviceRegistration[] } }>('/devices/import', {
    config: { access: { role: 'admin' } }, schema: S.importDevices, bodyLimit: IMPORT_BODY_LIMIT,
  }, async (request, reply) => {
    const registered = await services.devices.register(request.body.devices.map((d) => ({ ...d, tags: d.tags ?? [] })));
    request.log.info({ count: registered.length }, 'devices imported');
    reply.code(201);
    return { devices: registered };
  });

  app.get<{ Querystring: { board?: string; tag?: string; limit?: string; offset?: string } }>('/devices', {
    config: { access: { role: 'viewer' } }, schema: S.list,
  }, async (request) => {
    const { board, tag } = request.query;
    const list = await services.ctx.store.listDevices({ board, tag, ...page(request.query) });
    return { devices: list, total: await services.ctx.store.countDevices({ board, tag }) };
  });

  app.get<{ Params: { id: string } }>('/devices/:id', { config: { access: { role: 'viewer' } }, schema: S.get }, async (request) => {
    const device = await services.devices.get(request.params.id);
    return { ...device, rollouts: await services.ctx.store.listRolloutDevicesOfDevice(device.id) };
  });

  app.patch<{ Params: { id: string }; Body: { tags: string[] } }>('/devices/:id', { config: { access: { role: 'admin' } }, schema: S.patch }, async (request) => {
    return services.devices.updateTags(request.params.id, request.body.tags);
  });

  app.delete<{ Params: { id: string } }>('/devices/:id', { config: { access: { role: 'admin' } }, schema: S.remove }, async (request, reply) => {
    await services.devices.remove(request.params.id);
    request.log.info({ deviceId: request.params.id }, 'device deleted');
    reply.code(204);
  });

  app.post<{ Params: { id: string } }>('/devices/:id/claim', { config: { access: { role: 'admin' } }, schema: S.resetClaim }, async (request) => {
    const claimSecret = await services.devices.resetClaim(request.params.id);
    request.log.info({ deviceId: request.params.id }, 'claim secret reset');
    return { id: request.params.id, claimSecret };
  });

  app.get<{ Params: { id: string } }>('/devices/:id/config', {
    config: { access: { role: 'viewer', device: 'own' } }, schema: S.deviceConfig,
  }, async (request) => {
    const config = await services.configs.effectiveFor(await services.devices.get(request.params.id));
    if (config === undefined) throw new ServerError('ERR_NOT_FOUND', 'no config document applies to this device');
    return config;
  });
};

export default devices;
