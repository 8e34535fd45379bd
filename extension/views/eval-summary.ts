// The words of an evaluation result for a notification and the log: one line per method with efficacy on
// verbatim and non-verbatim questions and specificity, with the question counts behind each rate.
// Plain data from the protocol's records; must not import `vscode`.
import type { EvalRecord, EvaluateResult } from '../../server/protocol';

function pct(rate: number, n: number): string {
  return n === 0 ? 'n/a' : `${(100 * rate).toFixed(1)}% of ${n}`;
}

export function evalLine(r: EvalRecord): string {
  return `${r.method}: verbatim ${pct(r.efficacy_verbatim, r.n_questions.verbatim)}, non-verbatim ${pct(r.efficacy_nonverbatim, r.n_questions.nonverbatim)}, specificity ${pct(r.specificity, r.n_questions.locality)}`;
}

export function evalSummary(result: EvaluateResult, label: string): string {
  const n = result.results[0]?.n_instances ?? 0;
  return `${label} (${n} instance${n === 1 ? '' : 's'}, ${(result.elapsed_ms / 1000).toFixed(1)} s): ${result.results.map(evalLine).join(' · ')}`;
}
