// What the benchmark suite hands each side's child process and what comes back: a case spec (model folder,
// token ids, hypernetwork file, thread count, repetitions) written to a JSON file, and one JSON line of
// timings, peak RSS and check numbers. bench/peer/peer.py reads and writes the same shapes. Types only.

/** Settings every side run gets. */
export interface RunSettings {
  readonly threads: number;
  /** Timed repetitions after the warm-up ones. */
  readonly reps: number;
  /** Untimed (but recorded) first runs: graph builds, compiles, allocator warm-up. */
  readonly warmup: number;
}

/** One PropMEND edit: capture on the fact, transform, edited greedy answers to the questions. */
export interface EditSpec extends RunSettings {
  readonly kind: 'edit';
  readonly model: string;
  readonly hypernet: string;
  /** BOS + fact + EOS. */
  readonly fact: readonly number[];
  /** BOS + question, one row each; answered as one left-padded batch. */
  readonly questions: ReadonlyArray<readonly number[]>;
  readonly maxNewTokens: number;
  /** When the hypernetwork file is missing, ours writes one of the reference's shape (seeded random weights). */
  readonly createHypernet?: {
    readonly layers: readonly number[];
    readonly rank: number;
    readonly seed: number;
  };
}

/** Mean next-token loss and gradients of every parameter, per batch shape. */
export interface ForwardBackwardSpec extends RunSettings {
  readonly kind: 'forward-backward';
  readonly model: string;
  /** Per shape name ("8x64"): the token rows (all of one length). */
  readonly batches: Readonly<Record<string, ReadonlyArray<readonly number[]>>>;
  /** Square-ish MatMul sizes [m, k, n] timed for the GEMM peak (ours only). */
  readonly gemm?: readonly [number, number, number];
}

/** Meta-training iterations: edit, outer loss on questions + locality KL, hypernetwork gradient, Adam. */
export interface MetaTrainSpec extends RunSettings {
  readonly kind: 'metatrain';
  readonly model: string;
  readonly hypernet: string;
  readonly episodes: ReadonlyArray<{
    readonly fact: readonly number[];
    /** Question + " " + answer + EOS rows with the answer length (the scored tail). */
    readonly questions: ReadonlyArray<{ readonly ids: readonly number[]; readonly answerLength: number }>;
    readonly locality: ReadonlyArray<readonly number[]>;
  }>;
  readonly lr: number;
  /** Global gradient-norm clip before each Adam step. */
  readonly clip: number;
  readonly editCoefficient: number;
  readonly localityCoefficient: number;
  readonly createHypernet?: EditSpec['createHypernet'];
}

export type SideSpec = EditSpec | ForwardBackwardSpec | MetaTrainSpec;

/** One side's answer: named timing series (seconds per run), peak RSS, numbers to compare, versions. */
export interface SideResult {
  readonly side: 'ours' | 'peer';
  /** Per series: warm-up runs first, then `reps` timed runs. */
  readonly series: Readonly<Record<string, { readonly warmup_s: number[]; readonly runs_s: number[] }>>;
  readonly peak_rss_bytes: number;
  readonly load_s: number;
  readonly check: Readonly<Record<string, number | number[] | string>>;
  readonly versions: Readonly<Record<string, string>>;
  readonly extra?: Readonly<Record<string, unknown>>;
}
