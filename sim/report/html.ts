/**
 * The run's HTML report: one self-contained file (no network, no libraries), its charts drawn
 * as inline SVG by a small script from the run's data embedded in the page:
 *   messages per hour against the baseline, outbox depth through the outage, rollout progress
 *   per stage, battery-life distribution, the thundering herd after the outage (jitter on/off).
 * Every chart is an <svg data-chart="..."> that the script fills with <path class="series">
 * and <rect class="series"> elements and marks data-drawn="true" (the report test checks it in
 * headless Chromium).
 */
import type { SimDetails, SimSummary } from '../result.js';

export interface ReportData {
  summary: SimSummary;
  details: SimDetails;
  generatedAt: string;
  title: string;
}

/** JSON safe inside a <script> element. */
function embed(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function fmt(n: number | null | undefined, digits = 0): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '-';
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function ratio(a: number, b: number): string {
  return b === 0 ? '-' : `${(a / b).toFixed(a / b < 0.1 ? 3 : 2)}x`;
}

function summaryRows(s: SimSummary): string {
  const rows: [string, string, string][] = [
    ['messages', fmt(s.messages), `${fmt(s.baselineMessages)} (${ratio(s.messages, s.baselineMessages)})`],
    ['bytes on the wire (MQTT + check-in)', fmt(s.bytes), `${fmt(s.baselineBytes)} (${ratio(s.bytes, s.baselineBytes)})`],
    ['radio seconds per device-day', fmt(s.radioSecondsPerDeviceDay, 1), fmt(s.baselineRadioSecondsPerDeviceDay, 1)],
    ['mAh per day (median)', fmt(s.mahPerDayMedian, 2), fmt(s.baselineMahPerDayMedian, 2)],
    [`battery life, days (median, ${escapeHtml(s.battery)})`, fmt(s.batteryDaysMedian), fmt(s.baselineBatteryDaysMedian)],
    ['readings lost', fmt(s.readingsLost), `${fmt(s.baselineLost)} messages`],
  ];
  return rows.map(([k, a, b]) => `<tr><th>${k}</th><td>${a}</td><td>${b}</td></tr>`).join('');
}

function releaseRows(s: SimSummary): string {
  if (s.rollout.releases.length === 0) return '<p>No release in this run.</p>';
  const head = '<tr><th>release</th><th>rollout</th><th>state</th><th>stage</th><th>per stage (devices: states)</th></tr>';
  const rows = s.rollout.releases.map((r) => {
    const stages = r.perStage.map((p) => `${p.percent} %: ${p.devices} dev${p.reachedAtHours === null ? ' (not reached)' : ` @${fmt(p.reachedAtHours, 1)} h`}`
      + (Object.keys(p.counts).length === 0 ? '' : ` [${Object.entries(p.counts).map(([k, v]) => `${k} ${v}`).join(', ')}]`)).join('<br>');
    return `<tr><td>${escapeHtml(r.version)} (${r.kind})</td><td><code>${escapeHtml(r.id)}</code></td><td class="state-${escapeHtml(r.state)}">${escapeHtml(r.state)}`
      + `${r.stateReason === null ? '' : `<br><small>${escapeHtml(r.stateReason)}</small>`}</td><td>${r.stagePercent} %</td><td>${stages}</td></tr>`;
  }).join('');
  return `<table>${head}${rows}</table>`;
}

/** The page. */
export function renderReport(data: ReportData): string {
  const s = data.summary;
  const h = s.thunderingHerd;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(data.title)}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1100px; color: #1d2330; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #dde2ea; padding-bottom: 4px; }
.meta { color: #5b6473; } table { border-collapse: collapse; margin: 8px 0; } th, td { text-align: left; padding: 4px 10px; border-bottom: 1px solid #eceff4; vertical-align: top; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; margin: 14px 0; }
.kpi { background: #f5f7fa; border-radius: 6px; padding: 10px; } .kpi b { display: block; font-size: 20px; } .kpi span { color: #5b6473; font-size: 12px; }
.ok b { color: #137333; } .bad b { color: #b3261e; }
svg { background: #fbfcfd; border: 1px solid #e3e7ee; border-radius: 6px; } .legend { font-size: 12px; color: #5b6473; }
.state-paused { color: #b3261e; font-weight: 600; } .state-completed { color: #137333; font-weight: 600; }
code { font-size: 12px; } small { color: #5b6473; } ul { margin: 6px 0; }
</style>
</head>
<body>
<h1>${escapeHtml(data.title)}</h1>
<div class="meta">${fmt(s.devices)} devices, ${fmt(s.virtualHours, 1)} virtual hours in ${fmt(s.wallSeconds, 1)} s of wall time; mode ${escapeHtml(s.mode)}, engine ${escapeHtml(s.engine)}, broker ${escapeHtml(s.broker)}, seed ${s.seed};
inputs ${escapeHtml(s.trace ?? 'built-in model')}; faults: ${s.faults.length === 0 ? 'none' : s.faults.map((f) => `<code>${escapeHtml(f)}</code>`).join(', ')}. Generated ${escapeHtml(data.generatedAt)}.</div>
<div class="kpis">
<div class="kpi ${s.readingsLost === 0 ? 'ok' : 'bad'}"><b>${fmt(s.readingsLost)}</b><span>readings lost (of ${fmt(s.readingsProduced)}; ${fmt(s.readingsQueuedAtEnd)} still queued at the end)</span></div>
<div class="kpi"><b>${fmt(s.duplicates)}</b><span>duplicates removed by sequence number</span></div>
<div class="kpi"><b>${fmt(s.alarmsDelivered)} / ${fmt(s.alarmsRaised)}</b><span>alarms delivered; p95 latency ${fmt(s.alarmLatencyP95Seconds, 1)} s</span></div>
<div class="kpi"><b>${fmt(s.messages)}</b><span>messages (baseline ${fmt(s.baselineMessages)})</span></div>
<div class="kpi"><b>${fmt(s.batteryDaysMedian)} d</b><span>median battery life (baseline ${fmt(s.baselineBatteryDaysMedian)} d)</span></div>
<div class="kpi"><b>${fmt(h.withoutJitterPeak)} → ${fmt(h.withJitterPeak)}</b><span>peak reconnects per second after the outage, without → with jitter</span></div>
</div>

<h2>Against a naive fixed-interval JSON publisher</h2>
<p>The baseline publishes one JSON message (names, values, ISO time) every ${fmt(300)} s, joins Wi-Fi every period and keeps nothing when the broker is away (ESPHome / Tasmota style, modelled on the same inputs and outages).</p>
<table><tr><th></th><th>this firmware</th><th>baseline</th></tr>${summaryRows(s)}</table>
<h3>Messages per hour</h3>
<svg data-chart="messages" width="1060" height="280" role="img" aria-label="messages per hour, this firmware and the baseline"></svg>
<div class="legend">Blue: this firmware (acknowledged publishes per virtual hour). Grey: baseline. Shaded: broker outages.</div>

<h2>Outbox depth through the outage</h2>
<svg data-chart="outbox" width="1060" height="260" role="img" aria-label="reports queued in the outboxes"></svg>
<div class="legend">Reports queued in all outboxes (blue) and devices holding a backlog (orange), sampled every 5 virtual minutes.</div>

<h2>Rollouts</h2>
${releaseRows(s)}
<svg data-chart="rollout" width="1060" height="300" role="img" aria-label="rollout progress per stage"></svg>
<div class="legend">Devices per rollout state over time (succeeded green, rolled back red, failed dark red, installed/downloading/offered blue shades); dashed lines: stage changes.</div>

<h2>Battery life</h2>
<svg data-chart="battery" width="1060" height="260" role="img" aria-label="battery-life distribution"></svg>
<div class="legend">Devices per battery-life bin (days, ${escapeHtml(s.battery)}): this firmware (blue) against the baseline (grey).</div>
<p>Energy assumptions:</p><ul>${s.energyAssumptions.map((a) => `<li>${escapeHtml(a)}</li>`).join('')}</ul>

<h2>Thundering herd after the outage</h2>
<p>${escapeHtml(h.method)}. Peak per second: ${fmt(h.withoutJitterPeak)} without jitter (95 % back after ${fmt(h.withoutJitterP95Minutes, 1)} min), ${fmt(h.withJitterPeak)} with full jitter (95 % back after ${fmt(h.withJitterP95Minutes, 1)} min); in this run itself ${fmt(h.thisRunPeak)}.</p>
<svg data-chart="herd" width="1060" height="260" role="img" aria-label="first reconnections per minute after the broker returned"></svg>
<div class="legend">First reconnections per minute after the broker returned: without jitter (red), with full jitter (blue), this run (green).</div>

<h2>Details</h2>
<table>
<tr><th>cycles</th><td>${fmt(s.cycles)}</td><th>check-ins</th><td>${fmt(s.checkIns)}</td></tr>
<tr><th>readings produced / delivered</th><td>${fmt(s.readingsProduced)} / ${fmt(s.readingsDelivered)}</td><th>thinned / dropped in outboxes</th><td>${fmt(s.thinned)} / ${fmt(s.dropped)}</td></tr>
<tr><th>OTA bytes downloaded</th><td>${fmt(s.otaBytes)}</td><th>power cuts</th><td>${fmt(s.powerCuts)}</td></tr>
<tr><th>largest clock error after a fix</th><td>${fmt(s.maxClockErrorSeconds, 3)} s</td><th>firmware at the end</th><td>${Object.entries(s.firmware).map(([k, v]) => `${escapeHtml(k)}: ${v}`).join('<br>')}</td></tr>
<tr><th>firmware warnings and errors</th><td colspan="3">${Object.entries(s.firmwareLog).sort((a, b) => b[1] - a[1]).map(([k, v]) => `<code>${escapeHtml(k)}</code> ${fmt(v)}`).join(', ') || 'none'}</td></tr>
</table>

<script type="application/json" id="sim-data">${embed({ summary: s, details: data.details })}</script>
<script>
${CHART_SCRIPT}
</script>
</body>
</html>
`;
}

/** The charts: plain DOM and SVG, no dependencies. */
const CHART_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('sim-data').textContent);
  var S = data.summary, D = data.details;
  var NS = 'http://www.w3.org/2000/svg';
  var M = { l: 56, r: 16, t: 14, b: 34 };
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (parent) parent.appendChild(e);
    return e;
  }
  function text(svg, x, y, s, anchor) {
    var t = el('text', { x: x, y: y, 'font-size': 11, fill: '#5b6473', 'text-anchor': anchor || 'middle' }, svg);
    t.textContent = s;
    return t;
  }
  function niceStep(v) {
    if (!(v > 0)) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(v)));
    var m = v / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * p;
  }
  /** A maximum that four grid steps divide into round numbers. */
  function niceMax(v) {
    return 4 * niceStep((v > 0 ? v : 1) / 4);
  }
  function frame(svg, xMin, xMax, yMax, xLabel, yLabel) {
    var W = +svg.getAttribute('width'), H = +svg.getAttribute('height');
    var f = {
      x: function (v) { return M.l + (W - M.l - M.r) * (xMax === xMin ? 0 : (v - xMin) / (xMax - xMin)); },
      y: function (v) { return H - M.b - (H - M.t - M.b) * (v / yMax); },
      W: W, H: H
    };
    el('line', { x1: M.l, y1: H - M.b, x2: W - M.r, y2: H - M.b, stroke: '#9aa3b2' }, svg);
    el('line', { x1: M.l, y1: M.t, x2: M.l, y2: H - M.b, stroke: '#9aa3b2' }, svg);
    for (var i = 0; i <= 4; i++) {
      var yv = yMax * i / 4;
      el('line', { x1: M.l, y1: f.y(yv), x2: W - M.r, y2: f.y(yv), stroke: '#eef1f5' }, svg);
      text(svg, M.l - 6, f.y(yv) + 4, yv >= 1000 ? (yv / 1000).toFixed(yv % 1000 ? 1 : 0) + 'k' : String(+yv.toFixed(2)), 'end');
    }
    var xStep = niceStep((xMax - xMin) / 8);
    for (var xv = Math.ceil(xMin / xStep) * xStep; xv <= xMax + 1e-9; xv += xStep) {
      text(svg, f.x(xv), H - M.b + 14, String(+xv.toFixed(2)));
    }
    text(svg, (M.l + W - M.r) / 2, H - 4, xLabel);
    var yl = text(svg, 12, (M.t + H - M.b) / 2, yLabel);
    yl.setAttribute('transform', 'rotate(-90 12 ' + (M.t + H - M.b) / 2 + ')');
    return f;
  }
  function shade(svg, f, intervals, yMax) {
    (intervals || []).forEach(function (iv) {
      var x1 = f.x(iv.startMs / 3600000), x2 = f.x(iv.endMs / 3600000);
      el('rect', { x: x1, y: f.y(yMax), width: Math.max(1, x2 - x1), height: f.y(0) - f.y(yMax), fill: '#f3d9d6', opacity: 0.6 }, svg);
    });
  }
  function line(svg, f, xs, ys, color, name, dash) {
    if (xs.length === 0) return;
    var d = '';
    for (var i = 0; i < xs.length; i++) d += (i ? 'L' : 'M') + f.x(xs[i]).toFixed(1) + ',' + f.y(ys[i]).toFixed(1);
    el('path', { d: d, fill: 'none', stroke: color, 'stroke-width': 2, 'class': 'series', 'data-series': name, 'data-points': xs.length, 'stroke-dasharray': dash || 'none' }, svg);
  }
  function bars(svg, f, xs, ys, width, color, name, offset) {
    for (var i = 0; i < xs.length; i++) {
      if (!(ys[i] > 0)) continue;
      var x = f.x(xs[i]) + (offset || 0);
      el('rect', { x: x, y: f.y(ys[i]), width: Math.max(1, width), height: Math.max(0, f.y(0) - f.y(ys[i])), fill: color, 'class': 'series', 'data-series': name }, svg);
    }
  }
  function empty(svg, why) {
    text(svg, +svg.getAttribute('width') / 2, +svg.getAttribute('height') / 2, why);
    svg.setAttribute('data-drawn', 'empty');
  }
  function chart(name, draw) {
    var svg = document.querySelector('svg[data-chart="' + name + '"]');
    try {
      draw(svg);
      if (!svg.hasAttribute('data-drawn')) svg.setAttribute('data-drawn', 'true');
    } catch (e) {
      svg.setAttribute('data-drawn', 'error');
      text(svg, 200, 40, 'chart error: ' + e.message);
    }
  }
  var range = function (n, from, step) { var a = []; for (var i = 0; i < n; i++) a.push(from + i * step); return a; };

  chart('messages', function (svg) {
    var ours = D.messagesPerHour, base = D.baselinePerHour;
    var yMax = niceMax(Math.max.apply(null, ours.concat(base).concat([1])));
    var f = frame(svg, 0, ours.length, yMax, 'virtual hours', 'messages / h');
    shade(svg, f, D.outages.broker, yMax);
    var w = (f.x(1) - f.x(0)) / 2 - 1;
    bars(svg, f, range(base.length, 0, 1), base, w, '#b9c0cc', 'baseline', 0);
    bars(svg, f, range(ours.length, 0, 1), ours, w, '#2f6fde', 'firmware', w + 1);
  });

  chart('outbox', function (svg) {
    var pts = D.outboxSeries;
    if (pts.length === 0) return empty(svg, 'no samples');
    var xs = pts.map(function (p) { return p.hours; });
    var yMax = niceMax(Math.max.apply(null, pts.map(function (p) { return Math.max(p.records, p.devicesWithBacklog); }).concat([1])));
    var f = frame(svg, 0, S.virtualHours, yMax, 'virtual hours', 'queued reports');
    shade(svg, f, D.outages.broker, yMax);
    line(svg, f, xs, pts.map(function (p) { return p.records; }), '#2f6fde', 'queued');
    line(svg, f, xs, pts.map(function (p) { return p.devicesWithBacklog; }), '#e8710a', 'devices');
  });

  chart('rollout', function (svg) {
    var rel = D.releases;
    if (rel.length === 0) return empty(svg, 'no release in this run');
    var colors = { succeeded: '#188038', rolled_back: '#d93025', failed: '#8c1d18', installed: '#1a73e8', downloading: '#6ea8fe', offered: '#b8d3fe' };
    var yMax = niceMax(Math.max.apply(null, rel.map(function (r) { return r.timeline.reduce(function (m, p) { var t = 0; for (var k in p.counts) t += p.counts[k]; return Math.max(m, t); }, 1); })));
    var f = frame(svg, 0, S.virtualHours, yMax, 'virtual hours', 'devices');
    rel.forEach(function (r, ri) {
      var xs = r.timeline.map(function (p) { return p.tMs / 3600000; });
      Object.keys(colors).forEach(function (state) {
        var ys = r.timeline.map(function (p) { return p.counts[state] || 0; });
        if (ys.some(function (y) { return y > 0; })) line(svg, f, xs, ys, colors[state], r.version + ' ' + state, ri ? '6 3' : null);
      });
      r.stageReachedAtMs.forEach(function (t, k) {
        var x = f.x(t / 3600000);
        el('line', { x1: x, y1: f.y(yMax), x2: x, y2: f.y(0), stroke: '#9aa3b2', 'stroke-dasharray': '3 3' }, svg);
        text(svg, x + 3, f.y(yMax) + 10 + 12 * ri, r.version + ' ' + r.stages[k] + '%', 'start');
      });
    });
  });

  chart('battery', function (svg) {
    var ours = D.batteryDays.filter(isFinite), base = D.baselineBatteryDays.filter(isFinite);
    if (ours.length === 0) return empty(svg, 'no devices');
    var hi = Math.max.apply(null, ours.concat(base));
    var bins = 30, step = niceStep(hi / bins);
    var n = Math.ceil(hi / step) + 1;
    var h1 = new Array(n).fill(0), h2 = new Array(n).fill(0);
    ours.forEach(function (v) { h1[Math.floor(v / step)]++; });
    base.forEach(function (v) { h2[Math.floor(v / step)]++; });
    var yMax = niceMax(Math.max.apply(null, h1.concat(h2)));
    var f = frame(svg, 0, n * step, yMax, 'battery life (days)', 'devices');
    var w = Math.max(1, f.x(step) - f.x(0) - 1);
    bars(svg, f, range(n, 0, step), h2, w, '#b9c0cc', 'baseline', 0);
    bars(svg, f, range(n, 0, step), h1, w, '#2f6fde', 'firmware', 0);
  });

  chart('herd', function (svg) {
    var hd = D.herd, own = D.reconnectsPerMinute;
    if (!hd && !own) return empty(svg, 'no broker outage ended within this run');
    var series = [];
    if (hd) { series.push([hd.withoutJitter.perMinute, '#d93025', 'without jitter']); series.push([hd.withJitter.perMinute, '#2f6fde', 'with jitter']); }
    if (own) series.push([own.counts, '#188038', 'this run']);
    var len = Math.max.apply(null, series.map(function (s) { return s[0].length; }));
    var yMax = niceMax(Math.max.apply(null, series.map(function (s) { return Math.max.apply(null, s[0].concat([1])); })));
    var f = frame(svg, 0, len, yMax, 'minutes after the broker returned', 'first reconnections / min');
    series.forEach(function (s) { line(svg, f, range(s[0].length, 0, 1), s[0], s[1], s[2]); });
  });
})();
`;
