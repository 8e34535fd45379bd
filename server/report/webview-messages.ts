// The one message the report page sends its host in webview mode (page-assets.ts posts it for a clicked
// question link): open a question's dataset file at its line. The host reads it through readReportMessage,
// which accepts only this exact shape, and resolves `dataset` against the result's own list of dataset
// files, so a page never names a path the host opens. Plain data; no DOM, no VS Code.

/** page → host: open `config.datasets[dataset]` of the shown result at 1-based `line`. */
export interface OpenQuestionMessage {
  readonly type: 'openQuestion';
  readonly dataset: number;
  readonly line: number;
}

export type ReportMessage = OpenQuestionMessage;

/** The message, or null for anything else (never acted on). */
export function readReportMessage(raw: unknown): ReportMessage | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const m = raw as Record<string, unknown>;
  if (m.type !== 'openQuestion' || Object.keys(m).length !== 3) return null;
  const ok = (v: unknown, min: number) => typeof v === 'number' && Number.isInteger(v) && v >= min;
  return ok(m.dataset, 0) && ok(m.line, 1)
    ? { type: 'openQuestion', dataset: m.dataset as number, line: m.line as number }
    : null;
}

/** Where an openQuestion message points: a dataset file of the result and a 1-based line, or null. */
export function questionTarget(
  datasets: readonly string[],
  message: OpenQuestionMessage,
): { readonly file: string; readonly line: number } | null {
  const file = datasets[message.dataset];
  return file === undefined ? null : { file, line: message.line };
}
