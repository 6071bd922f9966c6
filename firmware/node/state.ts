/**
 * The cycle's state across deep sleep: restored from the retained record at boot (step 1) and
 * saved into it before sleeping (step 9). Sections and their bytes:
 *
 *   header   [format, cycle, configVersion]
 *   sampling {channelName: [lastSampleMs | null, Channel.state()]}
 *   rules    RuleSet.snapshot()
 *   planner  [checkInDueMs, plannedAtMs | null, [channel names to sample], checkIn 0|1]
 *   sequence [next, ceiling]  (sequence.ts)
 *   uplink   UplinkStep.snapshot(),  update  UpdateStep.snapshot()
 *
 * No record, or one that does not decode, is a cold start: every step starts fresh, logged.
 * A single section that does not restore costs only its owner its state (logged).
 */
import { decode, encode } from '../codec/cbor.js';
import { FirmwareError } from '../errors.js';
import type { Node } from './node.js';
import { newPipeline } from './node.js';
import { RuleSet } from '../rules/rule-set.js';
import {
  decodeRetainedRecord, encodeRetainedRecord, RETAINED_FORMAT, RETAINED_SECTION, type RetainedSections,
} from './retained-record.js';
import { coldSequence, restoreSequence, sequenceSnapshot, type SequenceState } from './sequence.js';

/** Work the previous cycle planned for this wake (the planner may batch tasks a little early). */
export interface PlannedWork {
  readonly atMs: number;
  /** Channels to sample (their period or heartbeat is due, or batched early). */
  readonly sample: readonly string[];
  readonly checkIn: boolean;
}

export type ColdReason = 'no-record' | 'corrupt-record' | 'format';

export interface CycleState {
  /** Wakes since the last cold start (0 = this is the cold start). */
  cycle: number;
  coldReason: ColdReason | undefined;
  /** When each channel (by name) was last sampled; absent = never since the cold start. */
  lastSampleMs: Map<string, number>;
  /** When the next check-in is due (corrected UTC ms). */
  checkInDueMs: number;
  planned: PlannedWork | undefined;
  sequence: SequenceState;
}

function section(sections: RetainedSections, key: number): Uint8Array | undefined {
  return sections.get(key);
}

function warnSection(node: Node, name: string, error: unknown): void {
  node.ports.log.log('warn', 'RETAINED_SECTION_RESET', { section: name, error: (error as Error).message });
}

function freshState(node: Node, nowMs: number, coldReason: ColdReason): CycleState {
  return {
    cycle: 0,
    coldReason,
    lastSampleMs: new Map(),
    checkInDueMs: nowMs,
    planned: undefined,
    sequence: coldSequence(node.ports.kv),
  };
}

/** Rebuilds the pipelines and rules so that nothing from a previous life survives a cold start. */
function resetRuntime(node: Node): void {
  node.channels.forEach((ch, i) => { ch.pipeline = newPipeline(ch.config, i); });
  node.rules = new RuleSet(node.config.channels.flatMap((c) => c.rules.map((r) => ({ ...r, channel: c.name }))));
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

function restorePlanner(bytes: Uint8Array, state: CycleState): void {
  const value = decode(bytes);
  if (!Array.isArray(value) || value.length !== 4) throw new FirmwareError('ERR_STATE_CORRUPT', 'planner: expected 4 fields');
  const [checkInDueMs, atMs, sample, checkIn] = value as unknown[];
  if (typeof checkInDueMs !== 'number' || !Number.isFinite(checkInDueMs)) throw new FirmwareError('ERR_STATE_CORRUPT', 'planner: checkInDueMs');
  state.checkInDueMs = checkInDueMs;
  if (atMs === null) return;
  if (typeof atMs !== 'number' || !isStringArray(sample) || (checkIn !== 0 && checkIn !== 1)) {
    throw new FirmwareError('ERR_STATE_CORRUPT', 'planner: planned work');
  }
  state.planned = { atMs, sample, checkIn: checkIn === 1 };
}

function restoreSampling(node: Node, bytes: Uint8Array, state: CycleState): void {
  const value = decode(bytes);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Map || value instanceof Uint8Array) {
    throw new FirmwareError('ERR_STATE_CORRUPT', 'sampling: expected a map of channels');
  }
  const saved = value as Record<string, unknown>;
  node.channels.forEach((ch, i) => {
    const name = ch.config.name;
    const entry = Object.prototype.hasOwnProperty.call(saved, name) ? saved[name] : undefined;
    try {
      if (!Array.isArray(entry) || entry.length !== 2) throw new FirmwareError('ERR_STATE_CORRUPT', `sampling: no state for channel ${name}`);
      const [last, pipeline] = entry as unknown[];
      if (last !== null && (typeof last !== 'number' || !Number.isFinite(last))) throw new FirmwareError('ERR_STATE_CORRUPT', `sampling: ${name} lastSampleMs`);
      ch.pipeline.restoreState(pipeline);
      if (last !== null) state.lastSampleMs.set(name, last);
    } catch (error) {
      // A channel new in this config, or saved under another filter chain: start it fresh.
      ch.pipeline = newPipeline(ch.config, i);
      state.lastSampleMs.delete(name);
      warnSection(node, `sampling.${name}`, error);
    }
  });
}

/** Boot, step 1: the state of this cycle from the retained record (or a cold start). */
export function restoreCycleState(node: Node, nowMs: number): CycleState {
  const bytes = node.ports.retained.load();
  if (bytes === undefined) {
    resetRuntime(node);
    return freshState(node, nowMs, 'no-record');
  }
  let sections: RetainedSections;
  let header: unknown;
  try {
    sections = decodeRetainedRecord(bytes);
    const headerBytes = section(sections, RETAINED_SECTION.header);
    if (headerBytes === undefined) throw new FirmwareError('ERR_STATE_CORRUPT', 'retained record: no header');
    header = decode(headerBytes);
  } catch (error) {
    node.ports.log.log('warn', 'RETAINED_CORRUPT', { error: (error as Error).message, bytes: bytes.length });
    resetRuntime(node);
    return freshState(node, nowMs, 'corrupt-record');
  }
  if (!Array.isArray(header) || header[0] !== RETAINED_FORMAT || typeof header[1] !== 'number') {
    node.ports.log.log('warn', 'RETAINED_FORMAT', { header: Array.isArray(header) ? header[0] : null });
    resetRuntime(node);
    return freshState(node, nowMs, 'format');
  }
  const state: CycleState = {
    cycle: (header[1] as number) + 1,
    coldReason: undefined,
    lastSampleMs: new Map(),
    checkInDueMs: nowMs,
    planned: undefined,
    sequence: { next: 0, ceiling: 0 },
  };
  const restore = (name: string, key: number, apply: (b: Uint8Array) => void, reset: () => void): void => {
    const b = section(sections, key);
    try {
      if (b === undefined) throw new FirmwareError('ERR_STATE_CORRUPT', `no ${name} section`);
      apply(b);
    } catch (error) {
      reset();
      warnSection(node, name, error);
    }
  };
  restore('sampling', RETAINED_SECTION.sampling, (b) => restoreSampling(node, b, state), () => resetRuntime(node));
  restore('rules', RETAINED_SECTION.rules, (b) => node.rules.restore(b), () => resetRuntime(node));
  restore('planner', RETAINED_SECTION.planner, (b) => restorePlanner(b, state), () => { state.planned = undefined; });
  restore('sequence', RETAINED_SECTION.sequence, (b) => { state.sequence = restoreSequence(b); }, () => { state.sequence = coldSequence(node.ports.kv); });
  const { uplink, update } = node.ports;
  if (uplink !== undefined) restore('uplink', RETAINED_SECTION.uplink, (b) => uplink.restore(b), () => undefined);
  if (update !== undefined) restore('update', RETAINED_SECTION.update, (b) => update.restore(b), () => undefined);
  return state;
}

/** Step 9: everything that must survive deep sleep, as one record. */
export function encodeCycleState(node: Node, state: CycleState, next: PlannedWork): Uint8Array {
  const sampling: Record<string, unknown> = {};
  for (const ch of node.channels) sampling[ch.config.name] = [state.lastSampleMs.get(ch.config.name) ?? null, ch.pipeline.state()];
  const sections: RetainedSections = new Map();
  sections.set(RETAINED_SECTION.header, encode([RETAINED_FORMAT, state.cycle, node.config.version]));
  sections.set(RETAINED_SECTION.sampling, encode(sampling));
  sections.set(RETAINED_SECTION.rules, node.rules.snapshot());
  sections.set(RETAINED_SECTION.planner, encode([state.checkInDueMs, next.atMs, next.sample, next.checkIn ? 1 : 0]));
  sections.set(RETAINED_SECTION.sequence, sequenceSnapshot(state.sequence));
  if (node.ports.uplink !== undefined) sections.set(RETAINED_SECTION.uplink, node.ports.uplink.snapshot());
  if (node.ports.update !== undefined) sections.set(RETAINED_SECTION.update, node.ports.update.snapshot());
  return encodeRetainedRecord(sections);
}
