// The evaluation panel's content as plain data: the report page of server/report in webview mode (the same
// HTML as `propmend report`, under the webview's CSP source and a fresh nonce), the panel title, the line a
// finished run logs, and where a question link of the page points (the result's own dataset file and a
// 0-based editor line), so the panel never opens a path the page names. Must not import `vscode`.
import { basename } from 'node:path';
import type { EvaluateResult } from '../../server/protocol';
import { renderReport } from '../../server/report/html';
import type { EvalRunResult } from '../../server/report/load';
import { questionTarget, readReportMessage } from '../../server/report/webview-messages';
import { evalLine } from './eval-summary';

export function evalPanelHtml(
  result: EvalRunResult,
  options: { readonly nonce: string; readonly cspSource: string; readonly source: string },
): string {
  return renderReport(result, {
    nonce: options.nonce,
    cspSource: options.cspSource,
    sources: [options.source],
    webview: true,
  });
}

export function evalPanelTitle(result: EvalRunResult): string {
  const files = result.config.datasets.map((d) => basename(d).replace(/\.ripple\.jsonl$/, ''));
  const shown = files.length > 2 ? `${files.slice(0, 2).join(', ')} +${files.length - 2}` : files.join(', ');
  return `PropMEND Evaluation: ${shown}`;
}

/** One line for the log and the notification: per method, over every split evaluated. */
export function evalRunLine(result: EvaluateResult): string {
  const n = result.results[0]?.n_instances ?? 0;
  return `${n} instance${n === 1 ? '' : 's'} in ${(result.elapsed_ms / 1000).toFixed(1)} s: ${result.results.map(evalLine).join(' · ')}`;
}

/** Where a message of the page points, as an editor location (0-based line), or null when it is not ours. */
export function questionLocation(
  result: EvalRunResult,
  raw: unknown,
): { readonly file: string; readonly line: number } | null {
  const message = readReportMessage(raw);
  const target = message && questionTarget(result.config.datasets, message);
  return target ? { file: target.file, line: target.line - 1 } : null;
}
