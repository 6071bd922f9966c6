/**
 * A small staged rollout through the real OTA server: a good release reaches every device
 * (download with Range into the flash model, pending-verify boot, commit), then a bad release
 * fails its health check on the devices that get it, they roll back, and the server pauses the
 * rollout by itself. The run's HTML report opens in headless Chromium with its charts drawn.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFault } from '../../sim/faults.js';
import { writeReport } from '../../sim/report/write.js';
import type { SimResult } from '../../sim/result.js';
import { runSimulation } from '../../sim/run.js';

let r: SimResult;
const dir = mkdtempSync(join(tmpdir(), 'sim-report-'));

beforeAll(async () => {
  r = await runSimulation({
    devices: 20, hours: 7, seed: 3, workers: 1,
    config: { checkInPeriodMs: 30 * 60_000 },
    rollout: { stages: [10, 50, 100], failureThreshold: 0.2, minSample: 2, soakSeconds: 3600 },
    faults: ['broker-outage@10m+15m', 'release@45m', 'bad-release@4h'].map(parseFault),
  });
}, 240_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('staged rollouts through the real server', () => {
  it('the good release is committed by every device and the rollout completes', () => {
    const good = r.summary.rollout.releases.find((x) => x.kind === 'good')!;
    expect(good.state).toBe('completed');
    expect(good.counts['succeeded']).toBe(20);
    expect(good.perStage.map((p) => p.percent)).toEqual([10, 50, 100]);
    expect(good.perStage.every((p) => p.reachedAtHours !== null)).toBe(true);
    expect(good.perStage.reduce((n, p) => n + p.devices, 0)).toBe(20);
    // 20 downloads of the image, with Range, into the inactive slot.
    expect(r.summary.otaBytes).toBeGreaterThanOrEqual(20 * 96 * 1024);
  });

  it('the bad release rolls back on its devices and the server pauses it', () => {
    const bad = r.summary.rollout.releases.find((x) => x.kind === 'bad')!;
    expect(bad.state).toBe('paused');
    expect(bad.stateReason).toMatch(/^automatic: failure rate/);
    expect(bad.counts['rolled_back']).toBeGreaterThanOrEqual(2);
    expect(bad.counts['succeeded']).toBe(0);
    expect(r.summary.firmwareLog['OTA_ROLLED_BACK']).toBeGreaterThanOrEqual(2);
    // Every device ends on the good release, valid.
    expect(r.summary.firmware).toEqual({ [`${r.summary.rollout.releases[0]!.version} (valid)`]: 20 });
    expect(r.summary.readingsLost).toBe(0);
    expect(r.summary.wakeErrors, r.summary.firstWakeError).toBe(0);
  });

  it('the HTML report opens in headless Chromium with every chart drawn from data', async () => {
    const path = writeReport(r, dir, 'rollout test');
    expect(existsSync(path)).toBe(true);
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await page.goto(`file://${path}`);
      const charts = await page.$$eval('svg[data-chart]', (svgs) => svgs.map((s) => ({
        name: s.getAttribute('data-chart'),
        drawn: s.getAttribute('data-drawn'),
        series: s.querySelectorAll('.series').length,
        points: Array.from(s.querySelectorAll('path.series')).reduce((n, p) => n + Number(p.getAttribute('data-points') ?? 0), 0),
      })));
      expect(errors).toEqual([]);
      expect(charts.map((c) => c.name)).toEqual(['messages', 'outbox', 'rollout', 'battery', 'herd']);
      for (const c of charts) {
        expect(c.drawn, c.name!).toBe('true');
        expect(c.series, c.name!).toBeGreaterThan(0);
      }
      expect(charts.find((c) => c.name === 'outbox')!.points).toBeGreaterThan(50);
      expect(charts.find((c) => c.name === 'rollout')!.points).toBeGreaterThan(10);
      expect(await page.locator('.state-paused').count()).toBeGreaterThan(0);
      expect(await page.title()).toBe('rollout test');
    } finally {
      await browser.close();
    }
  }, 60_000);
});
