// Reading `propmend eval` result files for the report: the file through server/dataset's safe reader, then a
// structural check of every field the report uses, so a wrong or damaged file gives one sentence naming the
// file, the field and the fix, never a stack trace. Owns no rendering and no merging (merge.ts).
import { readTextFile } from '../dataset/index';
import { EVAL_RESULT_FORMAT, EVAL_RESULT_VERSION, type EvalRunResult } from '../runtime/eval/result';

/** The result contract, for readers that may not import the runtime (the extension's evaluation panel). */
export type { EvalRunResult };

export type LoadedResult =
  | { readonly ok: true; readonly path: string; readonly result: EvalRunResult }
  | { readonly ok: false; readonly path: string; readonly message: string };

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function describe(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** A field that is not what the report needs. */
class FieldError extends Error {
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`${field} ${problem}`);
  }
}

function str(o: Json, key: string, at: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new FieldError(`${at}${key}`, `must be a string, got ${describe(v)}`);
  return v;
}

function num(o: Json, key: string, at: string, integer = false): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v)))
    throw new FieldError(
      `${at}${key}`,
      `must be a finite ${integer ? 'integer' : 'number'}, got ${describe(v)}`,
    );
  return v;
}

function strings(o: Json, key: string, at: string): string[] {
  const v = o[key];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string'))
    throw new FieldError(`${at}${key}`, `must be a list of strings, got ${describe(v)}`);
  return v as string[];
}

function obj(o: Json, key: string, at: string): Json {
  const v = o[key];
  if (!isObject(v)) throw new FieldError(`${at}${key}`, `must be an object, got ${describe(v)}`);
  return v;
}

const KINDS = new Set(['verbatim', 'non-verbatim', 'locality']);

function checkRecord(r: unknown, i: number): void {
  const at = `records[${i}].`;
  if (!isObject(r)) throw new FieldError(`records[${i}]`, `must be an object, got ${describe(r)}`);
  for (const k of [
    'method',
    'dataset',
    'split',
    'instance_id',
    'path',
    'question',
    'answer',
    'before',
    'after',
  ])
    str(r, k, at);
  for (const k of ['line', 'instance_index', 'question_index']) num(r, k, at, true);
  for (const k of ['f1', 'logprob_before', 'logprob_after']) num(r, k, at);
  strings(r, 'aliases', at);
  if (r.relation_path !== undefined) str(r, 'relation_path', at);
  if (r.category !== undefined && r.category !== null) str(r, 'category', at);
  if (!KINDS.has(r.kind as string))
    throw new FieldError(`${at}kind`, `must be verbatim, non-verbatim or locality, got ${describe(r.kind)}`);
  if (typeof r.exact_match !== 'boolean')
    throw new FieldError(`${at}exact_match`, `must be true or false, got ${describe(r.exact_match)}`);
}

function checkResult(v: unknown): EvalRunResult {
  if (!isObject(v)) throw new FieldError('the top level', `must be an object, got ${describe(v)}`);
  if (v.format !== EVAL_RESULT_FORMAT)
    throw new FieldError(
      'format',
      `is ${describe(v.format)}, expected "${EVAL_RESULT_FORMAT}"; pass the result file that \`propmend eval --out DIR\` writes`,
    );
  if (v.version !== EVAL_RESULT_VERSION)
    throw new FieldError(
      'version',
      `is ${describe(v.version)}; this propmend reads version ${EVAL_RESULT_VERSION}: re-run \`propmend eval\` or use the propmend that wrote it`,
    );
  str(v, 'created', '');
  const config = obj(v, 'config', '');
  strings(config, 'methods', 'config.');
  strings(config, 'datasets', 'config.');
  str(config, 'model', 'config.');
  num(config, 'seed', 'config.', true);
  const bootstrap = obj(config, 'bootstrap', 'config.');
  num(bootstrap, 'resamples', 'config.bootstrap.', true);
  num(bootstrap, 'seed', 'config.bootstrap.', true);
  if (config.shard !== null) {
    const shard = obj(config, 'shard', 'config.');
    const index = num(shard, 'index', 'config.shard.', true);
    const count = num(shard, 'count', 'config.shard.', true);
    if (count < 1 || index < 0 || index >= count)
      throw new FieldError('config.shard', `must have 0 <= index < count, got ${index}/${count}`);
  }
  obj(v, 'versions', '');
  const timings = obj(v, 'timings', '');
  num(timings, 'total_s', 'timings.');
  obj(timings, 'per_method_s', 'timings.');
  if (!Array.isArray(v.records))
    throw new FieldError('records', `must be a list, got ${describe(v.records)}`);
  (v.records as unknown[]).forEach(checkRecord);
  return v as unknown as EvalRunResult;
}

/** Parses and checks a result file's text; `path` names it in messages. */
export function parseEvalResult(path: string, text: string): LoadedResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      path,
      message: `${path}: not JSON (${(error as Error).message}); is it a result file?`,
    };
  }
  try {
    return { ok: true, path, result: checkResult(value) };
  } catch (error) {
    if (error instanceof FieldError) return { ok: false, path, message: `${path}: ${error.message}` };
    throw error;
  }
}

/** Reads one result file (regular files only, size-capped). */
export function readEvalResult(path: string): LoadedResult {
  const read = readTextFile(path);
  if (!read.ok) return { ok: false, path, message: read.message };
  return parseEvalResult(path, read.text);
}
