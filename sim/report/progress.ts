/**
 * Progress while a simulation runs (cli-progress, on stderr): virtual time done, cycles,
 * messages, reports queued in outboxes, and the phase (the main run, the herd twins, the end).
 * On a terminal the bar redraws in place; elsewhere (CI logs) it prints a line every 2 s
 * (noTTYOutput). Events (faults, rollout changes) are printed above the bar.
 */
import cliProgress from 'cli-progress';
import type { ProgressInfo } from '../run.js';

export interface Progress {
  update(p: ProgressInfo): void;
  log(line: string): void;
  stop(): void;
}

export function createProgress(options: { tty: boolean; stream?: NodeJS.WritableStream }): Progress {
  const stream = options.stream ?? process.stderr;
  const multi = new cliProgress.MultiBar({
    stream: stream as NodeJS.WriteStream,
    format: '{phase} |{bar}| {hours}/{span} virtual h | {cycles} cycles | {messages} messages | {backlog} queued',
    barCompleteChar: '\u2588',
    barIncompleteChar: '\u2591',
    hideCursor: options.tty,
    clearOnComplete: false,
    stopOnComplete: false,
    noTTYOutput: !options.tty,
    notTTYSchedule: 2000,
    etaBuffer: 50,
  }, cliProgress.Presets.shades_classic);
  const bars = new Map<string, cliProgress.SingleBar>();
  const barFor = (phase: string, total: number): cliProgress.SingleBar => {
    const key = phase.startsWith('herd') ? phase : 'run';
    let bar = bars.get(key);
    if (bar === undefined) {
      bar = multi.create(Math.max(1, Math.round(total * 10)), 0, { phase: key === 'run' ? 'fleet' : key, hours: '0', span: total.toFixed(0), cycles: 0, messages: 0, backlog: 0 });
      bars.set(key, bar);
    }
    return bar;
  };
  return {
    update(p) {
      const totalHours = p.spanMs / 3_600_000;
      const bar = barFor(p.phase, totalHours);
      const hours = p.virtualMs / 3_600_000;
      bar.update(Math.round(hours * 10), {
        phase: p.phase.startsWith('herd (') ? p.phase : p.phase === 'running' ? 'fleet' : p.phase === 'herd' ? 'waiting for the herd twins' : p.phase,
        hours: hours.toFixed(1), span: totalHours.toFixed(0),
        cycles: p.cycles.toLocaleString('en-US'), messages: p.messages.toLocaleString('en-US'), backlog: p.backlog.toLocaleString('en-US'),
      });
    },
    log(line) {
      multi.log(`${line}\n`);
    },
    stop() {
      multi.stop();
    },
  };
}
