// The typed view of one edit instance (a *.ripple.jsonl line, or the instance part of an *.edit.json), read
// tolerantly from a parsed value: fields of the wrong type are left out (the checker's schema rule reports
// them), so every reader gets whatever is usable. Indices are kept so the checker can point at JSON paths.
// The one instance and question type: the checker, the runtime's gate and the CLI all read through it.
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

/** What a question tests: a propagation question whose answer the fact states word for word (verbatim), one
 * that needs a hop beyond it (non-verbatim), or a locality question whose answer the edit must not change. */
export const QUESTION_KINDS = ['verbatim', 'non-verbatim', 'locality'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

interface QuestionBase {
  readonly index: number;
  readonly kind: QuestionKind;
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

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Sets `key` only when `value` is defined (optional fields stay absent, not undefined). */
function put<T, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

function objects(v: unknown): Array<[number, Obj]> {
  if (!Array.isArray(v)) return [];
  const out: Array<[number, Obj]> = [];
  for (let i = 0; i < v.length; i++) {
    const x: unknown = v[i];
    if (isObj(x)) out.push([i, x]);
  }
  return out;
}

function base<Q extends QuestionBase>(index: number, q: Obj, out: Mutable<Q>): Mutable<Q> {
  const aliases: Alias[] = [];
  if (Array.isArray(q.aliases)) {
    for (let i = 0; i < q.aliases.length; i++) {
      const a: unknown = q.aliases[i];
      if (typeof a === 'string') aliases.push({ index: i, text: a });
    }
  }
  out.index = index;
  out.aliases = aliases;
  out.hasAliases = Array.isArray(q.aliases);
  put(out, 'question', str(q.question));
  put(out, 'answer', str(q.answer));
  put(out, 'path', strings(q.path));
  put(out, 'category', str(q.category));
  return out;
}

/** Reads the instance fields of a ripple line or an edit spec; `split` falls back to `defaultSplit`. */
export function readInstance(value: unknown, defaultSplit?: Split): Instance | undefined {
  if (!isObj(value)) return undefined;
  const split = str(value.split);
  const validSplit =
    split !== undefined && (SPLITS as readonly string[]).includes(split) ? (split as Split) : undefined;
  const out: Mutable<Instance> = {
    triples: objects(value.triples).map(([index, t]) => {
      const triple: Mutable<Triple> = { index };
      put(triple, 'subject', str(t.subject));
      put(triple, 'relation', str(t.relation));
      put(triple, 'object', str(t.object));
      return triple;
    }),
    propagation: objects(value.propagation).map(([i, q]) => {
      const verbatim = typeof q.verbatim === 'boolean' ? q.verbatim : undefined;
      const p = base(i, q, {
        list: 'propagation',
        kind: verbatim === true ? 'verbatim' : 'non-verbatim',
      } as Mutable<PropagationQuestion>);
      put(p, 'verbatim', verbatim);
      return p;
    }),
    locality: objects(value.locality).map(([i, q]) => {
      const l = base(i, q, { list: 'locality', kind: 'locality' } as Mutable<LocalityQuestion>);
      put(l, 'entity', str(q.entity));
      return l;
    }),
  };
  put(out, 'id', str(value.id));
  put(out, 'split', validSplit ?? (split === undefined ? defaultSplit : undefined));
  put(out, 'fact', str(value.fact));
  put(out, 'subject', str(value.subject));
  put(out, 'subjectType', str(value.subject_type));
  return out;
}

/** JSON path of a question inside its instance. */
export function questionPath(q: Question): Array<string | number> {
  return [q.list, q.index];
}
