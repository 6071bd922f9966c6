/**
 * Faults on a schedule, from command-line specs (`--fault <spec>`, repeatable):
 *
 *   broker-outage@10h+2h          the broker's device listener is down from 10 h for 2 h
 *   server-outage@20h+1h          the OTA server is down
 *   wifi-loss:dev-0007@3h+6h      one device's Wi-Fi is gone (also N% of the fleet, or all)
 *   power-cut:5%@30h              5 % of the devices lose power (retained memory lost, flash
 *                                 kept); `+10m` keeps them off that long
 *   clock-drift:50ppm             every RTC drifts by up to ±50 ppm (one device: clock-drift:dev-0001:200ppm)
 *   bad-release@30h               a release whose image fails its health check is rolled out
 *   release@6h                    a good release is rolled out (an event, scheduled the same way)
 *
 * Times are offsets from the run start: 90s, 30m, 10h, 2d, 1h30m (a bare number is hours).
 * Targets: a device id, N% (drawn with the run's seed), or all / *.
 */

export type FaultTarget = { kind: 'all' } | { kind: 'percent'; percent: number } | { kind: 'device'; id: string };

export type Fault =
  | { kind: 'broker-outage'; atMs: number; durationMs: number }
  | { kind: 'server-outage'; atMs: number; durationMs: number }
  | { kind: 'wifi-loss'; target: FaultTarget; atMs: number; durationMs: number }
  | { kind: 'power-cut'; target: FaultTarget; atMs: number; durationMs: number }
  | { kind: 'clock-drift'; target: FaultTarget; ppm: number }
  | { kind: 'bad-release'; atMs: number }
  | { kind: 'release'; atMs: number };

export type FaultKind = Fault['kind'];
export const FAULT_KINDS: readonly FaultKind[] = Object.freeze(['broker-outage', 'server-outage', 'wifi-loss', 'power-cut', 'clock-drift', 'bad-release', 'release']);

export class FaultSpecError extends Error {}

const UNIT_MS: Readonly<Record<string, number>> = Object.freeze({ ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000 });

/** "1h30m", "90s", "2d", "1.5h", "12" (hours) -> ms. */
export function parseDuration(text: string): number {
  const t = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 3_600_000);
  const re = /(\d+(?:\.\d+)?)(ms|min|s|m|h|d)/y;
  let total = 0;
  let at = 0;
  while (at < t.length) {
    re.lastIndex = at;
    const m = re.exec(t);
    if (m === null) throw new FaultSpecError(`bad duration ${JSON.stringify(text)}: use e.g. 90s, 30m, 10h, 2d, 1h30m`);
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    at = re.lastIndex;
  }
  if (t.length === 0) throw new FaultSpecError('empty duration');
  return Math.round(total);
}

function parseTarget(text: string, spec: string): FaultTarget {
  const t = text.trim();
  if (t === 'all' || t === '*') return { kind: 'all' };
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(t);
  if (pct !== null) {
    const percent = Number(pct[1]);
    if (!(percent > 0 && percent <= 100)) throw new FaultSpecError(`${spec}: a percentage must be in (0, 100]`);
    return { kind: 'percent', percent };
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(t)) throw new FaultSpecError(`${spec}: bad target ${JSON.stringify(t)} (a device id, N%, or all)`);
  return { kind: 'device', id: t };
}

function parsePpm(text: string, spec: string): number {
  const m = /^([+-]?\d+(?:\.\d+)?)\s*ppm$/i.exec(text.trim());
  if (m === null) throw new FaultSpecError(`${spec}: expected a drift such as 50ppm`);
  const ppm = Number(m[1]);
  if (Math.abs(ppm) > 100_000) throw new FaultSpecError(`${spec}: ${ppm} ppm is beyond any crystal`);
  return ppm;
}

export function parseFault(spec: string): Fault {
  const s = spec.trim();
  const at = s.indexOf('@');
  const head = at < 0 ? s : s.slice(0, at);
  const when = at < 0 ? undefined : s.slice(at + 1);
  const [kind, ...args] = head.split(':');
  const timing = (needDuration: boolean, defaultDurationMs?: number): { atMs: number; durationMs: number } => {
    if (when === undefined) throw new FaultSpecError(`${s}: needs a time, e.g. ${kind}@10h${needDuration ? '+2h' : ''}`);
    const plus = when.indexOf('+');
    const atMs = parseDuration(plus < 0 ? when : when.slice(0, plus));
    if (plus < 0) {
      if (needDuration && defaultDurationMs === undefined) throw new FaultSpecError(`${s}: needs a duration, e.g. ${kind}@${when}+2h`);
      return { atMs, durationMs: defaultDurationMs ?? 0 };
    }
    const durationMs = parseDuration(when.slice(plus + 1));
    if (needDuration && durationMs <= 0) throw new FaultSpecError(`${s}: the duration must be positive`);
    return { atMs, durationMs };
  };
  const noArgs = (): void => {
    if (args.length > 0) throw new FaultSpecError(`${s}: ${kind} takes no target`);
  };
  switch (kind) {
    case 'broker-outage':
    case 'server-outage':
      noArgs();
      return { kind, ...timing(true) };
    case 'wifi-loss':
      if (args.length !== 1) throw new FaultSpecError(`${s}: name the devices, e.g. wifi-loss:dev-0007@3h+6h or wifi-loss:10%@3h+6h`);
      return { kind, target: parseTarget(args[0]!, s), ...timing(true) };
    case 'power-cut':
      if (args.length > 1) throw new FaultSpecError(`${s}: one target, e.g. power-cut:5%@30h`);
      return { kind, target: args.length === 0 ? { kind: 'all' } : parseTarget(args[0]!, s), ...timing(false, 0) };
    case 'clock-drift':
      if (when !== undefined) throw new FaultSpecError(`${s}: clock drift applies to the whole run (no @time)`);
      if (args.length === 1) return { kind, target: { kind: 'all' }, ppm: parsePpm(args[0]!, s) };
      if (args.length === 2) return { kind, target: parseTarget(args[0]!, s), ppm: parsePpm(args[1]!, s) };
      throw new FaultSpecError(`${s}: expected clock-drift:50ppm or clock-drift:<device>:50ppm`);
    case 'bad-release':
    case 'release':
      noArgs();
      return { kind, atMs: timing(false, 0).atMs };
    default:
      throw new FaultSpecError(`unknown fault ${JSON.stringify(kind)} in ${JSON.stringify(s)}: known are ${FAULT_KINDS.join(', ')}`);
  }
}

export function formatDuration(ms: number): string {
  if (ms % 86_400_000 === 0 && ms > 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${ms / 1000}s`;
}

export function describeFault(f: Fault): string {
  const target = (t: FaultTarget): string => (t.kind === 'all' ? 'all' : t.kind === 'percent' ? `${t.percent}%` : t.id);
  switch (f.kind) {
    case 'broker-outage':
    case 'server-outage':
      return `${f.kind}@${formatDuration(f.atMs)}+${formatDuration(f.durationMs)}`;
    case 'wifi-loss':
      return `${f.kind}:${target(f.target)}@${formatDuration(f.atMs)}+${formatDuration(f.durationMs)}`;
    case 'power-cut':
      return `${f.kind}:${target(f.target)}@${formatDuration(f.atMs)}${f.durationMs > 0 ? `+${formatDuration(f.durationMs)}` : ''}`;
    case 'clock-drift':
      return `${f.kind}:${f.target.kind === 'all' ? '' : `${target(f.target)}:`}${f.ppm}ppm`;
    default:
      return `${f.kind}@${formatDuration(f.atMs)}`;
  }
}

/** The devices a target names, chosen with `random` for percentages (deterministic per seed). */
export function selectDevices(target: FaultTarget, ids: readonly string[], random: { next(): number }): string[] {
  if (target.kind === 'all') return [...ids];
  if (target.kind === 'device') {
    // With an external broker ids carry the run's tag (dev-0007.s1ab2c): dev-0007 still names it.
    const id = ids.find((x) => x === target.id || x.startsWith(`${target.id}.`));
    if (id === undefined) throw new FaultSpecError(`no device ${target.id} in this run (ids are ${ids[0]} .. ${ids[ids.length - 1]})`);
    return [id];
  }
  const count = Math.max(1, Math.round((ids.length * target.percent) / 100));
  const pool = [...ids];
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random.next() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count).sort();
}

/** Intervals [start, end) in ms offsets during which something is down. */
export interface Interval { startMs: number; endMs: number }

export function inIntervals(intervals: readonly Interval[], t: number): boolean {
  for (const i of intervals) if (t >= i.startMs && t < i.endMs) return true;
  return false;
}
