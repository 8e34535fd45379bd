// What `PropMEND: Evaluate Dataset…` asks, as plain data: the dataset files to offer (split per file, the
// last picks or the validation split picked), the methods (the last picks or base, mend, propmend), the
// per-file instance limit typed by the user, the command's optional argument (which skips the questions,
// for the walkthrough and tests), and the workspace folder a run's result goes to. Must not import `vscode`.
import { basename, dirname, join, relative } from 'node:path';
import { splitFromFileName } from '../../server/dataset/index';
import { ALL_EVAL_METHODS, EVAL_METHODS, type EvalMethodName } from '../../server/protocol';

/** One quick-pick row and the value it stands for. */
export interface Choice<T> {
  readonly label: string;
  readonly description?: string;
  readonly detail?: string;
  readonly picked: boolean;
  readonly value: T;
}

/** One line per method, shown beside its name. */
export const METHOD_DESCRIPTIONS: Readonly<Record<EvalMethodName, string>> = {
  base: 'the unedited model',
  prepend: 'the fact written before each question (no weight change)',
  'cpt-full': 'continued pre-training on the fact, all layers',
  'cpt-midupper': 'continued pre-training on the fact, middle and upper layers',
  memit: 'MEMIT (locate-then-edit; slow: key statistics and 150 value steps per edit)',
  mend: 'the MEND hypernetwork',
  propmend: 'the PropMEND hypernetwork',
};

/** Every method in `propmend eval`'s order; picked: the last run's methods, else base, mend, propmend. */
export function methodChoices(previous?: readonly string[]): Choice<EvalMethodName>[] {
  const known = previous?.filter((m) => (ALL_EVAL_METHODS as readonly string[]).includes(m)) ?? [];
  const picked: readonly string[] = known.length ? known : EVAL_METHODS;
  return ALL_EVAL_METHODS.map((m) => ({
    label: m,
    description: METHOD_DESCRIPTIONS[m],
    picked: picked.includes(m),
    value: m,
  }));
}

/**
 * The dataset files (absolute paths) as rows: file name, its folder relative to `root`, its split. Picked:
 * those of `previous` still there, else the validation split's files (tuning belongs there), else the first.
 */
export function datasetChoices(
  files: readonly string[],
  root: string | undefined,
  previous?: readonly string[],
): Choice<string>[] {
  const sorted = [...new Set(files)].sort((a, b) => a.localeCompare(b));
  const kept = sorted.filter((f) => previous?.includes(f));
  const validation = sorted.filter((f) => splitFromFileName(basename(f)) === 'validation');
  const picked = kept.length ? kept : validation.length ? validation : sorted.slice(0, 1);
  return sorted.map((file) => {
    const folder = root ? relative(root, dirname(file)) || '.' : dirname(file);
    const split = splitFromFileName(basename(file));
    return {
      label: basename(file),
      description: folder,
      detail: split ? `split: ${split}` : 'split: from each instance ("split" field), else unknown',
      picked: picked.includes(file),
      value: file,
    };
  });
}

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string };

/** The limit box: empty = every instance, else a whole number of at least 1. */
export function parseLimit(text: string): Parsed<number | undefined> {
  const t = text.trim();
  if (t === '') return { ok: true, value: undefined };
  if (!/^\d+$/.test(t) || Number(t) < 1)
    return { ok: false, message: 'a whole number of instances per file (at least 1), or empty for all' };
  return { ok: true, value: Number(t) };
}

/** The command's optional argument: any of files (absolute), methods and limit; given parts are not asked. */
export interface EvaluateDatasetArgs {
  readonly files?: readonly string[];
  readonly methods?: readonly EvalMethodName[];
  readonly limit?: number;
}

/** Reads the command argument (undefined or a VS Code Uri from a menu: none of ours). */
export function evaluateDatasetArgs(arg: unknown): Parsed<EvaluateDatasetArgs> {
  if (typeof arg !== 'object' || arg === null || !('files' in arg || 'methods' in arg || 'limit' in arg))
    return { ok: true, value: {} };
  const a = arg as Record<string, unknown>;
  const strings = (v: unknown) => Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string');
  if (a.files !== undefined && !strings(a.files))
    return { ok: false, message: 'files must be a non-empty list of dataset file paths' };
  if (a.methods !== undefined) {
    const bad = strings(a.methods)
      ? (a.methods as string[]).find((m) => !(ALL_EVAL_METHODS as readonly string[]).includes(m))
      : String(a.methods);
    if (bad !== undefined)
      return { ok: false, message: `unknown method "${bad}"; use ${ALL_EVAL_METHODS.join(', ')}` };
  }
  if (a.limit !== undefined && !(typeof a.limit === 'number' && Number.isInteger(a.limit) && a.limit >= 1))
    return { ok: false, message: 'limit must be a whole number of at least 1' };
  return {
    ok: true,
    value: {
      ...(a.files !== undefined ? { files: a.files as string[] } : {}),
      ...(a.methods !== undefined ? { methods: a.methods as EvalMethodName[] } : {}),
      ...(a.limit !== undefined ? { limit: a.limit as number } : {}),
    },
  };
}

/** A new folder per run under the workspace: `.propmend/eval/<UTC yyyymmdd-hhmmss>`. */
export function resultFolder(root: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replace(/[-:]/g, '')
    .replace('T', '-');
  return join(root, '.propmend', 'eval', stamp);
}
