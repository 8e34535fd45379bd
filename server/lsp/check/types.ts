// Plain data the checking engine returns: positions, ranges, diagnostics and quick fixes.
// No LSP or vscode types here: server/lsp/protocol converts these, the CLI prints them as they are.
// Positions are 0-based lines and UTF-16 code-unit characters, like LSP's default encoding.

import type { FileKind } from '../../dataset/kind';
import { type Range, shiftRange } from '../../dataset/positions';

export { FILE_KINDS, type FileKind } from '../../dataset/kind';
export { compareRanges, type Position, pos, type Range, range, shiftRange } from '../../dataset/positions';

export const SEVERITIES = ['error', 'warning', 'information', 'hint'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A text replacement in the file the diagnostic belongs to (or in `path` when given). */
export interface TextEdit {
  readonly range: Range;
  readonly newText: string;
  /** Absolute path of another file to edit; absent = the diagnostic's own file. */
  readonly path?: string;
}

/** A quick fix offered for a diagnostic. */
export interface Fix {
  readonly title: string;
  readonly edits: readonly TextEdit[];
}

export interface Diagnostic {
  readonly severity: Severity;
  /** Rule code without the `propmend/` prefix, e.g. `unknown-relation`. */
  readonly code: string;
  readonly message: string;
  readonly range: Range;
  readonly fixes?: readonly Fix[];
}

/** Diagnostics of one file, as the CLI's --json output prints them. */
export interface FileReport {
  readonly path: string;
  readonly kind: FileKind;
  readonly diagnostics: readonly Diagnostic[];
}

/** User settings that change what is checked (CLI flags, LSP settings). */
export interface CheckSettings {
  /** A KB file used instead of the nearest *.kb.json files. */
  readonly kb?: string;
  /** A folder with tokenizer.json; enables the token-length checks. */
  readonly tokenizer?: string;
  /** Generation budget for answers (default 20, or an edit spec's generation.max_new_tokens). */
  readonly maxNewTokens?: number;
  /** Context length for prompts (default: the model's max_position_embeddings or model_max_length). */
  readonly context?: number;
}

export const DEFAULT_MAX_NEW_TOKENS = 20;

/** Upper bound of diagnostics kept per file; the rest are summarised by one `too-many` diagnostic. */
export const MAX_DIAGNOSTICS_PER_FILE = 1000;

export function shiftDiagnostic(d: Diagnostic, lines: number): Diagnostic {
  if (lines === 0) return d;
  return {
    ...d,
    range: shiftRange(d.range, lines),
    ...(d.fixes
      ? {
          fixes: d.fixes.map((f) => ({
            title: f.title,
            edits: f.edits.map((e) => (e.path ? e : { ...e, range: shiftRange(e.range, lines) })),
          })),
        }
      : {}),
  };
}
