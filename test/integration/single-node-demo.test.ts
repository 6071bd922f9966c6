import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// `npm start` until the fleet simulator takes it over: one node, eight virtual hours, one line
// per wake saying what it would send and why.
describe('single-node demo (sim/single-node.ts, npm run demo:node)', () => {
  it('runs eight virtual hours and explains every wake', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'sim/single-node.ts'], { encoding: 'utf8' });
    const wakes = out.split('\n').filter((l) => /^\d\d:\d\d:\d\d #/.test(l));
    expect(wakes.length).toBeGreaterThan(50);
    expect(wakes.every((l) => /sleep \d+ s for /.test(l))).toBe(true);
    expect(out).toContain('(first value)');
    expect(out).toContain('(deadband crossed)');
    expect(out).toContain('(heartbeat)');
    expect(out).toMatch(/ALARM temp_high raise/);
    expect(out).toMatch(/ALARM temp_high clear/);
    expect(out).toMatch(/ALARM bat_low raise/);
    expect(out).toContain('battery-low');
    expect(out).toContain('POWER CUT');
    expect(out).toContain('bus-error');
    expect(out).toMatch(/\d+ wakes, \d+ SenML-CBOR packs/);
  });
});
