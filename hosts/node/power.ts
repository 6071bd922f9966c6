/**
 * PowerPort on the node host: a battery model, the reset reason and wake cause of the current
 * boot, and a record of every deepSleep and restart. deepSleep returns here (on the chip it
 * never does): the caller (test, sim) lets the time pass and runs the next cycle.
 */
import type { PowerPort, ResetReason, WakeCause, WakeSource } from '../../firmware/index.js';

export interface BatteryModel {
  volts(): number;
  /** Draws `mA` for `ms`. */
  drain(mA: number, ms: number): void;
  /** State of charge, 0..100. */
  socPercent(): number;
  usedMah(): number;
}

// Open-circuit voltage of a Li-ion cell against state of charge (typical 18650 curve).
const LI_ION_CURVE: ReadonlyArray<readonly [soc: number, volts: number]> = Object.freeze([
  [0, 3.0], [5, 3.45], [10, 3.6], [20, 3.7], [50, 3.8], [80, 4.0], [100, 4.2],
]);

export function createLiIonBattery(options: { capacityMah?: number; socPercent?: number } = {}): BatteryModel {
  const capacity = options.capacityMah ?? 2500;
  let used = capacity * (1 - (options.socPercent ?? 100) / 100);
  const soc = (): number => Math.max(0, Math.min(100, 100 * (1 - used / capacity)));
  return {
    volts() {
      const s = soc();
      for (let i = 1; i < LI_ION_CURVE.length; i++) {
        const [s1, v1] = LI_ION_CURVE[i]!;
        const [s0, v0] = LI_ION_CURVE[i - 1]!;
        if (s <= s1) return v0 + ((v1 - v0) * (s - s0)) / (s1 - s0);
      }
      return LI_ION_CURVE[LI_ION_CURVE.length - 1]![1];
    },
    drain(mA, ms) {
      if (!(mA >= 0) || !(ms >= 0)) throw new RangeError(`drain(${mA}, ${ms}): both must be >= 0`);
      used += (mA * ms) / 3_600_000;
    },
    socPercent: soc,
    usedMah: () => used,
  };
}

/** A battery that always reads the same voltage (or follows a function of nothing). */
export function createFixedBattery(volts: number | (() => number)): BatteryModel {
  let used = 0;
  const read = typeof volts === 'number' ? () => volts : volts;
  return { volts: read, drain: (mA, ms) => { used += (mA * ms) / 3_600_000; }, socPercent: () => 100, usedMah: () => used };
}

export interface SleepRecord { ms: number; sources: readonly WakeSource[] }

export interface SimulatedPower extends PowerPort {
  readonly battery: BatteryModel;
  readonly sleeps: readonly SleepRecord[];
  readonly restarts: number;
  /** Power loss and return: the next boot reads reset reason power-on. */
  powerCut(): void;
  /** Sets what the next boot reports (e.g. 'panic', 'brownout', 'watchdog'). */
  setBoot(reason: ResetReason, cause?: WakeCause): void;
}

export interface SimulatedPowerOptions {
  battery?: BatteryModel;
  resetReason?: ResetReason;
  wakeCause?: WakeCause;
  /** Deep-sleep current drawn from the battery for each sleep (default 0.01 mA, ESP32 with RTC timer). */
  sleepCurrentMa?: number;
  onDeepSleep?: (ms: number, sources: readonly WakeSource[]) => void;
  onRestart?: () => void;
}

export function createSimulatedPower(options: SimulatedPowerOptions = {}): SimulatedPower {
  const battery = options.battery ?? createLiIonBattery();
  const sleeps: SleepRecord[] = [];
  let reason: ResetReason = options.resetReason ?? 'power-on';
  let cause: WakeCause = options.wakeCause ?? 'none';
  let restarts = 0;
  return {
    battery,
    sleeps,
    batteryVolts: () => battery.volts(),
    resetReason: () => reason,
    wakeCause: () => cause,
    deepSleep(ms, sources = []) {
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new RangeError(`deepSleep: ms must be a finite number >= 0, got ${String(ms)}`);
      const copy = Object.freeze([...sources]);
      sleeps.push(Object.freeze({ ms, sources: copy }));
      battery.drain(options.sleepCurrentMa ?? 0.01, ms);
      reason = 'deep-sleep';
      cause = copy.some((s) => s.kind === 'timer') || copy.length === 0 ? 'timer' : 'pin';
      options.onDeepSleep?.(ms, copy);
    },
    restart() {
      restarts++;
      reason = 'software';
      cause = 'none';
      options.onRestart?.();
    },
    get restarts() {
      return restarts;
    },
    powerCut() {
      reason = 'power-on';
      cause = 'none';
    },
    setBoot(nextReason, nextCause = 'none') {
      reason = nextReason;
      cause = nextCause;
    },
  };
}
