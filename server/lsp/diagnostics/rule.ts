// The shape of a diagnostic rule and the contexts it is given, one scope per kind of input:
// one instance (a ripple line or an edit spec), a whole dataset folder, a KB file, an edit spec, a RippleEdits file.
// Rules are pure: they read typed views and emit located messages; they never touch files or LSP.
import type { Instance } from '../../dataset/instance';
import type { JsonPath } from '../../dataset/json';
import type { Kb } from '../../dataset/kb';
import type { PendingFix, Where } from '../check/report';
import type { Severity } from '../check/types';

export interface EmitOptions {
  readonly severity?: Severity;
  readonly fixes?: readonly PendingFix[];
}

export type Emit = (at: Where, message: string, options?: EmitOptions) => void;

/** Token counts for the length rules, present only when a tokenizer is configured. */
export interface TokenBudget {
  /** The folder the tokenizer came from, for messages. */
  readonly source: string;
  /** Tokens of a prompt as the model sees it (template applied, special tokens added). */
  promptTokens(question: string): number;
  /** Tokens of a raw text such as the fact (special tokens added, no template). */
  textTokens(text: string): number;
  /** Tokens of an answer the model must generate (no special tokens). */
  answerTokens(answer: string): number;
  readonly maxNewTokens: number;
  readonly context: number | null;
}

export interface InstanceContext {
  readonly kind: 'ripple' | 'edit';
  readonly kb?: Kb;
  readonly tokens?: TokenBudget;
}

export interface DatasetInstance {
  readonly line: number;
  readonly instance: Instance;
}

export interface DatasetFile {
  readonly path: string;
  /** File name for messages, e.g. `train.ripple.jsonl`. */
  readonly name: string;
  readonly instances: readonly DatasetInstance[];
}

export interface DatasetContext {
  readonly files: readonly DatasetFile[];
  readonly kb?: Kb;
}

export type DatasetEmit = (
  file: DatasetFile,
  item: DatasetInstance,
  at: Where,
  message: string,
  options?: EmitOptions,
) => void;

export interface KbFileContext {
  readonly path: string;
  readonly value: unknown;
  /** The union of this file and its sibling KB files. */
  readonly kb: Kb;
}

/** What an edit-spec rule may ask about the disk, relative to the spec's folder. */
export interface EditContext {
  readonly value: Record<string, unknown>;
  /** Resolves a path written in the spec against the spec's folder. */
  resolve(relative: string): string;
  exists(absolute: string): boolean;
  /** Parsed JSON of a file, or undefined when it is missing or not JSON. */
  readJson(absolute: string): unknown;
}

export interface Rule {
  /** Code without the `propmend/` prefix. */
  readonly code: string;
  readonly severity: Severity;
  /** True when the rule means nothing without a KB (it is skipped, and `no-kb` says so once). */
  readonly needsKb?: boolean;
  instance?(inst: Instance, ctx: InstanceContext, emit: Emit): void;
  dataset?(ctx: DatasetContext, emit: DatasetEmit): void;
  kb?(ctx: KbFileContext, emit: Emit): void;
  edit?(ctx: EditContext, emit: Emit): void;
  rippleedits?(value: unknown, emit: Emit): void;
}

/** JSON path helper: where a value sits, pointing at the whole value. */
export function at(...path: JsonPath): Where {
  return { path, part: 'value' };
}

/** JSON path helper for a path built at run time (no spread into arguments). */
export function atPath(path: JsonPath): Where {
  return { path, part: 'value' };
}

/** JSON path helper: pointing at the property name of the value. */
export function atKey(...path: JsonPath): Where {
  return { path, part: 'key' };
}

/** A quick fix replacing one JSON value with another. */
export function replaceFix(title: string, where: Where, value: unknown): PendingFix {
  return { title, edits: [{ at: where, newText: JSON.stringify(value) }] };
}

/** "; did you mean "x"?" or "" — the hint every unknown-name message ends with. */
export function didYouMean(names: readonly string[]): string {
  if (names.length === 0) return '';
  return `; did you mean ${names.map((n) => `"${n}"`).join(' or ')}?`;
}

/** True when some instance of the dataset satisfies `test`; leak rules skip their train index when none does. */
export function anyInstance(files: readonly DatasetFile[], test: (inst: Instance) => boolean): boolean {
  for (const file of files) for (const item of file.instances) if (test(item.instance)) return true;
  return false;
}
