/**
 * Step 5 of the wake cycle: the readings decided this cycle and the alarm events of the local
 * rules, as ONE SenML-CBOR pack (RFC 8428 section 6) for one publish:
 *
 *   base name  urn:dev:<deviceId>:       (first record, with the base time)
 *   reading    n = channel name (aggregates: <channel>_<stat>), u = the quantity's unit,
 *              v = the value rounded to the channel's decimals
 *   alarm      n = rule id, vb = true when raised, false when cleared; the value that
 *              completed the streak goes along as a reading of its channel
 *   every record carries the next number of the persistent sequence counter (sequence.ts)
 *
 * Times are whole seconds (the sample time; an aggregate's window start), which keeps the base
 * time a 5-byte integer.
 */
import { buildPack, type Reading as SenmlReading } from '../codec/senml.js';
import type { KvPort } from '../ports/kv.js';
import { QUANTITY_UNIT } from '../ports/sensors.js';
import type { AlarmEvent } from '../rules/threshold.js';
import type { Reading } from '../sampling/channel.js';
import type { ChannelRuntime } from './node.js';
import { takeSequence, type SequenceState } from './sequence.js';
import type { Report } from './steps.js';

export interface EncodeInput {
  readonly baseName: string;
  readonly channels: readonly ChannelRuntime[];
  readonly readings: readonly Reading[];
  readonly alarms: readonly AlarmEvent[];
  readonly nowMs: number;
}

function round(value: number, decimals: number | undefined): number {
  if (decimals === undefined) return value;
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}

const wholeSeconds = (ms: number): number => ms - (ms % 1000);

/** Builds the cycle's pack, or returns undefined when there is nothing to send. */
export function encodeReport(input: EncodeInput, sequence: SequenceState, kv: KvPort): Report | undefined {
  const { readings, alarms, channels } = input;
  if (readings.length === 0 && alarms.length === 0) return undefined;
  const byName = (name: string): ChannelRuntime | undefined => {
    for (const ch of channels) if (ch.config.name === name) return ch;
    return undefined;
  };
  const records: Omit<SenmlReading, 'seq'>[] = [];
  let decimals: number | undefined;
  const addValue = (ch: ChannelRuntime | undefined, name: string, value: number, timeMs: number, unitless: boolean): void => {
    const d = ch?.config.decimals;
    if (d !== undefined && (decimals === undefined || d > decimals)) decimals = d;
    const record: Omit<SenmlReading, 'seq'> = { name, value: round(value, d), timeMs: wholeSeconds(timeMs) };
    if (ch !== undefined && !unitless) record.unit = QUANTITY_UNIT[ch.config.quantity];
    records.push(record);
  };
  for (const r of readings) {
    const channelName = r.kind === 'aggregate' ? r.name.slice(0, r.name.length - (r.stat!.length + 1)) : r.name;
    addValue(byName(channelName), r.name, r.value, r.timeMs, r.stat === 'count');
  }
  for (const a of alarms) {
    const reported = readings.some((r) => r.name === a.channel && r.timeMs === a.timeMs);
    if (!reported) addValue(byName(a.channel), a.channel, a.value, a.timeMs, false);
    records.push({ name: a.ruleId, value: a.kind === 'raise', timeMs: wholeSeconds(a.timeMs) });
  }
  const firstSeq = takeSequence(sequence, records.length, kv);
  const pack = buildPack(
    records.map((r, i) => ({ ...r, seq: firstSeq + i })),
    decimals === undefined ? { baseName: input.baseName } : { baseName: input.baseName, decimals },
  );
  return { pack, firstSeq, lastSeq: firstSeq + records.length - 1, alarm: alarms.length > 0, createdAtMs: input.nowMs };
}
