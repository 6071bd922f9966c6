/** Rollouts: create (operator), read (viewer), and the operator's advance, pause, resume, abort. */
import type { FastifyPluginAsync } from 'fastify';
import type { RolloutAction, RolloutDefinition } from '../../services/rollouts.js';
import type { DeviceRolloutState, RolloutState } from '../../store/types.js';
import type { RouteOptions } from '../common.js';
import { page } from '../common.js';
import * as S from './schemas.js';

const ACTIONS: ReadonlyArray<[RolloutAction, string]> = [
  ['advance', 'Advance to the next stage (past the last: complete the rollout)'],
  ['pause', 'Pause: no new offers'],
  ['resume', 'Resume a paused rollout (restarts the soak clock)'],
  ['abort', 'Abort: no more offers, the target is free for a new rollout'],
];

const rollouts: FastifyPluginAsync<RouteOptions> = async (app, { services }) => {
  app.post<{ Body: RolloutDefinition }>('/rollouts', { config: { access: { role: 'operator' } }, schema: S.create }, async (request, reply) => {
    const rollout = await services.rollouts.create({ ...request.body, tags: request.body.tags ?? [] });
    request.log.info({ rolloutId: rollout.id, firmware: rollout.firmwareSha256, board: rollout.board, tags: rollout.tags, stages: rollout.stages }, 'rollout created');
    reply.code(201);
    return rollout;
  });

  app.get<{ Querystring: { state?: RolloutState } }>('/rollouts', { config: { access: { role: 'viewer' } }, schema: S.list }, async (request) => {
    const state = request.query.state;
    return { rollouts: await services.ctx.store.listRollouts(state === undefined ? {} : { states: [state] }) };
  });

  app.get<{ Params: { id: string } }>('/rollouts/:id', { config: { access: { role: 'viewer' } }, schema: S.status },
    async (request) => services.rollouts.status(request.params.id));

  app.get<{ Params: { id: string }; Querystring: { state?: DeviceRolloutState; limit?: string; offset?: string } }>('/rollouts/:id/devices', {
    config: { access: { role: 'viewer' } }, schema: S.devices,
  }, async (request) => {
    await services.rollouts.get(request.params.id);
    return { devices: await services.ctx.store.listRolloutDevices(request.params.id, { state: request.query.state, ...page(request.query) }) };
  });

  for (const [action, summary] of ACTIONS) {
    app.post<{ Params: { id: string }; Body: { reason?: string } | undefined }>(`/rollouts/:id/${action}`, {
      config: { access: { role: 'operator' } }, schema: S.action(summary),
    }, async (request) => {
      const rollout = await services.rollouts.act(request.params.id, action, request.body?.reason);
      request.log.info({ rolloutId: rollout.id, action, state: rollout.state, stageIndex: rollout.stageIndex }, 'rollout changed by hand');
      return rollout;
    });
  }
};

export default rollouts;
