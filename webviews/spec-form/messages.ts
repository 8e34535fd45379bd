// The typed messages between the edit-spec form webview and its custom editor (extension/editors/), and the
// form state the page renders. The only contract between the two sides: the editor posts `update`, the page
// posts intents; the text document stays the source of truth and each side validates what it receives.
// Plain data; imports nothing from either side.

/** The lists of rows the form edits (add, remove, move up or down). */
export const ROW_LISTS = ['triples', 'propagation', 'locality'] as const;
export type RowList = (typeof ROW_LISTS)[number];

/** The spec fields that name a file or folder, with the dialog the picker opens. */
export const PATH_FIELDS = ['model', 'hypernetwork', 'kb'] as const;
export type PathField = (typeof PATH_FIELDS)[number];

/** The top-level keys the form may write (schemas/edit.schema.json's properties, `$schema` excepted). */
export const SPEC_KEYS = [
  'model',
  'hypernetwork',
  'kb',
  'layers',
  'modules',
  'edit_lr_scale',
  'fact',
  'subject',
  'subject_type',
  'triples',
  'propagation',
  'locality',
  'generation',
] as const;

export const MLP_MODULE_NAMES = ['gate_proj', 'up_proj', 'down_proj'] as const;
export const LAYER_PRESET_NAMES = ['top', 'mid-upper', 'max'] as const;

/** A JSON path into the spec: keys and array indices. */
export type SpecPath = ReadonlyArray<string | number>;

/** One diagnostic (the language server's, VS Code's JSON service's) placed at the JSON path it points into. */
export interface FieldDiagnostic {
  readonly path: SpecPath;
  readonly severity: 'error' | 'warning' | 'information' | 'hint';
  readonly message: string;
  /** `propmend/layer-out-of-range`, `json`, … as the owner names it. */
  readonly source: string;
  /** 1-based line of the diagnostic in the text (shown so the user can find it in "Open as Text"). */
  readonly line: number;
}

/** How many layers the spec's model has, or why that is not known. */
export type LayerCount =
  | { readonly ok: true; readonly count: number; readonly from: string }
  | { readonly ok: false; readonly reason: string };

export interface TripleRow {
  readonly subject: string;
  readonly relation: string;
  readonly object: string;
}

export interface QuestionRow {
  readonly question: string;
  /** Absent in a locality row means "the unedited model's answer is the reference". */
  readonly answer: string | undefined;
  readonly aliases: readonly string[];
  readonly path: readonly string[];
  /** Propagation rows only; undefined when the key is absent. */
  readonly verbatim: boolean | undefined;
  /** Locality rows only. */
  readonly entity: string | undefined;
}

/** What the form shows of a spec: each field as the text has it (wrong-typed values read as absent). */
export interface SpecFormValues {
  readonly model: string | undefined;
  /** undefined: the shipped one; null: a raw gradient step. */
  readonly hypernetwork: string | null | undefined;
  readonly kb: string | undefined;
  readonly layers: string | readonly number[] | undefined;
  readonly modules: readonly string[] | undefined;
  readonly editLrScale: number | undefined;
  readonly fact: string;
  readonly subject: string;
  readonly subjectType: string;
  readonly triples: readonly TripleRow[];
  readonly propagation: readonly QuestionRow[];
  readonly locality: readonly QuestionRow[];
  readonly maxNewTokens: number | undefined;
  readonly stop: readonly string[] | undefined;
  readonly promptTemplate: string | undefined;
}

export interface SpecFormState {
  /** The spec's file name, for the heading. */
  readonly file: string;
  /** Set when the text is not a JSON object: the form shows this and offers "Open as Text", never edits. */
  readonly parseError: { readonly message: string; readonly line: number; readonly character: number } | null;
  readonly values: SpecFormValues | null;
  readonly diagnostics: readonly FieldDiagnostic[];
  readonly layerCount: LayerCount;
  /** Problems of explicit layers against the layer count, placed like diagnostics. */
  readonly layerProblems: readonly string[];
}

/** extension → webview. */
export type ToSpecForm = { readonly type: 'update'; readonly state: SpecFormState };

/** A JSON value the page may write. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** webview → extension: intents; the editor turns each into a minimal WorkspaceEdit. */
export type FromSpecForm =
  | { readonly type: 'ready' }
  /** Set the value at `path` (a key of SPEC_KEYS first); `value` undefined removes it. */
  | { readonly type: 'set'; readonly path: SpecPath; readonly value: JsonValue | undefined }
  | { readonly type: 'addRow'; readonly list: RowList }
  | { readonly type: 'removeRow'; readonly list: RowList; readonly index: number }
  /** Swap row `index` with its neighbour above (-1) or below (+1). */
  | { readonly type: 'moveRow'; readonly list: RowList; readonly index: number; readonly by: -1 | 1 }
  | { readonly type: 'pick'; readonly field: PathField }
  | { readonly type: 'apply' }
  | { readonly type: 'openText' };

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const MAX_DEPTH = 8;

function isJsonValue(v: unknown, depth = 0): v is JsonValue {
  if (depth > MAX_DEPTH) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isJsonValue(x, depth + 1));
  if (isObj(v)) return Object.values(v).every((x) => isJsonValue(x, depth + 1));
  return false;
}

function isSpecPath(v: unknown): v is SpecPath {
  if (!Array.isArray(v) || v.length === 0 || v.length > 4) return false;
  if (!(SPEC_KEYS as readonly unknown[]).includes(v[0])) return false;
  return v.every(
    (p) => (typeof p === 'string' && p.length <= 64) || (Number.isInteger(p) && (p as number) >= 0),
  );
}

function isRowList(v: unknown): v is RowList {
  return (ROW_LISTS as readonly unknown[]).includes(v);
}

function isIndex(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 0;
}

/** The intent a page posted, or undefined when it is not one of ours (never trusted as typed). */
export function readFromSpecForm(v: unknown): FromSpecForm | undefined {
  if (!isObj(v)) return undefined;
  switch (v.type) {
    case 'ready':
    case 'apply':
    case 'openText':
      return { type: v.type };
    case 'set':
      if (!isSpecPath(v.path)) return undefined;
      if (v.value !== undefined && !isJsonValue(v.value)) return undefined;
      return { type: 'set', path: v.path, value: v.value as JsonValue | undefined };
    case 'addRow':
      return isRowList(v.list) ? { type: 'addRow', list: v.list } : undefined;
    case 'removeRow':
      return isRowList(v.list) && isIndex(v.index)
        ? { type: 'removeRow', list: v.list, index: v.index }
        : undefined;
    case 'moveRow':
      return isRowList(v.list) && isIndex(v.index) && (v.by === -1 || v.by === 1)
        ? { type: 'moveRow', list: v.list, index: v.index, by: v.by }
        : undefined;
    case 'pick':
      return (PATH_FIELDS as readonly unknown[]).includes(v.field)
        ? { type: 'pick', field: v.field as PathField }
        : undefined;
    default:
      return undefined;
  }
}

/** The message the editor posted, or undefined when it is malformed. */
export function readToSpecForm(v: unknown): ToSpecForm | undefined {
  if (!isObj(v) || v.type !== 'update' || !isObj(v.state)) return undefined;
  const s = v.state;
  if (typeof s.file !== 'string' || !Array.isArray(s.diagnostics) || !isObj(s.layerCount)) return undefined;
  return { type: 'update', state: s as unknown as SpecFormState };
}
