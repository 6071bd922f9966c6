/** The terminal summary of a run: a few lines a person reads. */
import type { SimSummary } from '../result.js';

const n = (x: number | null | undefined, digits = 0): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '-' : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const pct = (a: number, b: number): string => (b === 0 ? '-' : `${((100 * a) / b).toFixed(1)} %`);

export function formatSummary(s: SimSummary, reportPath?: string): string[] {
  const lines: string[] = [];
  lines.push('');
  lines.push(`Fleet simulation: ${n(s.devices)} devices x ${n(s.virtualHours, 1)} virtual h in ${n(s.wallSeconds, 1)} s wall (${s.mode}, engine ${s.engine}, broker ${s.broker}, seed ${s.seed})`);
  lines.push(`  inputs: ${s.trace ?? 'built-in model'}; faults: ${s.faults.length === 0 ? 'none' : s.faults.join(' ')}`);
  lines.push(`  cycles ${n(s.cycles)}, check-ins ${n(s.checkIns)}, CPU ${n(s.cpuSeconds.simulator, 1)} s simulator + ${n(s.cpuSeconds.deviceHosts, 1)} s device hosts`);
  lines.push('');
  lines.push(`  readings   produced ${n(s.readingsProduced)}, delivered ${n(s.readingsDelivered)}, queued at the end ${n(s.readingsQueuedAtEnd)}, LOST ${n(s.readingsLost)}`
    + ` (thinned ${n(s.thinned)}, dropped ${n(s.dropped)}); duplicates removed ${n(s.duplicates)}`);
  lines.push(`  alarms     raised ${n(s.alarmsRaised)}, delivered ${n(s.alarmsDelivered)}, p95 latency ${n(s.alarmLatencyP95Seconds, 1)} s`);
  lines.push('');
  lines.push('                        this firmware      naive JSON baseline');
  lines.push(`  messages          ${n(s.messages).padStart(15)}  ${n(s.baselineMessages).padStart(15)}   (${pct(s.messages, s.baselineMessages)})`);
  lines.push(`  bytes             ${n(s.bytes).padStart(15)}  ${n(s.baselineBytes).padStart(15)}   (${pct(s.bytes, s.baselineBytes)})`);
  lines.push(`  radio s/device/day${n(s.radioSecondsPerDeviceDay, 1).padStart(15)}  ${n(s.baselineRadioSecondsPerDeviceDay, 1).padStart(15)}`);
  lines.push(`  mAh/day (median)  ${n(s.mahPerDayMedian, 2).padStart(15)}  ${n(s.baselineMahPerDayMedian, 2).padStart(15)}`);
  lines.push(`  battery days      ${n(s.batteryDaysMedian).padStart(15)}  ${n(s.baselineBatteryDaysMedian).padStart(15)}   (${s.battery}, median)`);
  lines.push(`  messages lost     ${'0 of the above'.padStart(15)}  ${n(s.baselineLost).padStart(15)}`);
  for (const r of s.rollout.releases) {
    const counts = Object.entries(r.counts).filter(([, v]) => v > 0).map(([k, v]) => `${k} ${v}`).join(', ');
    lines.push('');
    lines.push(`  rollout ${r.version} (${r.kind}): ${r.state.toUpperCase()} at stage ${r.stagePercent} %${r.stateReason === null ? '' : ` - ${r.stateReason}`}`);
    lines.push(`    devices: ${counts || 'none yet'}`);
    lines.push(`    stages: ${r.perStage.map((p) => `${p.percent} %${p.reachedAtHours === null ? ' (not reached)' : ` @${n(p.reachedAtHours, 1)} h`}`).join(', ')}`);
  }
  const h = s.thunderingHerd;
  if (h.withJitterPeak !== null) {
    lines.push('');
    lines.push(`  thundering herd after the outage: peak ${n(h.withoutJitterPeak)} reconnects/s without jitter (95 % back in ${n(h.withoutJitterP95Minutes, 1)} min),`
      + ` ${n(h.withJitterPeak)}/s with full jitter (95 % back in ${n(h.withJitterP95Minutes, 1)} min); this run ${n(h.thisRunPeak)}/s`);
  }
  lines.push('');
  lines.push('  energy assumptions:');
  for (const a of s.energyAssumptions) lines.push(`    ${a}`);
  if (s.wakeErrors > 0) lines.push(`  WAKE ERRORS: ${s.wakeErrors}; first: ${s.firstWakeError ?? ''}`);
  if (!s.consumerDrained) lines.push('  note: the consumer had not received every acknowledged pack when the run ended');
  if (reportPath !== undefined) {
    lines.push('');
    lines.push(`  report: ${reportPath}`);
  }
  return lines;
}
