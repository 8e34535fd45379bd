// The patch stack: a small JSON file (default `.propmend/patches.json` in the working folder, never inside a
// model folder) listing applied edit patches in order, each with its path and sha256. `propmend patch
// apply|revert|list` edit it; generate, score and export read it. The model folder is never modified.
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import { writeJsonAtomic } from '../../common/atomic';
import { EditFileError, HeaderReader, isObject, sha256File } from './edit-file-common';
import { EDIT_METHODS, type EditMethod } from './hypernet-file';
import { type LoadedPatch, loadPatch } from './patch-file';

export const DEFAULT_STACK_FILE = '.propmend/patches.json';
export const STACK_FORMAT_VERSION = 1;

export interface StackEntry {
  /** Absolute path of the patch file. */
  readonly path: string;
  /** The file's sha256 when it was applied; a changed file is refused until re-applied. */
  readonly sha256: string;
  readonly fact: string;
  readonly method: EditMethod;
  readonly applied_at: string;
}

export interface PatchStack {
  readonly format_version: typeof STACK_FORMAT_VERSION;
  /** Absolute model folder the patches were applied for; null while the stack is empty and unused. */
  readonly model: string | null;
  readonly patches: readonly StackEntry[];
}

export const EMPTY_STACK: PatchStack = { format_version: STACK_FORMAT_VERSION, model: null, patches: [] };

/** True when `path` is `dir` or inside it. */
export function isInside(path: string, dir: string): boolean {
  const rel = relative(resolve(dir), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel));
}

/**
 * The stack file for a command: `flag` or the default in `cwd`. Refused inside `modelDir`, which is ground
 * state and never written.
 */
export function stackFilePath(flag: string | undefined, cwd: string, modelDir?: string): string {
  const file = resolve(cwd, flag ?? DEFAULT_STACK_FILE);
  if (modelDir !== undefined && isInside(file, modelDir)) {
    throw new EditFileError(
      file,
      null,
      `the patch stack ${file} would be inside the model folder ${resolve(modelDir)}, which propmend never writes; pass --stack with a path outside it`,
    );
  }
  return file;
}

/** Reads a stack file; a missing file is an empty stack. Throws EditFileError naming the file and field. */
export function readPatchStack(file: string): PatchStack {
  if (!existsSync(file)) return EMPTY_STACK;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new EditFileError(
      file,
      null,
      `${file} is not valid JSON (${(error as Error).message}); fix it or delete it to start an empty patch stack`,
    );
  }
  const r: HeaderReader = new HeaderReader(file, 'patch stack');
  if (!isObject(raw)) r.fail('(root)', 'an object', raw);
  if (raw.format_version !== STACK_FORMAT_VERSION)
    r.fail('format_version', String(STACK_FORMAT_VERSION), raw.format_version);
  const list = raw.patches;
  if (!Array.isArray(list)) r.fail('patches', 'a list', list);
  return {
    format_version: STACK_FORMAT_VERSION,
    model: r.nullableString(raw.model ?? null, 'model'),
    patches: list.map((e: unknown, i: number) => {
      const o = r.object(e, `patches[${i}]`);
      return {
        path: r.string(o.path, `patches[${i}].path`),
        sha256: r.string(o.sha256, `patches[${i}].sha256`),
        fact: r.string(o.fact, `patches[${i}].fact`),
        method: r.oneOf(o.method, `patches[${i}].method`, EDIT_METHODS),
        applied_at: r.string(o.applied_at, `patches[${i}].applied_at`),
      };
    }),
  };
}

/** Writes the stack atomically (temp file and rename), creating its folder. */
export function writePatchStack(file: string, stack: PatchStack): void {
  writeJsonAtomic(file, stack);
}

/** The stack entry recording an applied patch. */
export function stackEntry(patch: LoadedPatch): StackEntry {
  return {
    path: patch.file,
    sha256: patch.sha256,
    fact: patch.header.fact,
    method: patch.header.method,
    applied_at: new Date().toISOString(),
  };
}

/**
 * Loads one stacked patch, refusing a file that is gone or changed since it was applied (EditFileError naming
 * the stack file and the entry).
 */
export function loadStackEntry(entry: StackEntry, stackFile: string, index: number): LoadedPatch {
  const field = `patches[${index}]`;
  if (!existsSync(entry.path)) {
    throw new EditFileError(
      stackFile,
      field,
      `${stackFile}: patch ${index + 1} (${entry.path}) no longer exists; restore it or drop it with propmend patch revert ${entry.path}`,
    );
  }
  const sha = sha256File(entry.path);
  if (sha !== entry.sha256) {
    throw new EditFileError(
      stackFile,
      field,
      `${stackFile}: patch ${index + 1} (${entry.path}) changed since it was applied (sha256 ${entry.sha256.slice(0, 12)}…, now ${sha.slice(0, 12)}…); revert it and apply it again`,
    );
  }
  return loadPatch(entry.path);
}

/** Every patch of a stack, in order, verified against the recorded sha256. */
export function loadStackPatches(stack: PatchStack, stackFile: string): LoadedPatch[] {
  return stack.patches.map((e, i) => loadStackEntry(e, stackFile, i));
}
