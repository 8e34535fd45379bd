// Answers for evaluation records: greedy answers to prompts (BOS + prompt, stop at EOS, a newline or after
// the longest gold answer plus two tokens) and the gold answer's mean token log-probability under teacher
// forcing, both under an optional low-rank edit. Scoring the answers is metrics.ts; editing is not here.
import { maxOf } from '../../common/arrays';
import type { TextTokenizer } from '../../common/tokenizer';
import type { LanguageModel } from '../models/language-model';
import { nextTokenTargets, padLeft } from '../tasks/batch';
import type { EditGates, LowRankEdit } from '../tasks/edit-inputs';
import { cutAtStop, generateGreedy } from '../tasks/generate';
import { scoreTokens } from '../tasks/objectives';

export interface PromptToAnswer {
  /** The text the model sees after BOS (the question, or the Prepend context and the question). */
  readonly prompt: string;
  readonly answer: string;
}

export interface PromptAnswer {
  /** The greedy continuation, cut at the first newline and trimmed. */
  readonly prediction: string;
  /** Mean log-probability of the gold answer's tokens (" " + answer, EOS not included). */
  readonly logprob: number;
}

/** Rows per forward pass for answering and scoring. */
const BATCH = 64;

function answerIds(tokenizer: TextTokenizer, answer: string): number[] {
  const ids = tokenizer.encode(` ${answer.trim()}`, { addSpecialTokens: false });
  if (ids.length === 0) throw new Error(`the answer ${JSON.stringify(answer)} has no tokens`);
  return ids;
}

/** Mean gold log-probability of each row, scored in batches of BATCH. */
async function goldMeanLogprobs(
  model: LanguageModel,
  rows: ReadonlyArray<{ prompt: number[]; answer: number[] }>,
  edit?: LowRankEdit,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < rows.length; i += BATCH) {
    const part = rows.slice(i, i + BATCH);
    const batch = padLeft(
      part.map((r) => [...r.prompt, ...r.answer]),
      model.tokens.pad,
    );
    const targets = nextTokenTargets(
      model.dtype,
      batch,
      (b, t) => t >= batch.length - (part[b]?.answer.length ?? 0),
    );
    const scores = await scoreTokens(model, batch, targets, edit);
    part.forEach((r, b) => {
      let sum = 0;
      for (let t = 0; t < batch.length; t++) sum += scores.logprob[b * batch.length + t] as number;
      out.push(sum / r.answer.length);
    });
  }
  return out;
}

/** Greedy answers and gold mean log-probabilities for `items`, under `edit` when given. */
export async function answerPrompts(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  items: readonly PromptToAnswer[],
  edit?: LowRankEdit,
  signal?: AbortSignal,
): Promise<PromptAnswer[]> {
  if (items.length === 0) return [];
  const rows = items.map((q) => ({
    prompt: tokenizer.encode(q.prompt, { addSpecialTokens: true }),
    answer: answerIds(tokenizer, q.answer),
  }));
  const longest = maxOf(rows.map((r) => r.answer.length));
  const predictions = await greedyAnswers(
    model,
    tokenizer,
    rows.map((r) => r.prompt),
    { maxNewTokens: longest + 2, ...(edit ? { edit } : {}), ...(signal ? { signal } : {}) },
  );
  signal?.throwIfAborted();
  const logprobs = await goldMeanLogprobs(model, rows, edit);
  return predictions.map((prediction, i) => ({ prediction, logprob: logprobs[i] as number }));
}

/**
 * Greedy answers to encoded prompts (BOS included) as text: at most `maxNewTokens` new tokens, stopping at
 * EOS, cut at the first newline and trimmed. The one decoding rule of every accuracy we print (the quality
 * gate, edit reports, `propmend eval`).
 */
export async function greedyAnswers(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  prompts: readonly (readonly number[])[],
  options: {
    maxNewTokens: number;
    batchSize?: number;
    edit?: LowRankEdit;
    /** Per-prompt rank gates of `edit` (one batch with and without it). */
    gates?: EditGates;
    signal?: AbortSignal;
  },
): Promise<string[]> {
  const generated = await generateGreedy(model, prompts, {
    batchSize: BATCH,
    ...options,
  });
  return generated.map((g) => cutAtStop(tokenizer.decode(g.ids, { skipSpecialTokens: true }), ['\n']).trim());
}
