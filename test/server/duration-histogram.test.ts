import fc from 'fast-check';
import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DurationHistogram, type DurationLabels } from '../../ota-server/plugins/duration-histogram.js';

// The histogram behind /metrics must print exactly what a prom-client Histogram prints for the
// same observations: dashboards and alerts are written against that.

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const NAME = 'ota_http_request_duration_seconds';
const HELP = 'HTTP request durations by method, route template and status.';

function pair() {
  const theirs = new Registry();
  const ours = new Registry();
  const reference = new Histogram({ name: NAME, help: HELP, labelNames: ['method', 'route', 'status_code'], buckets: BUCKETS, registers: [theirs] });
  const histogram = new DurationHistogram({ name: NAME, help: HELP, buckets: BUCKETS, registry: ours });
  return { theirs, ours, reference, histogram };
}

const labels = fc.record({
  method: fc.constantFrom('GET', 'POST', 'DELETE'),
  route: fc.constantFrom('/v1/devices/:id/checkin', '/healthz', 'unmatched', '/v1/a"b\\c'),
  status_code: fc.constantFrom('200', '206', '400', '404', '503'),
});
// Durations on, between and beyond the bucket bounds.
const seconds = fc.oneof(fc.constantFrom(0, ...BUCKETS, 2.5000001, 1e-9, 30), fc.double({ min: 0, max: 5, noNaN: true }));

describe('DurationHistogram', () => {
  it('prints, in text and JSON, what a prom-client Histogram prints for the same observations', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.tuple(labels, seconds), { maxLength: 200 }), async (observations) => {
      const { theirs, ours, reference, histogram } = pair();
      const recorders = new Map<string, (s: number) => void>();
      for (const [l, s] of observations) {
        reference.labels(l).observe(s);
        const key = JSON.stringify(l);
        if (!recorders.has(key)) recorders.set(key, histogram.recorder(l as DurationLabels));
        recorders.get(key)!(s);
      }
      expect(await ours.metrics()).toBe(await theirs.metrics());
      const strip = (json: unknown) => JSON.parse(JSON.stringify(json, (k, v) => (k === 'exemplar' ? undefined : v)));
      expect(strip(await ours.getMetricsAsJSON())).toStrictEqual(strip(await theirs.getMetricsAsJSON()));
    }), { numRuns: 300 });
  });

  it('keeps one series per label set however many recorders ask for it, and reset zeroes them', async () => {
    const { ours, histogram } = pair();
    const l = { method: 'POST', route: '/x', status_code: '200' };
    histogram.recorder(l)(0.002);
    histogram.recorder({ ...l })(0.2);
    const text = await ours.metrics();
    expect(text).toContain(`${NAME}_count{method="POST",route="/x",status_code="200"} 2`);
    expect(text).toContain(`${NAME}_bucket{le="0.0025",method="POST",route="/x",status_code="200"} 1`);
    expect(text).toContain(`${NAME}_bucket{le="0.25",method="POST",route="/x",status_code="200"} 2`);
    ours.resetMetrics();
    expect(await ours.metrics()).toContain(`${NAME}_count{method="POST",route="/x",status_code="200"} 0`);
  });
});
