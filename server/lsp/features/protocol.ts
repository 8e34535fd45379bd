// The only place that turns engine values into LSP shapes: diagnostics (code prefixed with `propmend/`,
// fixes carried in `data` for code actions), severities, and file paths to and from URIs.
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type CodeAction,
  CodeActionKind,
  DiagnosticSeverity,
  type Diagnostic as LspDiagnostic,
  type TextEdit as LspTextEdit,
} from 'vscode-languageserver/node';
import type { Diagnostic, Fix, Severity } from '../check/types';

export const CODE_PREFIX = 'propmend/';
export const SOURCE = 'propmend';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** What rides in LspDiagnostic.data: the quick fixes, with edits in the same file. */
interface DiagnosticData {
  readonly fixes: readonly Fix[];
}

export function toLspDiagnostic(d: Diagnostic): LspDiagnostic {
  return {
    range: d.range,
    severity: SEVERITY[d.severity],
    code: `${CODE_PREFIX}${d.code}`,
    source: SOURCE,
    message: d.message,
    ...(d.fixes && d.fixes.length > 0 ? { data: { fixes: d.fixes } satisfies DiagnosticData } : {}),
  };
}

/** Quick fixes for one diagnostic the client sent back (its `data` holds them). */
export function codeActionsFor(uri: string, d: LspDiagnostic): CodeAction[] {
  const data = d.data as DiagnosticData | undefined;
  if (!data || !Array.isArray(data.fixes)) return [];
  return data.fixes.map((fix, i) => {
    const changes: Record<string, LspTextEdit[]> = {};
    for (const e of fix.edits) {
      const target = e.path ? pathToUri(e.path) : uri;
      const list = changes[target] ?? [];
      list.push({ range: e.range, newText: e.newText });
      changes[target] = list;
    }
    return {
      title: fix.title,
      kind: CodeActionKind.QuickFix,
      diagnostics: [d],
      isPreferred: i === 0,
      edit: { changes },
    };
  });
}

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function pathToUri(path: string): string {
  return pathToFileURL(path).toString();
}
