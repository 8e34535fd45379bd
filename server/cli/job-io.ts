// The CLI's adapter over server/jobs: a JobContext whose progress is one line on stderr (redrawn in place
// on a terminal, a line every few seconds otherwise, nothing for jobs shorter than two seconds), whose logs
// are stderr lines and whose signal is the command's SIGINT/SIGTERM signal. Results never go through here.
import { formatSeconds } from '../common/progress';
import type { JobContext, JobProgress } from '../jobs/context';
import type { CliIO } from './command';

const DELAY_MS = 2000;
const TTY_INTERVAL_MS = 100;
const LOG_INTERVAL_MS = 5000;

export interface CliJobContext extends JobContext {
  /** Ends the progress line (call when the job returns or throws). */
  finish(): void;
}

/** A JobContext that draws `label [bar] 42.0% 1m02s elapsed, 1m25s left | message` on the command's stderr. */
export function cliJobContext(io: CliIO, label: string): CliJobContext {
  const started = Date.now();
  let firstFraction: number | undefined;
  let firstAt = started;
  let lastPrint = 0;
  let lastLength = 0;
  const draw = ({ fraction, message }: JobProgress, now: number) => {
    const f = Math.min(1, Math.max(0, fraction));
    const elapsed = (now - started) / 1000;
    // Time left from this run's own rate: a resumed job starts at a fraction above zero.
    const rate =
      firstFraction !== undefined && f > firstFraction ? (now - firstAt) / 1000 / (f - firstFraction) : 0;
    const eta = rate > 0 ? `, ${formatSeconds(rate * (1 - f))} left` : '';
    const bar = io.stderrIsTTY
      ? `[${'#'.repeat(Math.round(f * 24))}${'.'.repeat(24 - Math.round(f * 24))}] `
      : '';
    const line = `${label} ${bar}${(f * 100).toFixed(1)}% ${formatSeconds(elapsed)} elapsed${eta}${message ? ` | ${message}` : ''}`;
    if (io.stderrIsTTY) {
      io.stderr(`\r${line}${' '.repeat(Math.max(0, lastLength - line.length))}`);
      lastLength = line.length;
    } else io.stderr(`${line}\n`);
  };
  return {
    signal: io.signal,
    progress(update) {
      const now = Date.now();
      if (firstFraction === undefined) {
        firstFraction = update.fraction;
        firstAt = now;
      }
      if (now - started < DELAY_MS) return;
      if (now - lastPrint < (io.stderrIsTTY ? TTY_INTERVAL_MS : LOG_INTERVAL_MS) && update.fraction < 1)
        return;
      lastPrint = now;
      draw(update, now);
    },
    log(line) {
      if (io.stderrIsTTY && lastLength > 0) {
        io.stderr('\n');
        lastLength = 0;
      }
      io.stderr(`${line}\n`);
    },
    finish() {
      if (io.stderrIsTTY && lastLength > 0) io.stderr('\n');
      lastLength = 0;
    },
  };
}

/** Runs `job` with a CLI context labelled `label`, ending the progress line however it returns. */
export async function runJob<T>(io: CliIO, label: string, job: (ctx: JobContext) => Promise<T>): Promise<T> {
  const ctx = cliJobContext(io, label);
  try {
    return await job(ctx);
  } finally {
    ctx.finish();
  }
}
