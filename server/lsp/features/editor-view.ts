// What the editor shows that the CLI does not need to: drops the JSON syntax errors of `.json` documents
// (VS Code's own JSON service already reports them, so ours would be a second copy) and words the log lines
// of the "PropMEND datasets" output channel. Plain data in and out; main.ts sends the results.
import { basename } from 'node:path';
import type { CheckSettings, Diagnostic, FileKind } from '../check/types';
import { JSON_SYNTAX } from '../diagnostics/json-syntax';
import { SCHEMA } from '../diagnostics/schema';

/**
 * File names whose schema VS Code's JSON service already validates (package.json `jsonValidation` binds
 * edit.schema.json, kb.schema.json and rippleedits.schema.json to them), so our `schema` errors there would
 * be second copies. A RippleEdits file recognised only by its first bytes has no binding and keeps ours.
 */
const SCHEMA_BOUND_NAMES = [
  /\.edit\.json$/,
  /\.kb\.json$/,
  /\.rippleedits\.json$/,
  /^(?:popular|random|recent)\.json$/,
];

export function schemaBoundInEditor(path: string): boolean {
  const name = basename(path);
  return SCHEMA_BOUND_NAMES.some((re) => re.test(name));
}

/**
 * The diagnostics to publish for a document: JSON Lines keep their syntax errors, `.json` files do not, and
 * files whose schema VS Code binds drop our schema errors (the CLI, with no VS Code, keeps both).
 */
export function editorDiagnostics(path: string, diagnostics: readonly Diagnostic[]): Diagnostic[] {
  if (!path.endsWith('.json')) return [...diagnostics];
  const bound = schemaBoundInEditor(path);
  return diagnostics.filter((d) => d.code !== JSON_SYNTAX && !(bound && d.code === SCHEMA));
}

export function startLine(version: string, root: string | undefined): string {
  return `PropMEND language server ${version} started (Node ${process.versions.node}, pid ${process.pid}); workspace ${root ?? '(none: single files)'}`;
}

export function settingsLine(settings: CheckSettings): string {
  const shown = (v: unknown) => (v === undefined ? 'default' : String(v));
  return `settings: kb ${settings.kb ?? 'nearest *.kb.json'}, tokenizer ${settings.tokenizer ?? 'off'}, maxNewTokens ${shown(settings.maxNewTokens)}, context ${shown(settings.context)}`;
}

export function kbLine(path: string, files: readonly string[]): string {
  return files.length === 0
    ? `KB for ${basename(path)}: none found (KB checks skipped)`
    : `KB for ${basename(path)}: ${files.join(', ')}`;
}

export function checkedLine(
  path: string,
  kind: FileKind,
  ms: number,
  diagnostics: readonly Diagnostic[],
): string {
  let errors = 0;
  let warnings = 0;
  for (const d of diagnostics) {
    if (d.severity === 'error') errors++;
    else if (d.severity === 'warning') warnings++;
  }
  return `checked ${path} (${kind}) in ${ms.toFixed(0)} ms: ${errors} errors, ${warnings} warnings`;
}
