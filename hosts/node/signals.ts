/**
 * Signals: functions of time (UTC ms) that drive the simulated sensors. Small, composable and
 * pure, so a test or the simulator describes a room or a weather front in one line.
 */
export type Signal = (utcMs: number) => number;

const DAY_MS = 86_400_000;

export const constant = (value: number): Signal => () => value;

/** A sine around `mean`, e.g. the daily temperature swing; peak at `peakAtMs` within the period. */
export function sine(options: { mean: number; amplitude: number; periodMs?: number; peakAtMs?: number }): Signal {
  const period = options.periodMs ?? DAY_MS;
  const peak = options.peakAtMs ?? 0;
  return (t) => options.mean + options.amplitude * Math.cos((2 * Math.PI * (t - peak)) / period);
}

/** Piecewise constant: the value of the last step at or before t (the first before it starts). */
export function steps(points: ReadonlyArray<readonly [utcMs: number, value: number]>): Signal {
  if (points.length === 0) throw new RangeError('steps() needs at least one point');
  const sorted = [...points].sort((a, b) => a[0] - b[0]);
  return (t) => {
    let value = sorted[0]![1];
    for (const [at, v] of sorted) if (at <= t) value = v;
    return value;
  };
}

/** Straight line from (fromMs, from) to (toMs, to), flat outside. */
export function ramp(fromMs: number, from: number, toMs: number, to: number): Signal {
  return (t) => (t <= fromMs ? from : t >= toMs ? to : from + ((to - from) * (t - fromMs)) / (toMs - fromMs));
}

export const sum = (...signals: Signal[]): Signal => (t) => signals.reduce((acc, s) => acc + s(t), 0);
