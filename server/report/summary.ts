// What a report shows, derived from a run's records: summary rows (summarizeRecords) in the paper's order
// (methods base → propmend, then others as first seen; splits in dataset order) and the formatting of one
// cell as `mean [low, high] (n)` in percent. Pure; shared by the markdown table and the HTML page.
import { SPLITS } from '../dataset/index';
import type { Interval, MetricSummary } from '../runtime/eval/metrics';
import { type EvalRunResult, type SummaryRow, summarizeRecords } from '../runtime/eval/result';

/** The paper's method order; methods not listed follow in the order the records first name them. */
export const METHOD_ORDER = [
  'base',
  'prepend',
  'cpt-full',
  'cpt-midupper',
  'memit',
  'mend',
  'propmend',
] as const;

/** The three columns of the paper's table, with their headings. */
export const COLUMNS = [
  { key: 'efficacy_verbatim', label: 'efficacy verbatim' },
  { key: 'efficacy_nonverbatim', label: 'efficacy non-verbatim' },
  { key: 'specificity', label: 'specificity' },
] as const satisfies ReadonlyArray<{ key: keyof SummaryRow; label: string }>;
export type ColumnKey = (typeof COLUMNS)[number]['key'];

function rank(order: readonly string[], name: string, fallback: number): number {
  const i = order.indexOf(name);
  return i >= 0 ? i : order.length + fallback;
}

/** Methods and splits of the rows, in display order. */
export function orderOf(rows: readonly SummaryRow[]): { methods: string[]; splits: string[] } {
  const methods = [...new Set(rows.map((r) => r.method))];
  const splits = [...new Set(rows.map((r) => r.split))];
  methods.sort(
    (a, b) => rank(METHOD_ORDER, a, methods.indexOf(a)) - rank(METHOD_ORDER, b, methods.indexOf(b)),
  );
  splits.sort((a, b) => rank(SPLITS, a, 0) - rank(SPLITS, b, 0) || (a < b ? -1 : a > b ? 1 : 0));
  return { methods, splits };
}

/** Summary rows of a run, split-major (each split's methods together), in display order. */
export function reportRows(result: EvalRunResult): SummaryRow[] {
  const rows = summarizeRecords(result.records, result.config.bootstrap);
  const { methods, splits } = orderOf(rows);
  return [...rows].sort(
    (a, b) =>
      splits.indexOf(a.split) - splits.indexOf(b.split) ||
      methods.indexOf(a.method) - methods.indexOf(b.method),
  );
}

/** The exact-match interval of one column of a row. */
export function exactMatchOf(row: SummaryRow, column: ColumnKey): Interval {
  return (row[column] as MetricSummary).exact_match;
}

const pct = (x: number) => (100 * x).toFixed(1);

/** `44.9 [40.1, 49.8] (312)`: exact match in percent, its bootstrap 95% interval and n; `–` when n = 0. */
export function formatCell(interval: Interval): string {
  if (interval.n === 0) return '–';
  return `${pct(interval.mean)} [${pct(interval.low)}, ${pct(interval.high)}] (${interval.n})`;
}
