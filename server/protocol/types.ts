// The plain-data shapes that cross the runtime sidecar's JSON-RPC boundary (extension ⇄ `propmend serve
// --stdio`): parameters and results of every request, the progress notification, and the records an edit and
// an evaluation return. Pure types and constant tables; imports nothing from the extension, the sidecar or the
// runtime (test/tidy.test.ts), so either side can change its internals without changing the wire.

/** Bumped on every incompatible change of a message below; `propmend/status` reports it (the handshake). */
export const PROTOCOL_VERSION = 1;

/** Execution providers the runtime knows (test/protocol checks this equals the runtime's own list). */
export const RUNTIME_PROVIDERS = ['cpu', 'cuda', 'webgpu'] as const;
export type RuntimeProvider = (typeof RUNTIME_PROVIDERS)[number];

/** Hypernetwork editing methods (the patch files' methods). */
export const EDIT_METHODS = ['propmend', 'mend'] as const;
export type EditMethodName = (typeof EDIT_METHODS)[number];

/** Methods an evaluation compares by default: the unedited model and the two hypernetworks. */
export const EVAL_METHODS = ['base', 'mend', 'propmend'] as const;

/**
 * Every method `propmend eval` runs, in its order (test/sidecar/eval-run.test.ts checks this equals the
 * runtime's list): baselines (no edit, fact prepended, continued pre-training, MEMIT) and the hypernetworks.
 */
export const ALL_EVAL_METHODS = [
  'base',
  'prepend',
  'cpt-full',
  'cpt-midupper',
  'memit',
  'mend',
  'propmend',
] as const;
export type EvalMethodName = (typeof ALL_EVAL_METHODS)[number];

/** The kinds of question an edit report has (runtime spelling: `nonverbatim` without a hyphen). */
export const QUESTION_KINDS = ['verbatim', 'nonverbatim', 'locality'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

/**
 * Long requests (loadModel, applyEdit, evaluate, exportModel) take an optional client-chosen token; their
 * `propmend/progress` notifications carry it (LSP's workDoneToken pattern). Without one, no progress is sent.
 */
export interface WithProgress {
  readonly progressToken?: ProgressToken;
}

export type ProgressToken = number | string;

// ---- loading a model -------------------------------------------------------------------------------------

export interface LoadModelParams extends WithProgress {
  /** Absolute path of a Hugging Face model folder (config.json, *.safetensors, tokenizer.json). */
  readonly folder: string;
  /** Default `cpu`. */
  readonly provider?: RuntimeProvider;
  /** onnxruntime CPU threads, 1 to the machine's cores; default: all cores. */
  readonly threads?: number;
}

/** What is loaded: the model's identity, and the runtime it runs on. */
export interface ModelInfo {
  readonly folder: string;
  readonly model_type: string;
  readonly hidden_size: number;
  readonly intermediate_size: number;
  readonly num_layers: number;
  readonly vocab_size: number;
  /** Number of weights (all parameters). */
  readonly parameters: number;
  readonly dtype: string;
  /** SHA-256 over every weight's name, shape and float32 values (the patch identity's hash, all parameters). */
  readonly weights_sha256: string;
  readonly provider: RuntimeProvider;
  readonly threads: number;
  /** Wall time of the load, milliseconds. */
  readonly load_ms: number;
}

// ---- edits ---------------------------------------------------------------------------------------------

/** Where an edit or evaluation reads its instance: an edit spec, or one instance of a dataset file. */
export type InstanceSource =
  | { readonly kind: 'spec'; readonly file: string }
  | {
      readonly kind: 'instance';
      /** A `*.ripple.jsonl` file. */
      readonly file: string;
      /** 1-based line of the instance; give this or `id`. */
      readonly line?: number;
      /** The instance's `id`; give this or `line`. */
      readonly id?: string;
    };

export interface ApplyEditParams extends WithProgress {
  readonly source: InstanceSource;
  /** Default `propmend`; for a spec, the method of the shipped hypernetwork when the spec names none. */
  readonly method?: EditMethodName;
  /** A hypernetwork folder or file; default: the spec's, else the shipped one for the shipped model. */
  readonly hypernet?: string;
}

/** One question before and after an edit: the record of `propmend edit --json`. */
export interface QuestionRecord {
  readonly kind: QuestionKind;
  readonly question: string;
  readonly gold: string | null;
  readonly before: string;
  readonly after: string;
  readonly correct_before: boolean | null;
  readonly correct_after: boolean | null;
  readonly logprob_before: number | null;
  readonly logprob_after: number | null;
}

/** The report of one edit: the record of `propmend edit --json`. */
export interface EditRecord {
  readonly fact: string;
  readonly method: string;
  readonly questions: readonly QuestionRecord[];
  readonly timings_ms: { readonly capture: number; readonly transform: number; readonly answering: number };
  readonly edit_size: { readonly targets: number; readonly rank: number; readonly parameters: number };
}

/** One edit on the session's patch stack (in memory; saved to a file only by `propmend/savePatch`). */
export interface PatchInfo {
  /** Unique within a sidecar process: `p1`, `p2`, …. */
  readonly id: string;
  /** 1-based position on the stack (the last applied is on top). */
  readonly position: number;
  readonly fact: string;
  readonly method: string;
  readonly source: InstanceSource;
  readonly applied_at: string;
  /** The file it was last saved to, else null. */
  readonly saved_to: string | null;
}

export interface ApplyEditResult {
  readonly patch: PatchInfo;
  readonly report: EditRecord;
  /** Milliseconds of the whole request, loading included when it loaded the model. */
  readonly elapsed_ms: number;
}

export interface RevertParams {
  /** The patch to revert; default the last applied. */
  readonly id?: string;
}

export interface PatchListResult {
  /** The model folder the stack edits; null when none is loaded. */
  readonly model: string | null;
  /** Bottom to top. */
  readonly patches: readonly PatchInfo[];
}

export interface RevertResult extends PatchListResult {
  readonly reverted: readonly PatchInfo[];
}

export interface SavePatchParams {
  readonly id: string;
  /** Target `*.edit.safetensors` file. */
  readonly path: string;
  /** Replace an existing file. */
  readonly force?: boolean;
}

export interface SavePatchResult {
  readonly id: string;
  readonly path: string;
}

export interface ExportModelParams extends WithProgress {
  /** New model folder with every patch of the stack merged into the weights; never the model's own folder. */
  readonly out: string;
  readonly force?: boolean;
}

export interface ExportModelResult {
  readonly out: string;
  readonly patches: number;
}

// ---- evaluation ----------------------------------------------------------------------------------------

/** An instance (as for edits), every instance of a dataset file, or of several (e.g. one file per split). */
export type EvalSource =
  | InstanceSource
  | { readonly kind: 'dataset'; readonly file: string }
  | { readonly kind: 'datasets'; readonly files: readonly string[] };

export interface EvaluateParams extends WithProgress {
  readonly source: EvalSource;
  /**
   * Default EVAL_METHODS. Each instance is edited alone from the original weights (patches unused). Dataset
   * and instance sources run `propmend eval`'s runner and may name any of ALL_EVAL_METHODS; a spec source
   * only base, mend and propmend.
   */
  readonly methods?: readonly EvalMethodName[];
  /** The first N instances of each dataset file only (dataset sources). */
  readonly limit?: number;
  /**
   * A folder to write the run's result file to (`eval-<methods>.json`, the contract of `propmend eval`,
   * written atomically; dataset and instance sources). No file without it.
   */
  readonly out_dir?: string;
  /** Replace an existing result file in `out_dir`. */
  readonly force?: boolean;
}

/** One method's scores; a subset of the runtime's evaluation summary that later versions may extend. */
export interface EvalRecord {
  readonly method: string;
  readonly n_instances: number;
  readonly efficacy_verbatim: number;
  readonly efficacy_nonverbatim: number;
  readonly specificity: number;
  readonly n_questions: {
    readonly verbatim: number;
    readonly nonverbatim: number;
    readonly locality: number;
  };
}

/** One method on one split: the rates of an EvalRecord for the split's questions. */
export interface EvalSplitRecord extends EvalRecord {
  readonly split: string;
}

export interface EvaluateResult {
  /** The (first) dataset or spec file evaluated. */
  readonly file: string;
  /** One per method, over every question evaluated. */
  readonly results: readonly EvalRecord[];
  /** Per method and split (dataset and instance sources). */
  readonly by_split?: readonly EvalSplitRecord[];
  /** The result file written (only with `out_dir`). */
  readonly result_file?: string;
  readonly elapsed_ms: number;
}

// ---- status and progress -------------------------------------------------------------------------------

export interface StatusResult {
  readonly protocol_version: number;
  /** The product version (package.json). */
  readonly version: string;
  readonly pid: number;
  readonly model: ModelInfo | null;
  readonly patches: number;
  /** The request being served, if any (others wait in order). */
  readonly busy: { readonly method: string; readonly since: string } | null;
  readonly queued: number;
}

export interface ProgressParams {
  /** The `progressToken` of the request the progress belongs to. */
  readonly token: ProgressToken;
  readonly method: string;
  /** 0..1, never decreasing within a request. */
  readonly fraction: number;
  readonly message: string;
}
