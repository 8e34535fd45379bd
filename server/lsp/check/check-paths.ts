// The programmatic entry point: check files and folders on disk, as `propmend check` does.
// Folders are walked for dataset, KB, edit-spec and RippleEdits files; a path that does not exist or whose
// kind cannot be told becomes an error diagnostic in its report, never an exception.
import { realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { detectKind, kindFromName } from '../../dataset/kind';
import { unknownKindDiagnostic } from '../diagnostics/unknown-kind';
import { unreadableDiagnostic } from '../diagnostics/unreadable-file';
import { CheckSession } from './session';
import { diskSource, type FileSource, isDirectory, isSymlink } from './source';
import { isInside } from './spec-paths';
import type { CheckSettings, Diagnostic, FileKind, FileReport } from './types';

export interface CheckPathsOptions extends CheckSettings {
  /** Treat every named file as this kind (folders are still walked by file name). */
  readonly kind?: FileKind;
  readonly source?: FileSource;
  /**
   * Folders an edit spec's kb/model/hypernetwork may point into besides its own folder. Default: the working
   * folder, the folders named in `paths` (a file's own folder) and the --kb/--tokenizer paths.
   */
  readonly roots?: readonly string[];
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

/** A file the walk found but will not check, with the reason (a link out of the checked folder). */
export interface Refused {
  readonly path: string;
  readonly message: string;
}

function realOrUndefined(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Files under `dir` the checker knows, sorted depth-first, skipping dot folders and build output. Iterative (no
 * recursion at any depth). A symbolic link is followed only when its target lies inside `dir`, and every
 * folder and file is visited once by its real path, so link loops and fan-out (`a/up -> ..`) end; a
 * checkable-looking link out of `dir` is passed to `refused` instead of being read.
 */
export function walkCheckable(
  dir: string,
  source: FileSource = diskSource,
  refused?: (r: Refused) => void,
): string[] {
  const out: string[] = [];
  const rootReal = realOrUndefined(dir) ?? dir;
  const seenDirs = new Set<string>([rootReal]);
  const seenFiles = new Set<string>();
  const stack: Array<{ dir: string; names: string[]; next: number }> = [
    { dir, names: source.listDir(dir) ?? [], next: 0 },
  ];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { dir: string; names: string[]; next: number };
    if (top.next >= top.names.length) {
      stack.pop();
      continue;
    }
    const name = top.names[top.next++] as string;
    if (name.startsWith('.')) continue;
    const path = join(top.dir, name);
    const link = isSymlink(path);
    const real = link ? realOrUndefined(path) : path;
    if (real === undefined) continue; // a dangling link or a loop of links: nothing to read
    if (link && !isInside(real, rootReal)) {
      if (kindFromName(path))
        refused?.({
          path,
          message: `${path} is a symbolic link to a path outside ${dir}, so it is not read`,
        });
      continue;
    }
    if (isDirectory(path)) {
      const key = link ? real : (realOrUndefined(path) ?? path);
      if (SKIP_DIRS.has(name) || seenDirs.has(key)) continue;
      seenDirs.add(key);
      stack.push({ dir: path, names: source.listDir(path) ?? [], next: 0 });
      continue;
    }
    const head = name.endsWith('.json') ? source.readText(path)?.slice(0, 4096) : undefined;
    if (!detectKind(path, head)) continue;
    const key = link ? real : (realOrUndefined(path) ?? path);
    if (seenFiles.has(key)) continue;
    seenFiles.add(key);
    out.push(path);
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
  const roots = options.roots?.map((r) => resolve(r)) ?? [
    process.cwd(),
    ...paths.map((p) => (isDirectory(resolve(p)) ? resolve(p) : dirname(resolve(p)))),
    ...(settings.kb !== undefined ? [dirname(settings.kb)] : []),
    ...(settings.tokenizer !== undefined ? [settings.tokenizer] : []),
  ];
  const session = new CheckSession({ source, settings, roots });
  const jobs: Array<FileReport | { path: string; kind?: FileKind }> = [];
  for (const p of paths) {
    const abs = resolve(p);
    if (isDirectory(abs)) {
      const refusedHere: Refused[] = [];
      for (const f of walkCheckable(abs, source, (r) => refusedHere.push(r))) jobs.push({ path: f });
      for (const r of refusedHere)
        jobs.push({
          path: r.path,
          kind: kindFromName(r.path) ?? 'ripple',
          diagnostics: [unreadableDiagnostic(r.message)],
        });
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
