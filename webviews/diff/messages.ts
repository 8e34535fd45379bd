// The typed messages between the propagation diff webview and the extension, and the report it shows. The
// only contract between the two sides: the panel (extension/diff-panel.ts) posts `show`, the page posts
// intents back; each side validates what it receives. Plain data; imports nothing from either side.

/** The question groups of a propagation report, in display order. */
export const DIFF_GROUPS = ['verbatim', 'non-verbatim', 'locality'] as const;
export type DiffGroup = (typeof DIFF_GROUPS)[number];

/** What an edit did to one question's answer. */
export const CHANGES = ['fixed', 'broken', 'still-right', 'still-wrong', 'unscored'] as const;
export type Change = (typeof CHANGES)[number];

export interface SourceLocation {
  /** Absolute path of the edit spec or dataset file. */
  readonly file: string;
  /** 0-based line and UTF-16 character of the question's text. */
  readonly line: number;
  readonly character: number;
}

export interface DiffRow {
  /** Stable within a report: `<group>-<n>`. */
  readonly id: string;
  readonly group: DiffGroup;
  readonly question: string;
  readonly gold: string | null;
  readonly before: string;
  readonly after: string;
  readonly correctBefore: boolean | null;
  readonly correctAfter: boolean | null;
  /** Mean log-probability of the gold answer's tokens, before and after the edit. */
  readonly logprobBefore: number | null;
  readonly logprobAfter: number | null;
  readonly change: Change;
  readonly location: SourceLocation | null;
}

/** Right answers before → after in one group. */
export interface GroupScore {
  readonly group: DiffGroup;
  readonly total: number;
  readonly rightBefore: number;
  readonly rightAfter: number;
}

export interface DiffReport {
  readonly fact: string;
  readonly method: string;
  /** Where the edit came from, as a person reads it (`marta-quill.edit.json`, `train.ripple.jsonl:3`). */
  readonly source: string;
  readonly patchId: string | null;
  readonly rows: readonly DiffRow[];
  readonly scores: readonly GroupScore[];
  readonly timingsMs: { readonly capture: number; readonly transform: number; readonly answering: number };
  readonly elapsedMs: number;
}

/** extension → webview. */
export type ToWebview = { readonly type: 'show'; readonly report: DiffReport } | { readonly type: 'clear' };

export const EXPORT_FORMATS = ['json', 'markdown'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** webview → extension. */
export type FromWebview =
  | { readonly type: 'ready' }
  | { readonly type: 'reveal'; readonly rowId: string }
  | { readonly type: 'export'; readonly format: ExportFormat };

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The message a webview posted, or undefined when it is not one of ours (never trusted as typed). */
export function readFromWebview(v: unknown): FromWebview | undefined {
  if (!isObj(v)) return undefined;
  if (v.type === 'ready') return { type: 'ready' };
  if (v.type === 'reveal' && typeof v.rowId === 'string' && v.rowId.length <= 100)
    return { type: 'reveal', rowId: v.rowId };
  if (v.type === 'export' && (EXPORT_FORMATS as readonly unknown[]).includes(v.format))
    return { type: 'export', format: v.format as ExportFormat };
  return undefined;
}

/** The message the extension posted, or undefined when it is malformed. */
export function readToWebview(v: unknown): ToWebview | undefined {
  if (!isObj(v)) return undefined;
  if (v.type === 'clear') return { type: 'clear' };
  if (v.type === 'show' && isObj(v.report) && Array.isArray(v.report.rows) && Array.isArray(v.report.scores))
    return { type: 'show', report: v.report as unknown as DiffReport };
  return undefined;
}
