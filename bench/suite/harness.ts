// The benchmark suite's bookkeeping, free of processes and models so a test can drive it with a fake runner:
// medians over timed runs, ours/peer ratios, the result rows of `propmend bench --json`, the printed table
// and the report file's shape. Running the sides is sides.ts; what each case computes is cases.ts.
import type { SideResult } from './spec';

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Median of a side's timed runs of one series (NaN when the side or the series is missing). */
export function seriesMedian(side: SideResult | null, series: string): number {
  return median(side?.series[series]?.runs_s ?? []);
}

/** ours / peer, or null when either is missing or not positive. */
export function ratio(ours: number | null, peer: number | null): number | null {
  if (ours === null || peer === null || !Number.isFinite(ours) || !Number.isFinite(peer) || peer <= 0)
    return null;
  return ours / peer;
}

/** One row of the table and of `--json`'s "cases". */
export interface CaseRow {
  readonly name: string;
  /** Median seconds of our timed runs (per iteration for metatrain cases). */
  readonly ours_s: number | null;
  readonly peer_s: number | null;
  /** ours_s / peer_s: below 1 means we are faster. */
  readonly ratio: number | null;
  readonly ours_peak_rss_bytes: number | null;
  readonly peer_peak_rss_bytes: number | null;
  /** Did the two sides compute the same thing (loss, first answer)? null when there is no peer. */
  readonly agree: boolean | null;
  readonly notes: string;
  /** Case-specific numbers (stage medians, tokens/s, gemm_fraction, check values of both sides). */
  readonly [key: string]: unknown;
}

export function caseRow(
  name: string,
  ours: SideResult | null,
  peer: SideResult | null,
  options: { series: string; agree: boolean | null; notes: string; extra?: Record<string, unknown> },
): CaseRow {
  const o = ours ? seriesMedian(ours, options.series) : null;
  const p = peer ? seriesMedian(peer, options.series) : null;
  return {
    name,
    ours_s: o,
    peer_s: p,
    ratio: ratio(o, p),
    ours_peak_rss_bytes: ours?.peak_rss_bytes ?? null,
    peer_peak_rss_bytes: peer?.peak_rss_bytes ?? null,
    agree: options.agree,
    notes: options.notes,
    ...(options.extra ?? {}),
  };
}

/** Relative difference |a - b| / max(|a|, |b|, tiny). */
export function relDiff(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-30);
}

const GIB = 1024 ** 3;

function fmtSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '-';
  return s < 1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(2)} s`;
}

function fmtBytes(b: number | null): string {
  return b === null ? '-' : `${(b / GIB).toFixed(2)} GiB`;
}

/** The printed table: case, ours, peer, ratio, both peak RSS, agreement and notes. */
export function formatTable(rows: readonly CaseRow[]): string {
  const header = ['case', 'ours', 'peer', 'ratio', 'ours peak RSS', 'peer peak RSS', 'agree', 'notes'];
  const cells = rows.map((r) => [
    r.name,
    fmtSeconds(r.ours_s),
    fmtSeconds(r.peer_s),
    r.ratio === null ? '-' : r.ratio.toFixed(2),
    fmtBytes(r.ours_peak_rss_bytes),
    fmtBytes(r.peer_peak_rss_bytes),
    r.agree === null ? '-' : r.agree ? 'yes' : 'NO',
    r.notes,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: readonly string[]) =>
    c
      .map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** The machine and software a report was measured on. */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memory_bytes: number;
  readonly load_average: readonly number[];
  readonly platform: string;
  readonly versions: Readonly<Record<string, string>>;
}

export interface BenchReport {
  readonly created_at: string;
  readonly command: string;
  readonly machine: MachineInfo;
  readonly threads: number;
  readonly reps: number;
  readonly warmup: number;
  readonly cases: readonly CaseRow[];
  /** Each side's raw result per case: every run's seconds, checks and versions. */
  readonly raw: Readonly<Record<string, { ours: SideResult | null; peer: SideResult | null }>>;
  readonly failures: ReadonlyArray<{ readonly name: string; readonly message: string }>;
}

/** What `--json` prints: the rows, plus the failures when a case could not run. */
export function jsonSummary(report: BenchReport): {
  cases: readonly CaseRow[];
  failures?: BenchReport['failures'];
} {
  return report.failures.length
    ? { cases: report.cases, failures: report.failures }
    : { cases: report.cases };
}

/** The report file's name: the case when one ran, else a timestamp (colons and dots replaced). */
export function reportFileName(names: readonly string[], createdAt: string): string {
  const stamp = createdAt.replace(/[:.]/g, '-');
  return names.length === 1 ? `${names[0]}-${stamp}.json` : `suite-${stamp}.json`;
}
