// The typed view of one edit instance (a *.ripple.jsonl line, or the instance part of an *.edit.json), read
// tolerantly from a parsed value: fields of the wrong type are left out (the schema rule reports them), so
// semantic rules run on whatever is usable. Indices are kept so rules can point at the original JSON paths.
import { SPLITS, type Split } from './splits';

export interface Alias {
  readonly index: number;
  readonly text: string;
}

export interface Triple {
  readonly index: number;
  readonly subject?: string;
  readonly relation?: string;
  readonly object?: string;
}

interface QuestionBase {
  readonly index: number;
  readonly question?: string;
  readonly answer?: string;
  readonly aliases: readonly Alias[];
  /** True when the question object has an `aliases` field at all. */
  readonly hasAliases: boolean;
  readonly path?: readonly string[];
  readonly category?: string;
}

export interface PropagationQuestion extends QuestionBase {
  readonly list: 'propagation';
  readonly verbatim?: boolean;
}

export interface LocalityQuestion extends QuestionBase {
  readonly list: 'locality';
  readonly entity?: string;
}

export type Question = PropagationQuestion | LocalityQuestion;

export interface Instance {
  readonly id?: string;
  readonly split?: Split;
  readonly fact?: string;
  readonly subject?: string;
  readonly subjectType?: string;
  readonly triples: readonly Triple[];
  readonly propagation: readonly PropagationQuestion[];
  readonly locality: readonly LocalityQuestion[];
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')
    ? (v as string[])
    : undefined;
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function objects(v: unknown): Array<[number, Obj]> {
  if (!Array.isArray(v)) return [];
  const out: Array<[number, Obj]> = [];
  v.forEach((x, i) => {
    if (isObj(x)) out.push([i, x]);
  });
  return out;
}

function base(index: number, q: Obj): QuestionBase {
  const aliases: Alias[] = [];
  if (Array.isArray(q.aliases))
    q.aliases.forEach((a, i) => {
      if (typeof a === 'string') aliases.push({ index: i, text: a });
    });
  return {
    index,
    aliases,
    hasAliases: Array.isArray(q.aliases),
    ...opt('question', str(q.question)),
    ...opt('answer', str(q.answer)),
    ...opt('path', strings(q.path)),
    ...opt('category', str(q.category)),
  };
}

/** Reads the instance fields of a ripple line or an edit spec; `split` falls back to `defaultSplit`. */
export function readInstance(value: unknown, defaultSplit?: Split): Instance | undefined {
  if (!isObj(value)) return undefined;
  const split = str(value.split);
  const validSplit =
    split !== undefined && (SPLITS as readonly string[]).includes(split) ? (split as Split) : undefined;
  return {
    ...opt('id', str(value.id)),
    ...opt('split', validSplit ?? (split === undefined ? defaultSplit : undefined)),
    ...opt('fact', str(value.fact)),
    ...opt('subject', str(value.subject)),
    ...opt('subjectType', str(value.subject_type)),
    triples: objects(value.triples).map(([index, t]) => ({
      index,
      ...opt('subject', str(t.subject)),
      ...opt('relation', str(t.relation)),
      ...opt('object', str(t.object)),
    })),
    propagation: objects(value.propagation).map(([i, q]) => ({
      ...base(i, q),
      list: 'propagation' as const,
      ...opt('verbatim', typeof q.verbatim === 'boolean' ? q.verbatim : undefined),
    })),
    locality: objects(value.locality).map(([i, q]) => ({
      ...base(i, q),
      list: 'locality' as const,
      ...opt('entity', str(q.entity)),
    })),
  };
}

/** JSON path of a question inside its instance. */
export function questionPath(q: Question): Array<string | number> {
  return [q.list, q.index];
}
