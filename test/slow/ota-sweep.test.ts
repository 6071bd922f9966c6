import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The full sweep: every flash operation of four kinds of update, 60 random multi-cut updates,
// two cuts per update at every 3rd operation pair,
// the bad-image matrix; through the CLI, as `npm run sweep -- --json` prints it.
describe('npm run sweep (full)', () => {
  it('recovers at every cut point, bricks nothing, refuses every bad image', () => {
    const cli = fileURLToPath(new URL('../../tools/ota/sweep.ts', import.meta.url));
    const out = execFileSync(process.execPath, ['--import', 'tsx', cli, '--json', '--random', '60', '--pairs', '3'], { encoding: 'utf8' });
    const summary = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>;
    expect(summary.cutPoints).toBeGreaterThan(200);
    expect(summary.recovered).toBe(summary.cutPoints);
    expect(summary.bricked).toBe(0);
    expect(summary.badImagesTried).toBeGreaterThanOrEqual(11);
    expect(summary.badImagesRefused).toBe(summary.badImagesTried);
  });
});
