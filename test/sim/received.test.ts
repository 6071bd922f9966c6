import { describe, expect, it } from 'vitest';
import { buildPack } from '../../firmware/index.js';
import { emptyReceivedLog, mergeReceived, receivePack, serialiseReceived } from '../../sim/net/received.js';

const T = Date.UTC(2026, 0, 5);
const pack = (seqs: number[]): Uint8Array => buildPack(seqs.map((seq, i) => ({ name: i === 0 ? 'temp' : 'hum', value: 20 + i, timeMs: T + i * 1000, seq })));

describe('consumer de-duplication by sequence number', () => {
  it('keeps each record once and counts the redelivered ones', () => {
    const log = emptyReceivedLog();
    expect(receivePack(log, 'dev-1', pack([1, 2]))).toBe(1);
    expect(receivePack(log, 'dev-1', pack([3]))).toBe(1);
    // QoS 1 redelivery of the first pack (PUBACK lost, resent with DUP): no new pack, two duplicate records.
    expect(receivePack(log, 'dev-1', pack([1, 2]))).toBe(0);
    // The same sequence numbers from another device are other records.
    expect(receivePack(log, 'dev-2', pack([1, 2]))).toBe(1);
    expect([...log.seqs.get('dev-1')!].sort()).toEqual([1, 2, 3]);
    expect(log.packs.get('dev-1')).toEqual(new Set([1, 3]));
    expect(log.duplicates).toBe(2);
    expect(log.messages).toBe(4);
  });

  it('counts a payload that is not SenML as malformed, without losing the rest', () => {
    const log = emptyReceivedLog();
    expect(receivePack(log, 'dev-1', Uint8Array.of(0xff, 0x00))).toBe(0);
    expect(log.malformed).toBe(1);
    expect(receivePack(log, 'dev-1', pack([7]))).toBe(1);
  });

  it('merges the logs of several device hosts', () => {
    const a = emptyReceivedLog();
    const b = emptyReceivedLog();
    receivePack(a, 'dev-1', pack([1, 2]));
    receivePack(b, 'dev-2', pack([5]));
    receivePack(b, 'dev-2', pack([5]));
    const all = emptyReceivedLog();
    mergeReceived(all, serialiseReceived(a));
    mergeReceived(all, serialiseReceived(b));
    expect(all.seqs.get('dev-1')).toEqual(new Set([1, 2]));
    expect(all.packs.get('dev-2')).toEqual(new Set([5]));
    expect(all.duplicates).toBe(1);
    expect(all.messages).toBe(3);
  });
});
