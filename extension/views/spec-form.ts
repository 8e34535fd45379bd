// The edit-spec form's view of a document: text → form state (values read tolerantly, the parse error when
// the text is not a JSON object, diagnostics placed at the JSON path they point into, explicit layers checked
// against the model's layer count). The text is the source of truth; the form state is derived from it on
// every change. Plain data; must not import `vscode` (test/extension/views.test.ts checks the folder).
import { relative, sep } from 'node:path';
import {
  findNodeAtOffset,
  getNodePath,
  getNodeValue,
  type Node,
  type ParseError,
  parseTree,
  printParseErrorCode,
} from 'jsonc-parser/lib/esm/main.js';
import type {
  FieldDiagnostic,
  LayerCount,
  QuestionRow,
  SpecFormState,
  SpecFormValues,
  TripleRow,
} from '../../webviews/spec-form/messages';

/** A diagnostic as the editor has it, with its start as a text offset. */
export interface OffsetDiagnostic {
  readonly offset: number;
  readonly severity: FieldDiagnostic['severity'];
  readonly message: string;
  readonly source: string;
}

export interface ParsedSpec {
  readonly root: Node | undefined;
  readonly parseError: SpecFormState['parseError'];
  readonly values: SpecFormValues | null;
}

function lineAndCharacter(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, character: offset - start };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const optStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const strList = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
const optNum = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) ? v : undefined;
const objList = (v: unknown): Record<string, unknown>[] =>
  Array.isArray(v) ? v.map((x) => (isObj(x) ? x : {})) : [];

function questionRow(o: Record<string, unknown>): QuestionRow {
  return {
    question: str(o.question),
    answer: optStr(o.answer),
    aliases: strList(o.aliases),
    path: strList(o.path),
    verbatim: typeof o.verbatim === 'boolean' ? o.verbatim : undefined,
    entity: optStr(o.entity),
  };
}

/** The form's values of a parsed spec object; a wrong-typed field reads as absent (its diagnostic says why). */
export function specValues(o: Record<string, unknown>): SpecFormValues {
  const generation = isObj(o.generation) ? o.generation : {};
  const layers =
    typeof o.layers === 'string'
      ? o.layers
      : Array.isArray(o.layers)
        ? o.layers.filter((x): x is number => typeof x === 'number')
        : undefined;
  return {
    model: optStr(o.model),
    hypernetwork: o.hypernetwork === null ? null : optStr(o.hypernetwork),
    kb: optStr(o.kb),
    layers,
    modules: Array.isArray(o.modules) ? strList(o.modules) : undefined,
    editLrScale: optNum(o.edit_lr_scale),
    fact: str(o.fact),
    subject: str(o.subject),
    subjectType: str(o.subject_type),
    triples: objList(o.triples).map(
      (t): TripleRow => ({ subject: str(t.subject), relation: str(t.relation), object: str(t.object) }),
    ),
    propagation: objList(o.propagation).map(questionRow),
    locality: objList(o.locality).map(questionRow),
    maxNewTokens: optNum(generation.max_new_tokens),
    stop: Array.isArray(generation.stop) ? strList(generation.stop) : undefined,
    promptTemplate: optStr(generation.prompt_template),
  };
}

/** Parses a spec's text (comments tolerated, as jsonc-parser's edits keep them); never throws. */
export function parseSpec(text: string): ParsedSpec {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: false, disallowComments: false });
  const first = errors[0];
  if (first) {
    const at = lineAndCharacter(text, first.offset);
    return {
      root: undefined,
      values: null,
      parseError: { message: `${describeParseError(first)} (the text is not valid JSON)`, ...at },
    };
  }
  if (root?.type !== 'object') {
    return {
      root: undefined,
      values: null,
      parseError: { message: 'an edit spec is one JSON object ({ … })', line: 0, character: 0 },
    };
  }
  return { root, parseError: null, values: specValues(getNodeValue(root) as Record<string, unknown>) };
}

function describeParseError(error: ParseError): string {
  const words = printParseErrorCode(error.error)
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  return words;
}

/** The JSON path a text offset points into ([] for the document as a whole). */
export function pathAt(root: Node | undefined, offset: number): Array<string | number> {
  if (!root) return [];
  const node = findNodeAtOffset(root, offset, false);
  if (!node) return [];
  // A property's key or the property itself: the path of its value.
  if (node.type === 'property' && node.children?.[1]) return getNodePath(node.children[1]);
  const parent = node.parent;
  if (parent?.type === 'property' && parent.children?.[0] === node && parent.children[1])
    return getNodePath(parent.children[1]);
  return getNodePath(node);
}

/** Every diagnostic placed at the JSON path it points into. */
export function placeDiagnostics(
  text: string,
  root: Node | undefined,
  diagnostics: readonly OffsetDiagnostic[],
): FieldDiagnostic[] {
  return diagnostics.map((d) => ({
    path: pathAt(root, d.offset),
    severity: d.severity,
    message: d.message,
    source: d.source,
    line: lineAndCharacter(text, d.offset).line + 1,
  }));
}

/** The layer count in a model folder's config.json text (`num_hidden_layers`, or GPT-2's `n_layer`). */
export function layerCountFromConfig(configText: string, from: string): LayerCount {
  let value: unknown;
  try {
    value = JSON.parse(configText);
  } catch (error) {
    return { ok: false, reason: `${from} is not JSON: ${(error as Error).message}` };
  }
  const raw = isObj(value) ? (value.num_hidden_layers ?? value.n_layer) : undefined;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 1)
    return { ok: false, reason: `${from} has no positive integer "num_hidden_layers"` };
  return { ok: true, count: raw, from };
}

/** What is wrong with explicit layers for a model of `count` layers (presets are always resolvable). */
export function layerProblems(layers: SpecFormValues['layers'], count: LayerCount): string[] {
  if (!Array.isArray(layers)) return [];
  const problems: string[] = [];
  if (layers.length === 0) problems.push('name at least one layer, or choose a preset');
  const seen = new Set<number>();
  for (const layer of layers) {
    if (!Number.isInteger(layer) || layer < 0) problems.push(`layer ${layer} is not a 0-based layer index`);
    else if (count.ok && layer >= count.count)
      problems.push(
        `layer ${layer} does not exist: the model has ${count.count} layers (0 to ${count.count - 1})`,
      );
    if (seen.has(layer)) problems.push(`layer ${layer} is listed twice`);
    seen.add(layer);
  }
  return problems;
}

/** The whole form state of a document. */
export function specFormState(
  file: string,
  text: string,
  diagnostics: readonly OffsetDiagnostic[],
  layerCount: LayerCount,
): SpecFormState {
  const parsed = parseSpec(text);
  return {
    file,
    parseError: parsed.parseError,
    values: parsed.values,
    diagnostics: placeDiagnostics(text, parsed.root, diagnostics),
    layerCount,
    layerProblems: parsed.values ? layerProblems(parsed.values.layers, layerCount) : [],
  };
}

/** A picked file or folder as the spec writes it: relative to the spec's folder, with forward slashes. */
export function relativeSpecPath(specDir: string, picked: string): string {
  const rel = relative(specDir, picked).split(sep).join('/');
  return rel === '' ? '.' : rel;
}
