/**
 * The cycle's state across deep sleep: restored from the retained record at boot (step 1) and
 * saved into it before sleeping (step 9). The core's section is one JSON object
 * (retained-record.ts):
 *
 *   h  header    [cycle, configVersion]
 *   s  sampling  {channelName: [lastSampleMs | null, Channel.state()]}
 *   r  rules     RuleSet.state(): {ruleId: ThresholdRule.snapshot()}
 *   p  planner   [checkInDueMs, plannedAtMs | null, [channel names to sample], checkIn 0|1]
 *   q  sequence  [next, ceiling]  (sequence.ts)
 * and the uplink and update sections are UplinkStep.snapshot() and UpdateStep.snapshot().
 *
 * No record, or one whose framing or header does not decode, is a cold start: every step
 * starts fresh, logged. A part that does not restore costs only its owner its state (logged).
 */
import { FirmwareError } from '../errors.js';
import type { KvPort } from '../ports/kv.js';
import type { Node } from './node.js';
import { newPipeline, newRuleSet } from './node.js';
import { decodeRetainedRecord, encodeRetainedRecord, RETAINED_SECTION, type RetainedSections } from './retained-record.js';
import { coldSequence, type SequenceState } from './sequence.js';
import { bytesToText, textToBytes } from './native.js';

/** Work the previous cycle planned for this wake (the planner may batch tasks a little early). */
export interface PlannedWork {
  readonly atMs: number;
  /** Channels to sample (their period or heartbeat is due, or batched early). */
  readonly sample: readonly string[];
  readonly checkIn: boolean;
}

export type ColdReason = 'no-record' | 'corrupt-record';

export interface CycleState {
  /** Wakes since the last cold start (0 = this is the cold start). */
  cycle: number;
  coldReason: ColdReason | undefined;
  /** When each channel (by name) was last sampled; absent = never since the cold start. */
  lastSampleMs: Map<string, number>;
  /** When the next check-in is due (corrected UTC ms). */
  checkInDueMs: number;
  /**
   * The work the previous cycle planned, when this is the wake it was planned for (within
   * alignWindowMs of its time); undefined when there is none or this wake came early (a pin).
   */
  planned: PlannedWork | undefined;
  sequence: SequenceState;
}

const corrupt = (detail: string): FirmwareError => new FirmwareError('ERR_STATE_CORRUPT', detail);

function json(bytes: Uint8Array | undefined, name: string): unknown {
  if (bytes === undefined) throw corrupt(`no ${name} section`);
  try {
    return JSON.parse(bytesToText(bytes));
  } catch (error) {
    throw corrupt(`${name}: ${(error as Error).message}`);
  }
}

const jsonBytes = (value: unknown): Uint8Array => textToBytes(JSON.stringify(value));

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function freshState(kv: KvPort, nowMs: number, coldReason: ColdReason): CycleState {
  return { cycle: 0, coldReason, lastSampleMs: new Map(), checkInDueMs: nowMs, planned: undefined, sequence: coldSequence(kv) };
}

/**
 * kv key of the rule states as of the last alarm raise or clear. A power cut loses the retained
 * record, but an alarm the server saw raised must still be cleared one day: so alarm changes
 * (rare, hence cheap for the flash) are also written to kv, and a cold start begins from them.
 */
export const KV_ALARMS = 'node.alarms';

/** After an alarm event: the rule states go to kv too (see KV_ALARMS). */
export function persistAlarms(node: Node): void {
  node.ports.kv.set(KV_ALARMS, jsonBytes(node.rules.state()));
}

function resetPipelines(node: Node): void {
  node.channels.forEach((ch, i) => { ch.pipeline = newPipeline(ch.config, i); });
}

/** Rebuilds the pipelines and rules so that nothing from a previous life survives a cold start. */
function resetRuntime(node: Node): void {
  resetPipelines(node);
  node.rules = newRuleSet(node.config);
  const saved = node.ports.kv.get(KV_ALARMS);
  if (saved === undefined) return;
  try {
    restoreRules(node, json(saved, KV_ALARMS));
  } catch (error) {
    node.rules = newRuleSet(node.config);
    node.ports.log.log('warn', 'ALARMS_RESET', { error: (error as Error).message });
  }
}

function restoreSampling(node: Node, value: unknown, state: CycleState): void {
  if (!isRecord(value)) throw corrupt('sampling: expected an object of channels');
  const channels = node.channels;
  for (let i = 0; i < channels.length; i++) {
    const ch = channels[i]!;
    const name = ch.config.name;
    const entry = Object.prototype.hasOwnProperty.call(value, name) ? value[name] : undefined;
    try {
      if (!Array.isArray(entry) || entry.length !== 2) throw corrupt(`sampling: no state for channel ${name}`);
      const last: unknown = entry[0];
      if (last !== null && !isFiniteNumber(last)) throw corrupt(`sampling: ${name} lastSampleMs`);
      ch.pipeline.restoreState(entry[1]);
      if (last !== null) state.lastSampleMs.set(name, last);
    } catch (error) {
      // A channel new in this config, or saved under another filter chain: start it fresh.
      ch.pipeline = newPipeline(ch.config, i);
      node.ports.log.log('warn', 'RETAINED_SECTION_RESET', { section: `sampling.${name}`, error: (error as Error).message });
    }
  }
}

function restoreRules(node: Node, value: unknown): void {
  if (!isRecord(value)) throw corrupt('rules: expected an object of rules');
  const list = node.rules.rules;
  for (let i = 0; i < list.length; i++) {
    const rule = list[i]!;
    const saved = Object.prototype.hasOwnProperty.call(value, rule.id) ? value[rule.id] : undefined;
    // A rule new in this config starts cleared; ThresholdRule.restore validates (ERR_STATE_CORRUPT).
    rule.restore(Array.isArray(saved) ? (saved as number[]) : [0, 0, 0, 0]);
  }
}

function restorePlanner(value: unknown, state: CycleState, nowMs: number, alignWindowMs: number): void {
  if (!Array.isArray(value) || value.length !== 4) throw corrupt('planner: expected 4 fields');
  const [checkInDueMs, atMs, sample, checkIn] = value as unknown[];
  if (!isFiniteNumber(checkInDueMs)) throw corrupt('planner: checkInDueMs');
  state.checkInDueMs = checkInDueMs;
  if (atMs === null) return;
  if (!isFiniteNumber(atMs) || !Array.isArray(sample) || (checkIn !== 0 && checkIn !== 1)) throw corrupt('planner: planned work');
  for (let i = 0; i < sample.length; i++) if (typeof sample[i] !== 'string') throw corrupt('planner: planned work');
  if (nowMs >= atMs - alignWindowMs) state.planned = { atMs, sample: sample as string[], checkIn: checkIn === 1 };
}

function restoreSequenceSection(value: unknown): SequenceState {
  if (!Array.isArray(value) || value.length !== 2) throw corrupt('sequence: expected [next, ceiling]');
  const [next, ceiling] = value as unknown[];
  if (!Number.isSafeInteger(next) || !Number.isSafeInteger(ceiling) || (next as number) < 0 || (next as number) > (ceiling as number)) {
    throw corrupt('sequence: bad numbers');
  }
  return { next: next as number, ceiling: ceiling as number };
}

function sectionReset(node: Node, section: string, error: unknown): void {
  node.ports.log.log('warn', 'RETAINED_SECTION_RESET', { section, error: (error as Error).message });
}

/** A step's own section (uplink, update); on failure the step keeps what it has (logged). */
function restoreStep(node: Node, name: string, bytes: Uint8Array | undefined, target: { restore(b: Uint8Array): void }): void {
  try {
    if (bytes === undefined) throw corrupt(`no ${name} section`);
    target.restore(bytes);
  } catch (error) {
    sectionReset(node, name, error);
  }
}

/** Boot, step 1: the state of this cycle from the retained record (or a cold start). */
export function restoreCycleState(node: Node, nowMs: number): CycleState {
  const { retained, log, kv } = node.ports;
  const bytes = retained.load();
  if (bytes === undefined) {
    resetRuntime(node);
    return freshState(kv, nowMs, 'no-record');
  }
  let sections: RetainedSections;
  let core: Record<string, unknown>;
  let header: unknown;
  try {
    sections = decodeRetainedRecord(bytes);
    const doc = json(sections.get(RETAINED_SECTION.core), 'core');
    if (!isRecord(doc)) throw corrupt('core: expected an object');
    core = doc;
    header = core['h'];
    if (!Array.isArray(header) || header.length !== 2 || !Number.isSafeInteger(header[0]) || header[0] < 0) throw corrupt('header');
  } catch (error) {
    log.log('warn', 'RETAINED_CORRUPT', { error: (error as Error).message, bytes: bytes.length });
    resetRuntime(node);
    return freshState(kv, nowMs, 'corrupt-record');
  }
  const state: CycleState = {
    cycle: (header[0] as number) + 1, coldReason: undefined, lastSampleMs: new Map(), checkInDueMs: nowMs, planned: undefined, sequence: { next: 0, ceiling: 0 },
  };
  // Each part on its own: one that does not restore costs only its owner its state (logged).
  // Plain try blocks rather than a helper taking closures: this runs at every wake on XS.
  try {
    restoreSampling(node, core['s'], state);
  } catch (error) {
    resetPipelines(node); // the rules have their own part, next
    sectionReset(node, 'sampling', error);
  }
  try {
    restoreRules(node, core['r']);
  } catch (error) {
    node.rules = newRuleSet(node.config);
    sectionReset(node, 'rules', error);
  }
  try {
    restorePlanner(core['p'], state, nowMs, node.config.alignWindowMs);
  } catch (error) {
    state.planned = undefined;
    sectionReset(node, 'planner', error);
  }
  try {
    state.sequence = restoreSequenceSection(core['q']);
  } catch (error) {
    state.sequence = coldSequence(kv);
    sectionReset(node, 'sequence', error);
  }
  const { uplink, update } = node.ports;
  if (uplink !== undefined) restoreStep(node, 'uplink', sections.get(RETAINED_SECTION.uplink), uplink);
  if (update !== undefined) restoreStep(node, 'update', sections.get(RETAINED_SECTION.update), update);
  return state;
}

/** Step 9: everything that must survive deep sleep, as one record. */
export function encodeCycleState(node: Node, state: CycleState, next: PlannedWork): Uint8Array {
  const sampling: Record<string, unknown> = {};
  const channels = node.channels;
  for (let i = 0; i < channels.length; i++) {
    const ch = channels[i]!;
    sampling[ch.config.name] = [state.lastSampleMs.get(ch.config.name) ?? null, ch.pipeline.state()];
  }
  const core = {
    h: [state.cycle, node.config.version],
    s: sampling,
    r: node.rules.state(),
    p: [state.checkInDueMs, next.atMs, next.sample, next.checkIn ? 1 : 0],
    q: [state.sequence.next, state.sequence.ceiling],
  };
  const sections: RetainedSections = new Map();
  sections.set(RETAINED_SECTION.core, jsonBytes(core));
  if (node.ports.uplink !== undefined) sections.set(RETAINED_SECTION.uplink, node.ports.uplink.snapshot());
  if (node.ports.update !== undefined) sections.set(RETAINED_SECTION.update, node.ports.update.snapshot());
  return encodeRetainedRecord(sections);
}
