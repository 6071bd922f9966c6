/**
 * npm start: the fleet demo. 200 devices, each the real firmware core, through 48 virtual hours
 * against an embedded MQTT broker (Aedes) and the real OTA server (SQLite in a temporary
 * directory), in well under two minutes of wall time:
 *
 *   10 h  the broker is down for two hours (outboxes fill, backoff with jitter, nothing lost)
 *   14 h  a good release (signed at start with a key made by the OTA tooling) is rolled out in
 *         stages of 1, 5, 25 and 100 %: devices download it with Range, install it into their
 *         flash model, reboot pending-verify and commit
 *   30 h  a bad release: its image fails the health check on the devices, they roll back, and
 *         the server pauses the rollout by itself
 *
 * Then a terminal summary (against a naive fixed-interval JSON publisher) and an HTML report
 * under reports/. The single-node walk-through is `npx tsx sim/single-node.ts`; any other
 * scenario is `npm run sim -- --help`.
 */
import { parseFault } from './faults.js';
import { createProgress } from './report/progress.js';
import { formatSummary } from './report/summary.js';
import { writeReport } from './report/write.js';
import { runSimulation } from './run.js';

export const DEMO = Object.freeze({
  devices: 200,
  hours: 48,
  faults: ['broker-outage@10h+2h', 'release@14h', 'bad-release@30h'],
});

const progress = createProgress({ tty: process.stderr.isTTY === true });
process.stdout.write(`Fleet demo: ${DEMO.devices} devices x ${DEMO.hours} virtual hours; ${DEMO.faults.join(', ')}\n\n`);
let result;
try {
  result = await runSimulation({ devices: DEMO.devices, hours: DEMO.hours, faults: DEMO.faults.map(parseFault) }, {
    onProgress: (p) => progress.update(p),
    onEvent: (line) => progress.log(line),
  });
} finally {
  progress.stop();
}
const reportPath = writeReport(result, 'reports', `Fleet demo: ${DEMO.devices} devices, ${DEMO.hours} virtual hours`);
const s = result.summary;
process.stdout.write(`${formatSummary(s, reportPath).join('\n')}\n\n`);

const good = s.rollout.releases.find((r) => r.kind === 'good');
const bad = s.rollout.releases.find((r) => r.kind === 'bad');
const checks: [string, boolean][] = [
  [`readingsLost is 0 (${s.readingsProduced.toLocaleString('en-US')} readings, ${s.readingsQueuedAtEnd} still queued at the end)`, s.readingsLost === 0],
  [`every alarm delivered (${s.alarmsDelivered}/${s.alarmsRaised})`, s.alarmsDelivered === s.alarmsRaised],
  [`good release ${good?.version ?? '-'}: ${good?.state ?? 'not started'}, ${good?.counts['succeeded'] ?? 0} devices committed it`, good !== undefined && (good.counts['succeeded'] ?? 0) > 0],
  [`bad release ${bad?.version ?? '-'}: ${bad?.state ?? 'not started'}${bad?.stateReason ? ` (${bad.stateReason})` : ''}`, bad?.state === 'paused'],
  [`no device wake failed (${s.wakeErrors})`, s.wakeErrors === 0],
];
for (const [what, ok] of checks) process.stdout.write(`  ${ok ? 'ok  ' : 'FAIL'} ${what}\n`);
process.stdout.write(`\nReport: ${reportPath}\n`);
process.exit(checks.every(([, ok]) => ok) ? 0 : 1);
