/**
 * The node host: implementations of the firmware's ports for tests, the simulator and demos.
 * Each passes the contract suite of its port (test/contract/*.ts).
 */
export { createManualClock, createSystemClock, DEFAULT_EPOCH_MS, type ManualClock, type ManualClockOptions } from './clock.js';
export { createMemoryRetained, DEFAULT_RETAINED_CAPACITY, type MemoryRetained } from './retained.js';
export { createMemoryKv } from './kv.js';
export { createFileKv } from './kv-file.js';
export { createMathRandom, createSeededRandom, type SeededRandom } from './random.js';
export { createSystemTimer, createVirtualTimer, type VirtualTimer } from './timer.js';
export {
  createBmp280Sim, createSht3xSim,
  type Bmp280Options, type SensorFaults, type Sht3xOptions, type SimulatedSensor, type SimulatedSensorOptions,
} from './sensors.js';
export { constant, ramp, sine, steps, sum, type Signal } from './signals.js';
export {
  createFixedBattery, createLiIonBattery, createSimulatedPower,
  type BatteryModel, type SimulatedPower, type SimulatedPowerOptions, type SleepRecord,
} from './power.js';
export { createConsoleLog, createMemoryLog, formatLogLine, type LogEntry, type MemoryLog } from './log.js';
export { createNodeSocketPort, type NodeSocketPortOptions } from './socket.js';
