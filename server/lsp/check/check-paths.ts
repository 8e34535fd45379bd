// The programmatic entry point: check files and folders on disk, as `propmend check` does.
// Folders are walked for dataset, KB, edit-spec and RippleEdits files; a path that does not exist or whose
// kind cannot be told becomes an error diagnostic in its report, never an exception.
import { join, resolve } from 'node:path';
import { pushAll } from '../../common/arrays';
import { detectKind } from '../../dataset/kind';
import { unknownKindDiagnostic } from '../diagnostics/unknown-kind';
import { CheckSession } from './session';
import { diskSource, type FileSource, isDirectory } from './source';
import type { CheckSettings, Diagnostic, FileKind, FileReport } from './types';

export interface CheckPathsOptions extends CheckSettings {
  /** Treat every named file as this kind (folders are still walked by file name). */
  readonly kind?: FileKind;
  readonly source?: FileSource;
  /** Called after each file with the number done and the total. */
  readonly onProgress?: (done: number, total: number) => void;
}

const SKIP_DIRS = new Set(['node_modules', 'dist', 'out']);

function lineOne(code: string, message: string): Diagnostic {
  return {
    severity: 'error',
    code,
    message,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  };
}

/** Files under `dir` the checker knows, sorted, skipping dot folders and build output. */
export function walkCheckable(dir: string, source: FileSource = diskSource): string[] {
  const out: string[] = [];
  for (const name of source.listDir(dir) ?? []) {
    if (name.startsWith('.')) continue;
    const path = join(dir, name);
    if (isDirectory(path)) {
      if (!SKIP_DIRS.has(name)) pushAll(out, walkCheckable(path, source));
      continue;
    }
    const head = name.endsWith('.json') ? source.readText(path)?.slice(0, 4096) : undefined;
    if (detectKind(path, head)) out.push(path);
  }
  return out;
}

/** Checks files and folders; one report per file, in the order given (folders expanded in name order). */
export async function checkPaths(
  paths: readonly string[],
  options: CheckPathsOptions = {},
): Promise<FileReport[]> {
  const source = options.source ?? diskSource;
  const settings: CheckSettings = {
    ...(options.kb !== undefined ? { kb: resolve(options.kb) } : {}),
    ...(options.tokenizer !== undefined ? { tokenizer: resolve(options.tokenizer) } : {}),
    ...(options.maxNewTokens !== undefined ? { maxNewTokens: options.maxNewTokens } : {}),
    ...(options.context !== undefined ? { context: options.context } : {}),
  };
  const session = new CheckSession({ source, settings });
  const jobs: Array<FileReport | { path: string; kind?: FileKind }> = [];
  for (const p of paths) {
    const abs = resolve(p);
    if (isDirectory(abs)) {
      for (const f of walkCheckable(abs, source)) jobs.push({ path: f });
    } else if (!source.exists(abs)) {
      jobs.push({
        path: abs,
        kind: options.kind ?? 'ripple',
        diagnostics: [lineOne('missing-file', `${p} does not exist`)],
      });
    } else {
      const kind = options.kind ?? session.kindOf(abs);
      if (kind) jobs.push({ path: abs, kind });
      else
        jobs.push({
          path: abs,
          kind: 'ripple',
          diagnostics: [unknownKindDiagnostic(p)],
        });
    }
  }
  const reports: FileReport[] = [];
  for (const job of jobs) {
    reports.push(
      'diagnostics' in job ? job : await session.check(job.path, job.kind ? { kind: job.kind } : {}),
    );
    options.onProgress?.(reports.length, jobs.length);
  }
  return reports;
}
