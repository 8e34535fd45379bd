// Progress display on stderr for long jobs: redraws one line on a terminal, prints a line every few
// seconds otherwise (CI logs). Callers pass extra fields (loss, tokens/s); results never go here.

export interface ProgressSink {
  write(text: string): void;
  readonly isTTY: boolean;
}

export class Progress {
  private readonly started = Date.now();
  private lastPrint = 0;
  private lastLineLength = 0;
  /** Work already done before this process started (a resumed job); excluded from the rate. */
  private startDone = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly sink: ProgressSink = {
      write: (t) => process.stderr.write(t),
      isTTY: Boolean(process.stderr.isTTY),
    },
    private readonly intervalMs = 5000,
    /** Nothing is shown for jobs that finish sooner than this. */
    private readonly delayMs = 2000,
  ) {}

  /** Marks `done` units as finished by an earlier run, so the time left is estimated from this run's rate. */
  resumeFrom(done: number): void {
    this.startDone = done;
  }

  /** Reports `done` of `total` with optional fields such as { loss: '2.31', 'tok/s': '9100' }. */
  update(done: number, fields: Readonly<Record<string, string>> = {}, force = false): void {
    const now = Date.now();
    if (now - this.started < this.delayMs && !force) return;
    const interval = this.sink.isTTY ? 100 : this.intervalMs;
    if (!force && now - this.lastPrint < interval && done < this.total) return;
    this.lastPrint = now;
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const elapsed = (now - this.started) / 1000;
    const doneHere = done - this.startDone;
    const eta = doneHere > 0 ? (elapsed / doneHere) * Math.max(0, this.total - done) : Number.NaN;
    const extras = Object.entries(fields).map(([k, v]) => `${k} ${v}`);
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = this.sink.isTTY ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ` : '';
    const line = `${this.label} ${bar}${done}/${this.total} ${(fraction * 100).toFixed(1)}% ${formatSeconds(elapsed)} elapsed${Number.isFinite(eta) ? `, ${formatSeconds(eta)} left` : ''}${extras.length ? ` | ${extras.join(' | ')}` : ''}`;
    if (this.sink.isTTY) {
      this.sink.write(`\r${line}${' '.repeat(Math.max(0, this.lastLineLength - line.length))}`);
      this.lastLineLength = line.length;
    } else this.sink.write(`${line}\n`);
  }

  /** Ends the line on a terminal. */
  finish(): void {
    if (this.sink.isTTY && this.lastLineLength > 0) this.sink.write('\n');
    this.lastLineLength = 0;
  }
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 60) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
