// The report's public surface: read and merge result files (load.ts, merge.ts), summarise them
// (summary.ts), render the terminal table (markdown.ts) and the HTML page (html.ts), and write the page
// through the one output check (claimOutput). `propmend report` and the demo call this; rendering stays pure.
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../common/atomic';
import { claimOutput } from '../common/output';
import type { EvalRunResult, SummaryRow } from '../runtime/eval/result';
import { renderReport } from './html';
import { readEvalResult } from './load';
import { MergeError, mergeResults } from './merge';
import { reportRows } from './summary';

export { type RenderOptions, renderReport } from './html';
export { type LoadedResult, parseEvalResult, readEvalResult } from './load';
export { markdownTable } from './markdown';
export { MergeError, mergeResults } from './merge';
export { COLUMNS, formatCell, METHOD_ORDER, reportRows } from './summary';
export {
  type OpenQuestionMessage,
  questionTarget,
  type ReportMessage,
  readReportMessage,
} from './webview-messages';

export type LoadedReport =
  | { readonly ok: true; readonly result: EvalRunResult; readonly rows: SummaryRow[] }
  | { readonly ok: false; readonly message: string };

/** Reads, checks and merges result files into one run and its summary rows; problems as one message. */
export function loadReport(paths: readonly string[]): LoadedReport {
  const results: EvalRunResult[] = [];
  for (const path of paths) {
    const loaded = readEvalResult(path);
    if (!loaded.ok) return { ok: false, message: loaded.message };
    results.push(loaded.result);
  }
  try {
    const result = mergeResults(results, paths);
    return { ok: true, result, rows: reportRows(result) };
  } catch (error) {
    if (error instanceof MergeError) return { ok: false, message: error.message };
    throw error;
  }
}

/** Where the page goes when no path is given: `report.html` beside the first result file. */
export function defaultReportPath(firstResult: string): string {
  return join(dirname(firstResult), 'report.html');
}

/**
 * Claims `target` (an existing file needs `force`; the inputs are never overwritten) and writes the page
 * atomically. Throws OutputError for a refused target. Returns the absolute path written.
 */
export function writeReportPage(
  result: EvalRunResult,
  target: string,
  options: { force?: boolean; inputs?: readonly string[]; flag?: string; sources?: readonly string[] } = {},
): string {
  const abs = claimOutput(target, {
    kind: 'file',
    force: options.force ?? false,
    inputs: options.inputs ?? [],
    flag: options.flag ?? '--html',
  });
  writeFileAtomic(abs, renderReport(result, { sources: options.sources ?? options.inputs ?? [] }));
  return abs;
}
