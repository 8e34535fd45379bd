// Greedy answers under an optional edit, scored by the quality gate's exact match: the prompt is BOS + the
// bare question, decoding stops at EOS or after the longest gold answer plus two tokens. Also the gold
// answer's log-probability under teacher forcing. Used by validation, `propmend edit` and `eval --sequential`;
// the decoding itself is eval/answer-prompts.ts greedyAnswers, shared with `propmend eval` and the gate.
import { maxOf } from '../../common/arrays';
import type { TextTokenizer } from '../../common/tokenizer';
import { greedyAnswers } from '../eval/answer-prompts';
import { exactMatch } from '../eval/answers';
import type { LanguageModel } from '../models/language-model';
import { nextTokenTargets, padLeft } from '../tasks/batch';
import type { EditGates } from '../tasks/edit-inputs';
import type { LowRankEdit } from '../tasks/forward';
import { scoreTokens } from '../tasks/objectives';
import type { EditQuestion } from './instances';
import { questionRow } from './meta-batch';

export interface Answered {
  readonly prediction: string;
  readonly correct: boolean;
}

export async function answerQuestions(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  questions: readonly EditQuestion[],
  edit?: LowRankEdit,
  /** Checked between decoding steps (graph runs); aborting throws its reason. */
  signal?: AbortSignal,
  /** Per-question rank gates of `edit` (edit-inputs.ts beforeAfterGates). */
  gates?: EditGates,
): Promise<Answered[]> {
  if (questions.length === 0) return [];
  const longest = Math.max(
    1,
    maxOf(questions.map((q) => tokenizer.encode(` ${q.answer}`, { addSpecialTokens: false }).length)),
  );
  const predictions = await greedyAnswers(
    model,
    tokenizer,
    questions.map((q) => tokenizer.encode(q.question, { addSpecialTokens: true })),
    {
      maxNewTokens: longest + 2,
      ...(edit ? { edit } : {}),
      ...(gates ? { gates } : {}),
      ...(signal ? { signal } : {}),
    },
  );
  return predictions.map((prediction, i) => {
    const q = questions[i] as EditQuestion;
    return { prediction, correct: exactMatch(prediction, q.answer, q.aliases) };
  });
}

/** Sum of log p(answer tokens + EOS | BOS + question) per question. */
export async function goldLogprobs(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  questions: readonly EditQuestion[],
  edit?: LowRankEdit,
  gates?: EditGates,
): Promise<number[]> {
  if (questions.length === 0) return [];
  const eos = model.tokens.eos[0] as number;
  const rows = questions.map((q) =>
    questionRow((t, s) => tokenizer.encode(t, { addSpecialTokens: s }), eos, q.question, q.answer),
  );
  const batch = padLeft(
    rows.map((r) => r.ids),
    model.tokens.pad,
  );
  const targets = nextTokenTargets(
    model.dtype,
    batch,
    (b, t) => t >= batch.length - (rows[b]?.answerLength ?? 0),
  );
  const scores = await scoreTokens(model, batch, targets, edit, gates);
  return rows.map((_, b) => {
    let sum = 0;
    for (let t = 0; t < batch.length; t++) sum += scores.logprob[b * batch.length + t] as number;
    return sum;
  });
}
