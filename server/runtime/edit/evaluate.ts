// Batch evaluation of an editing method on edit instances, minimal form: each instance is edited alone from
// the original weights (or not at all for `base`), every question is answered greedily, and exact match
// after the gate's normalisation (aliases accepted) gives efficacy on verbatim and non-verbatim questions and
// specificity (locality questions answered correctly under the edit).
import type { TextTokenizer } from '../../common/tokenizer';
import type { LanguageModel } from '../models/language-model';
import { answerQuestions } from './answering';
import { computeEdit } from './edit';
import { innerExample } from './episode';
import { type Hypernetwork, type StatsMode, withOwnStatistics } from './hypernetwork';
import type { EditInstance, EditQuestion } from './instances';

export interface EvalSummary {
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

export async function evaluateMethod(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  instances: readonly EditInstance[],
  options: {
    method: string;
    /** Absent: the unedited base model. */
    hypernet?: Hypernetwork;
    statsMode?: StatsMode;
    /** Multiplies every alpha (default 1), as an edit spec's edit_lr_scale. */
    editLrScale?: number;
    signal?: AbortSignal;
    onInstance?: (done: number) => void;
  },
): Promise<EvalSummary> {
  const counts = { verbatim: [0, 0], nonverbatim: [0, 0], locality: [0, 0] } as Record<
    EditQuestion['kind'],
    [number, number]
  >;
  const tally = (questions: readonly EditQuestion[], correct: readonly boolean[]) => {
    questions.forEach((q, i) => {
      const c = counts[q.kind];
      c[0] += correct[i] ? 1 : 0;
      c[1] += 1;
    });
  };
  if (!options.hypernet) {
    // No edit: every question of every instance in large batches.
    const all = instances.flatMap((i) => i.questions);
    const answers = await answerQuestions(model, tokenizer, all);
    tally(
      all,
      answers.map((a) => a.correct),
    );
    options.onInstance?.(instances.length);
  } else {
    const online = options.statsMode === 'reference_online';
    const net = online ? withOwnStatistics(options.hypernet, true) : options.hypernet;
    for (const [k, instance] of instances.entries()) {
      options.signal?.throwIfAborted();
      const { edit } = await computeEdit(
        model,
        net,
        innerExample(model, tokenizer, instance, net.innerLoss),
        {
          updateStats: online,
        },
      );
      const scale = options.editLrScale ?? 1;
      const scaled =
        scale === 1
          ? edit
          : new Map(
              [...edit].map(([n, f]) => [n, { u: f.u, d: { ...f.d, data: f.d.data.map((v) => v * scale) } }]),
            );
      const answers = await answerQuestions(model, tokenizer, instance.questions, scaled);
      tally(
        instance.questions,
        answers.map((a) => a.correct),
      );
      options.onInstance?.(k + 1);
    }
  }
  const rate = ([c, n]: [number, number]) => (n ? c / n : 0);
  return {
    method: options.method,
    n_instances: instances.length,
    efficacy_verbatim: rate(counts.verbatim),
    efficacy_nonverbatim: rate(counts.nonverbatim),
    specificity: rate(counts.locality),
    n_questions: {
      verbatim: counts.verbatim[1],
      nonverbatim: counts.nonverbatim[1],
      locality: counts.locality[1],
    },
  };
}
