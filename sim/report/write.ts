/** Writes a run's HTML report and its JSON next to it; returns the HTML path. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { SimResult } from '../result.js';
import { renderReport } from './html.js';

export function writeReport(result: SimResult, dir: string, title: string): string {
  const abs = resolve(dir);
  mkdirSync(abs, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').replace('Z', '');
  const base = `sim-${stamp}-${result.summary.devices}dev-${result.summary.virtualHours}h`;
  const html = join(abs, `${base}.html`);
  writeFileSync(html, renderReport({ summary: result.summary, details: result.details, generatedAt: new Date().toISOString(), title }));
  writeFileSync(join(abs, `${base}.json`), `${JSON.stringify({ summary: result.summary, details: result.details }, null, 1)}\n`);
  return html;
}
