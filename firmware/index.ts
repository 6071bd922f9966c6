/**
 * Public API of the firmware core. Hosts, the simulator and the server import the core
 * through this module only; everything else in firmware/ is internal.
 */
export * from './ports/index.js';
export { ERROR_CODES, FirmwareError, isFirmwareError, RETIRED_CODES, type ErrorCode } from './errors.js';
export type {
  CheckInAnswer, DeviceStatus, Report, Retainable, UpdateOutcome, UpdateStep, UplinkStep, WindowOutcome, WindowReason,
} from './node/steps.js';
export { RETAINED_SECTION } from './node/retained-record.js';
