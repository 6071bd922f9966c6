/**
 * Where the devices' firmware runs. The run loop (sim/run.ts) talks to every device through a
 * DeviceHandle, whichever engine holds it:
 * - node: device hosts (sim/hosting/) in this process or in child processes, the core on Node;
 * - xs:   the core on the XS engine inside xsnap workers (sim/xs/), sockets and timers bridged.
 */
import type { WakeInput, WakeSummary } from './device/program.js';
import type { ReceivedLog } from './net/received.js';

export interface DeviceHandle {
  readonly id: string;
  wake(input: WakeInput): Promise<WakeSummary>;
  powerCut(): Promise<void>;
  /** The device stayed awake this long (pending verify): battery drain. */
  idle(ms: number): Promise<void>;
}

export interface Engine {
  readonly name: string;
  readonly devices: readonly DeviceHandle[];
  /** Per device (run order): [first, last] sequence numbers of the reports still in its outbox. */
  queued(): Promise<[number, number][][]>;
  /** Firmware warn/error log counts by code, over the fleet. */
  logCounts(): Promise<Record<string, number>>;
  /** CPU seconds the device hosts used (0 when they run in the simulator's process). */
  cpuSeconds(): Promise<number>;
  /** Logic mode: the modelled broker and server go down or come back. */
  setModel?(model: { brokerUp?: boolean; serverUp?: boolean }): Promise<void>;
  /** Logic mode: what the modelled broker delivered, and the modelled check-ins. */
  received?(): Promise<{ log: ReceivedLog; checkIns: number }>;
  close(): Promise<void>;
}
