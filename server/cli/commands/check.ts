// `propmend check PATH...`: type-checks datasets, KB files, edit specs and RippleEdits files like a compiler
// (file:line:col severity code message), or as JSON with --json. Exit 1 when any error was found.
// Owns flag handling and printing only; all checking is server/lsp/check (the same engine as the editor).
import { relative, resolve } from 'node:path';
import { Progress } from '../../common/progress';
import { parseKind } from '../../dataset/kind';
import { checkPaths } from '../../lsp/check/check-paths';
import { diskSource } from '../../lsp/check/source';
import { loadTokenizerFolder } from '../../lsp/check/tokens';
import { type Diagnostic, FILE_KINDS, type FileReport } from '../../lsp/check/types';
import { type CliCommand, CliError, type CliIO, numberFlag, parseFlags, UsageError } from '../command';

const SEVERITY_WORD: Record<Diagnostic['severity'], string> = {
  error: 'error',
  warning: 'warning',
  information: 'info',
  hint: 'hint',
};

/** `file:line:col severity propmend/code message`, 1-based like compilers print. */
export function formatDiagnostic(path: string, d: Diagnostic): string {
  return `${path}:${d.range.start.line + 1}:${d.range.start.character + 1} ${SEVERITY_WORD[d.severity]} propmend/${d.code} ${d.message}`;
}

/** The --json document: 0-based LSP positions, codes with the propmend/ prefix. */
export function reportsToJson(reports: readonly FileReport[]): unknown {
  return {
    files: reports.map((r) => ({
      path: r.path,
      kind: r.kind,
      diagnostics: r.diagnostics.map((d) => ({
        severity: d.severity,
        code: `propmend/${d.code}`,
        message: d.message,
        range: d.range,
      })),
    })),
  };
}

export function countSeverities(reports: readonly FileReport[]): Record<Diagnostic['severity'], number> {
  const counts = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const r of reports) for (const d of r.diagnostics) counts[d.severity]++;
  return counts;
}

export function summaryLine(reports: readonly FileReport[]): string {
  const c = countSeverities(reports);
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${plural(c.error, 'error')}, ${plural(c.warning, 'warning')} in ${plural(reports.length, 'file')}`;
}

/** Prints reports in compiler format to stdout and a summary to stderr. */
export function printReports(reports: readonly FileReport[], io: CliIO): void {
  const cwd = process.cwd();
  for (const r of reports) {
    const shown = relative(cwd, r.path) || r.path;
    for (const d of r.diagnostics)
      io.stdout(`${formatDiagnostic(shown.startsWith('..') ? r.path : shown, d)}\n`);
  }
  io.stderr(`${summaryLine(reports)}\n`);
}

export const checkCommand: CliCommand = {
  summary: 'type-check datasets (*.ripple.jsonl), KBs (*.kb.json), edit specs and RippleEdits files',
  usage: `Usage: propmend check PATH... [options]

Checks files, or every known file under folders. The kind comes from the file name (*.ripple.jsonl,
*.kb.json, *.edit.json, RippleEdits' popular/random/recent.json or *.rippleedits.json).

Options:
  --kind KIND            treat named files as ${FILE_KINDS.join('|')}
  --kb FILE              check against this KB instead of the nearest *.kb.json files
  --tokenizer DIR        folder with tokenizer.json: enables answer/prompt length checks
  --max-new-tokens N     generation budget for answers (default 20; edit specs: generation.max_new_tokens)
  --context N            context length for prompts (default: the model's max_position_embeddings)
  --json                 machine output: {"files":[{"path","diagnostics":[{"severity","code","message","range"}]}]}

Exit status: 1 when any error was found, 0 otherwise, 2 for usage errors.`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      kind: { type: 'string' },
      kb: { type: 'string' },
      tokenizer: { type: 'string' },
      'max-new-tokens': { type: 'string' },
      context: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length === 0) throw new UsageError('give at least one file or folder to check');
    const kind = values.kind === undefined ? undefined : parseKind(values.kind);
    if (values.kind !== undefined && !kind) {
      throw new UsageError(`--kind must be one of ${FILE_KINDS.join(', ')}, got "${values.kind}"`);
    }
    if (values.kb !== undefined && diskSource.readText(resolve(values.kb)) === undefined) {
      throw new CliError(`--kb ${values.kb}: file not found or not readable`);
    }
    if (values.tokenizer !== undefined) {
      try {
        await loadTokenizerFolder(resolve(values.tokenizer), diskSource);
      } catch (error) {
        throw new CliError(`--tokenizer ${values.tokenizer}: ${(error as Error).message}`);
      }
    }
    const maxNewTokens = values['max-new-tokens'];
    const context = values.context;
    let progress: Progress | undefined;
    const reports = await checkPaths(positionals, {
      ...(kind ? { kind } : {}),
      ...(values.kb !== undefined ? { kb: values.kb } : {}),
      ...(values.tokenizer !== undefined ? { tokenizer: values.tokenizer } : {}),
      ...(maxNewTokens !== undefined
        ? { maxNewTokens: numberFlag('max-new-tokens', maxNewTokens, 20, { min: 1, integer: true }) }
        : {}),
      ...(context !== undefined
        ? { context: numberFlag('context', context, 0, { min: 1, integer: true }) }
        : {}),
      onProgress: (done, total) => {
        progress ??= new Progress('check', total, { write: io.stderr, isTTY: io.stderrIsTTY });
        progress.update(done);
      },
    });
    progress?.finish();
    if (values.json) io.stdout(`${JSON.stringify(reportsToJson(reports))}\n`);
    else printReports(reports, io);
    return countSeverities(reports).error > 0 ? 1 : 0;
  },
};
