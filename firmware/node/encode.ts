/**
 * Step 5 of the wake cycle: the readings decided this cycle and the alarm events of the local
 * rules, as ONE SenML-CBOR pack (RFC 8428 section 6) for one publish:
 *
 *   base name  node.baseName (config.baseName) when given, else none: the MQTT topic names the
 *              device (first record, with the base time)
 *   reading    n = channel name (aggregates: <channel>_<stat>), u = the quantity's unit,
 *              v = the value rounded to the channel's decimals
 *   alarm      n = rule id, vb = true when raised, false when cleared; the value that
 *              completed the streak goes along as a reading of its channel
 *   every record has the next number of the persistent sequence counter (sequence.ts); the
 *              pack writes the first one, the rest run on from it (codec/senml.ts, "q")
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

function channelNamed(channels: readonly ChannelRuntime[], name: string): ChannelRuntime | undefined {
  for (let i = 0; i < channels.length; i++) if (channels[i]!.config.name === name) return channels[i];
  return undefined;
}

/** One value record; its sequence number is set once the count is known. */
function valueRecord(ch: ChannelRuntime | undefined, name: string, value: number, timeMs: number, unitless: boolean): SenmlReading {
  const record: SenmlReading = { name, value: round(value, ch?.config.decimals), timeMs: wholeSeconds(timeMs), seq: 0 };
  if (ch !== undefined && !unitless) record.unit = QUANTITY_UNIT[ch.config.quantity];
  return record;
}

/** Builds the cycle's pack, or returns undefined when there is nothing to send. */
export function encodeReport(input: EncodeInput, sequence: SequenceState, kv: KvPort): Report | undefined {
  const { readings, alarms, channels } = input;
  if (readings.length === 0 && alarms.length === 0) return undefined;
  const records: SenmlReading[] = [];
  // The pack's decimals: the most any of its channels asks for (values are rounded per channel).
  let decimals: number | undefined;
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i]!;
    const channelName = r.kind === 'aggregate' ? r.name.slice(0, r.name.length - (r.stat!.length + 1)) : r.name;
    const ch = channelNamed(channels, channelName);
    const d = ch?.config.decimals;
    if (d !== undefined && (decimals === undefined || d > decimals)) decimals = d;
    records.push(valueRecord(ch, r.name, r.value, r.timeMs, r.stat === 'count'));
  }
  for (let i = 0; i < alarms.length; i++) {
    const a = alarms[i]!;
    let reported = false;
    for (let k = 0; k < readings.length; k++) if (readings[k]!.name === a.channel && readings[k]!.timeMs === a.timeMs) reported = true;
    if (!reported) {
      const ch = channelNamed(channels, a.channel);
      const d = ch?.config.decimals;
      if (d !== undefined && (decimals === undefined || d > decimals)) decimals = d;
      records.push(valueRecord(ch, a.channel, a.value, a.timeMs, false));
    }
    records.push({ name: a.ruleId, value: a.kind === 'raise', timeMs: wholeSeconds(a.timeMs), seq: 0 });
  }
  const firstSeq = takeSequence(sequence, records.length, kv);
  for (let i = 0; i < records.length; i++) records[i]!.seq = firstSeq + i;
  const pack = buildPack(records, decimals === undefined ? { baseName: input.baseName } : { baseName: input.baseName, decimals });
  return { pack, firstSeq, lastSeq: firstSeq + records.length - 1, alarm: alarms.length > 0, createdAtMs: input.nowMs };
}
