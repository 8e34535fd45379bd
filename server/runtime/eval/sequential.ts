// Sequential (multi-edit) evaluation: K edits applied one after another without restoring, each computed on
// the model as the previous edits left it, with the edits so far scored at checkpoints (1, 2, 5, 10, 20, 50,
// 100 <= K, and K): efficacy on the edited instances' verbatim and non-verbatim questions, and specificity on
// the locality questions of all K instances (a fixed set, so the curve shows accumulated damage only).
// Edits are added to the host weights in place (W += d^T u per edited linear); the touched weights are
// copied before their first change and written back at the end, and a whole-model checksum proves the
// restore. Which method computes an edit is the caller's (a SequentialEditor); files and jobs are not here.
import type { TextTokenizer } from '../../common/tokenizer';
import { weightsChecksum } from '../baselines/weights';
import { answerQuestions } from '../edit/answering';
import type { EditInstance, EditQuestion } from '../edit/instances';
import type { LanguageModel } from '../models/language-model';
import type { LowRankEdit } from '../tasks/edit-inputs';
import { exactMatchAny, type MetricSummary, type ScoredQuestion, summarize, tokenF1 } from './metrics';

/** Where the curve is measured (those <= K, plus K itself). */
export const SEQUENTIAL_CHECKPOINTS = [1, 2, 5, 10, 20, 50, 100] as const;

export function checkpointsFor(k: number): number[] {
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`K must be a whole number >= 1, got ${k}`);
  const points: number[] = SEQUENTIAL_CHECKPOINTS.filter((c) => c <= k);
  if (points[points.length - 1] !== k) points.push(k);
  return points;
}

/** Computes the next edit of `index`-th instance on the model's current (already edited) weights. */
export type SequentialEditor = (index: number) => Promise<LowRankEdit>;

/** W += d^T u for every linear of `edit`, in the model's own weight arrays. */
export function addLowRankInPlace(model: LanguageModel, edit: LowRankEdit): void {
  for (const [linear, { u, d }] of edit) {
    const w = model.weights.get(`${linear}.weight`);
    if (!w) throw new Error(`the model has no parameter ${linear}.weight`);
    const [dOut, dIn] = w.shape as [number, number];
    const rank = u.shape[0] as number;
    if (u.shape[1] !== dIn || d.shape[1] !== dOut || d.shape[0] !== rank)
      throw new Error(
        `edit factors of ${linear} are [${u.shape}] and [${d.shape}], the weight is [${w.shape}]`,
      );
    const data = w.data;
    for (let o = 0; o < dOut; o++) {
      const row = o * dIn;
      for (let r = 0; r < rank; r++) {
        const c = d.data[r * dOut + o] as number;
        if (c === 0) continue;
        const ur = r * dIn;
        for (let i = 0; i < dIn; i++)
          data[row + i] = (data[row + i] as number) + c * (u.data[ur + i] as number);
      }
    }
  }
}

/** Frobenius norm of the dense update d^T u summed over linears: sqrt(sum trace((d d^T)(u u^T))). */
export function editNorm(edit: LowRankEdit): number {
  let total = 0;
  for (const { u, d } of edit.values()) {
    const rank = u.shape[0] as number;
    const dIn = u.shape[1] as number;
    const dOut = d.shape[1] as number;
    const gram = (t: ArrayLike<number>, width: number, a: number, b: number) => {
      let s = 0;
      for (let i = 0; i < width; i++) s += (t[a * width + i] as number) * (t[b * width + i] as number);
      return s;
    };
    for (let a = 0; a < rank; a++)
      for (let b = 0; b < rank; b++) total += gram(d.data, dOut, a, b) * gram(u.data, dIn, a, b);
  }
  return Math.sqrt(Math.max(0, total));
}

/**
 * Edits accumulated in a model's weights: `apply` copies each weight before its first change, `restore`
 * writes the copies back and returns whether the whole model's checksum equals the one taken at creation.
 */
export class AccumulatedEdits {
  private readonly saved = new Map<string, Float32Array | Float64Array>();
  readonly checksumBefore: string;
  count = 0;

  constructor(private readonly model: LanguageModel) {
    this.checksumBefore = weightsChecksum(model);
  }

  apply(edit: LowRankEdit): void {
    for (const linear of edit.keys()) {
      const name = `${linear}.weight`;
      const w = this.model.weights.get(name);
      if (w && !this.saved.has(name)) this.saved.set(name, w.data.slice());
    }
    addLowRankInPlace(this.model, edit);
    this.count++;
  }

  /** Names of the weights the edits changed. */
  touched(): string[] {
    return [...this.saved.keys()].sort();
  }

  restore(): { checksum: string; restored: boolean } {
    for (const [name, copy] of this.saved) this.model.weights.get(name)?.data.set(copy);
    this.saved.clear();
    const checksum = weightsChecksum(this.model);
    return { checksum, restored: checksum === this.checksumBefore };
  }
}

const KIND: Record<EditQuestion['kind'], ScoredQuestion['kind']> = {
  verbatim: 'verbatim',
  nonverbatim: 'non-verbatim',
  locality: 'locality',
};

/** Greedy answers on the model's current weights, scored by exact match (aliases accepted) and token F1. */
export async function scoreQuestions(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  questions: readonly EditQuestion[],
  edit?: LowRankEdit,
): Promise<Array<ScoredQuestion & { prediction: string }>> {
  const answers = await answerQuestions(model, tokenizer, questions, edit);
  return answers.map((a, i) => {
    const q = questions[i] as EditQuestion;
    return {
      kind: KIND[q.kind],
      path: '',
      exactMatch: exactMatchAny(a.prediction, q.answer, q.aliases),
      f1: tokenF1(a.prediction, q.answer, q.aliases),
      prediction: a.prediction,
    };
  });
}

/** The three cells of the table, each with its bootstrap interval and n. */
export interface CurveCells {
  readonly efficacy_verbatim: MetricSummary;
  readonly efficacy_nonverbatim: MetricSummary;
  readonly specificity: MetricSummary;
}

export interface CurvePoint extends CurveCells {
  /** Edits applied so far; efficacy covers these instances' propagation questions. */
  readonly edits: number;
}

export interface SequentialRun {
  /** The unedited model on all K instances' questions (efficacy) and locality questions. */
  readonly before: CurveCells;
  readonly points: readonly CurvePoint[];
  /** Frobenius norm of each edit's weight change, in order (a growing norm shows edits compounding). */
  readonly edit_norms: readonly number[];
  /** The weights the edits changed, and the checksum proof that restoring gave the originals back. */
  readonly touched: readonly string[];
  readonly checksum: { readonly before: string; readonly after: string; readonly restored: boolean };
}

function cells(
  scored: readonly ScoredQuestion[],
  bootstrap: { resamples: number; seed: number },
): CurveCells {
  const of = (kind: ScoredQuestion['kind']) =>
    summarize(
      scored.filter((q) => q.kind === kind),
      bootstrap,
    );
  return {
    efficacy_verbatim: of('verbatim'),
    efficacy_nonverbatim: of('non-verbatim'),
    specificity: of('locality'),
  };
}

/**
 * How each edit is computed. sequential: on the weights the previous edits left (the multi-edit setting);
 * independent: every edit on the original weights first, then summed, which isolates the interference of
 * the edits from the feedback of a damaged model into the next edit.
 */
export const STACKING_MODES = ['sequential', 'independent'] as const;
export type StackingMode = (typeof STACKING_MODES)[number];

/**
 * Applies the editor's edits to instances 0..K-1 in order, scoring at each checkpoint, and always restores
 * the weights (also on error or cancellation). Efficacy at checkpoint k: propagation questions of
 * instances 0..k-1; specificity: locality questions of all K instances.
 */
export async function runSequential(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  instances: readonly EditInstance[],
  editor: SequentialEditor,
  options: {
    readonly bootstrap: { resamples: number; seed: number };
    readonly signal?: AbortSignal;
    readonly onEdit?: (done: number, total: number) => void;
    readonly stacking?: StackingMode;
  },
): Promise<SequentialRun> {
  const k = instances.length;
  const checkpoints = new Set(checkpointsFor(k));
  const propagation = (upTo: number) =>
    instances.slice(0, upTo).flatMap((i) => i.questions.filter((q) => q.kind !== 'locality'));
  const locality = instances.flatMap((i) => i.questions.filter((q) => q.kind === 'locality'));
  const before = cells(
    await scoreQuestions(model, tokenizer, [...propagation(k), ...locality]),
    options.bootstrap,
  );
  const precomputed: LowRankEdit[] = [];
  if (options.stacking === 'independent')
    for (let i = 0; i < k; i++) {
      options.signal?.throwIfAborted();
      precomputed.push(await editor(i));
    }
  const edits = new AccumulatedEdits(model);
  const points: CurvePoint[] = [];
  const norms: number[] = [];
  let restoredState: { checksum: string; restored: boolean } | undefined;
  let touched: string[] = [];
  try {
    for (let i = 0; i < k; i++) {
      options.signal?.throwIfAborted();
      const edit = precomputed[i] ?? (await editor(i));
      norms.push(editNorm(edit));
      edits.apply(edit);
      options.onEdit?.(i + 1, k);
      if (!checkpoints.has(i + 1)) continue;
      const scored = await scoreQuestions(model, tokenizer, [...propagation(i + 1), ...locality]);
      points.push({ edits: i + 1, ...cells(scored, options.bootstrap) });
    }
  } finally {
    touched = edits.touched();
    restoredState = edits.restore();
  }
  if (!restoredState.restored)
    // A bug, never user input: the copies did not give the original weights back.
    throw new Error(`restoring the weights after sequential edits failed (${touched.length} tensors)`);
  return {
    before,
    points,
    edit_norms: norms,
    touched,
    checksum: {
      before: edits.checksumBefore,
      after: restoredState.checksum,
      restored: restoredState.restored,
    },
  };
}
