/** Builds the services from one context: the app's single wiring point. */
import { CheckInService, StatusWriter } from './checkin.js';
import { ConfigService } from './configs.js';
import type { ServiceContext } from './context.js';
import { DeviceService } from './devices.js';
import { FirmwareService } from './firmware.js';
import { RolloutService } from './rollouts.js';
import { TokenService } from './tokens.js';

export interface Services {
  ctx: ServiceContext;
  tokens: TokenService;
  devices: DeviceService;
  configs: ConfigService;
  firmware: FirmwareService;
  rollouts: RolloutService;
  checkIns: CheckInService;
  statusWriter: StatusWriter;
}

export function createServices(ctx: ServiceContext, options: { statusFlushMs: number }): Services {
  const configs = new ConfigService(ctx);
  const firmware = new FirmwareService(ctx);
  const rollouts = new RolloutService(ctx, firmware);
  const tokens = new TokenService(ctx);
  const statusWriter = new StatusWriter(ctx.store, options.statusFlushMs, (error) => ctx.log.error({ err: error }, 'status write failed'));
  return {
    ctx,
    tokens,
    devices: new DeviceService(ctx, configs),
    configs,
    firmware,
    rollouts,
    checkIns: new CheckInService(ctx, rollouts, configs, statusWriter),
    statusWriter,
  };
}

export type { Principal } from './tokens.js';
