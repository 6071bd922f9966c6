import { describe, expect, it } from 'vitest';
import { createConsoleLog, createMemoryLog, createSeededRandom, formatLogLine } from '../../../hosts/node/index.js';

describe('seeded random', () => {
  it('is deterministic per seed and in [0, 1)', () => {
    const a = createSeededRandom(42);
    const b = createSeededRandom(42);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(createSeededRandom(43).next()).not.toBe(xs[0]);
    // Roughly uniform: the mean of 1000 draws is near 0.5.
    expect(Math.abs(xs.reduce((s, x) => s + x, 0) / xs.length - 0.5)).toBeLessThan(0.05);
  });
  it('forks independent but reproducible streams', () => {
    const f1 = createSeededRandom(1).fork();
    const f2 = createSeededRandom(1).fork();
    expect(f1.next()).toBe(f2.next());
  });
});

describe('logs', () => {
  it('formats one line per entry, filtered by level', () => {
    const lines: string[] = [];
    const log = createConsoleLog({ minLevel: 'info', sink: (l) => lines.push(l), prefix: 'n1' });
    log.log('debug', 'HIDDEN');
    log.log('warn', 'COLD_START', { reason: 'corrupt', n: 1n, b: Uint8Array.of(1, 2) });
    expect(lines).toEqual(['n1 warn COLD_START {"reason":"corrupt","n":"1","b":"<2 bytes>"}']);
    expect(formatLogLine('info', 'X')).toBe('info X');
  });
  it('memory log keeps entries', () => {
    const log = createMemoryLog();
    log.log('info', 'A', { x: 1 });
    expect(log.codes()).toEqual(['A']);
    log.clear();
    expect(log.entries).toEqual([]);
  });
});
