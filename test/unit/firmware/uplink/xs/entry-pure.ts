/** Work done identically inside XS (entry.ts) and on Node (uplink-xs.test.ts), compared there. */
import { toHex } from '../../../../../firmware/codec/bytes.js';
import { buildPack } from '../../../../../firmware/codec/senml.js';
import { decodeCheckInAnswer, encodeCheckIn, encodeCheckInAnswer, type CheckInRequest } from '../../../../../firmware/messages/checkin.js';
import { Outbox } from '../../../../../firmware/outbox/outbox.js';
import { restampPack } from '../../../../../firmware/time/restamp.js';
import { createMemoryOutboxStore } from '../../../../../hosts/node/outbox-store-memory.js';

/** The same work the Node side does; results compared byte for byte. */
export function pureWork(request: CheckInRequest): Record<string, unknown> {
  const checkIn = toHex(encodeCheckIn(request));
  const answer = decodeCheckInAnswer(encodeCheckInAnswer({ serverTimeMs: 1_790_000_000_000, update: { manifest: Uint8Array.of(1, 2, 3), downloadPath: '/v1/f', size: 9 } }));
  const store = createMemoryOutboxStore();
  const box = Outbox.open(store, { maxBytes: 1024 });
  for (let seq = 1; seq <= 40; seq++) {
    const pack = buildPack([{ name: 't', unit: 'Cel', value: 20 + seq / 10, timeMs: 1_790_000_000_000 + seq * 60_000, seq }], { baseName: 'urn:dev:x:' });
    box.enqueue({ pack, firstSeq: seq, lastSeq: seq, alarm: seq % 10 === 0, createdAtMs: 1_790_000_000_000 + seq * 60_000 }, { clockKnown: seq > 20 });
  }
  const reopened = Outbox.open(store, { maxBytes: 1024 });
  const first = reopened.entries()[0]!;
  return {
    checkIn,
    answerManifest: toHex(answer.update!.manifest),
    kept: reopened.entries().map((e) => e.firstSeq),
    stats: reopened.stats(),
    restamped: toHex(restampPack(first.pack, -123_456)),
  };
}

