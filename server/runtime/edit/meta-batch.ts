// Host-side batches of the meta objective: the propagation (or verbatim) questions of one instance, each
// BOS + question + " " + answer + EOS with the answer tokens and EOS scored, and unrelated locality rows
// (BOS + text, every real token compared), left-padded together into one batch, with the pre-edit
// log-probabilities of the locality rows. Pure arrays plus one unedited forward pass over the locality rows.
import { floatTensor, type HostTensor, int64Tensor } from '../ir/dtype';
import type { LanguageModel } from '../models/language-model';
import { attentionBias, nextTokenTargets, padLeft, positionIds, rotaryTables } from '../tasks/batch';
import { runForward } from '../tasks/forward';

/** A question row: prompt tokens (with BOS) followed by answer tokens + EOS; `answerLength` counts the latter. */
export interface QuestionRow {
  readonly ids: readonly number[];
  readonly answerLength: number;
}

export interface MetaBatchFeeds {
  readonly feeds: Record<string, HostTensor>;
  readonly questions: number;
  readonly localityRows: number;
}

/** Question row for `question` and `answer` (answer tokenised alone with a leading space, as the reference). */
export function questionRow(
  encode: (text: string, special: boolean) => number[],
  eos: number,
  question: string,
  answer: string,
): QuestionRow {
  const prompt = encode(question, true);
  const spaced = answer.startsWith(' ') ? answer : ` ${answer}`;
  const answerIds = [...encode(spaced, false), eos];
  return { ids: [...prompt, ...answerIds], answerLength: answerIds.length };
}

/** Left-pads questions and locality rows into one batch and computes the pre-edit locality log-probs. */
export async function metaBatch(
  model: LanguageModel,
  questions: readonly QuestionRow[],
  locality: ReadonlyArray<readonly number[]>,
): Promise<MetaBatchFeeds> {
  if (questions.length === 0) throw new Error('an edit instance needs at least one outer-loss question');
  if (locality.length === 0) throw new Error('the locality loss needs at least one row');
  const rows = [...questions.map((q) => q.ids), ...locality];
  const batch = padLeft(rows, model.tokens.pad);
  const { dtype } = model;
  const targets = nextTokenTargets(dtype, batch, (b, t) => {
    const q = questions[b];
    return q !== undefined && t >= batch.length - q.answerLength;
  });
  const locMask = new Array<number>(batch.batch * batch.length).fill(0);
  for (let b = questions.length; b < batch.batch; b++)
    for (let t = 0; t < batch.length; t++)
      locMask[b * batch.length + t] = batch.mask[b * batch.length + t] as number;
  // Only the locality rows' pre-edit distributions are used: run the unedited model on those rows alone,
  // padded to the batch's length so their positions (and so their logits) are the ones the batch has.
  const cells = batch.length;
  const first = questions.length * cells;
  const pre = await runForward(model, {
    batch: locality.length,
    length: cells,
    ids: batch.ids.slice(first),
    mask: batch.mask.slice(first),
  });
  const vocab = model.config.vocabSize;
  const logpPre = new Float32Array(batch.batch * cells * vocab);
  const logits = pre.logits.data;
  for (let row = 0; row < locality.length * cells; row++) {
    const o = row * vocab;
    let max = Number.NEGATIVE_INFINITY;
    for (let v = 0; v < vocab; v++) max = Math.max(max, logits[o + v] as number);
    let sum = 0;
    for (let v = 0; v < vocab; v++) sum += Math.exp((logits[o + v] as number) - max);
    const lse = max + Math.log(sum);
    for (let v = 0; v < vocab; v++) logpPre[first * vocab + o + v] = (logits[o + v] as number) - lse;
  }
  const { cos, sin } = rotaryTables(dtype, positionIds(batch.mask, batch.batch), batch.batch, model.invFreq);
  return {
    feeds: {
      input_ids: int64Tensor([batch.batch, batch.length], batch.ids),
      attn_bias: attentionBias(dtype, batch.batch, batch.length, batch.mask),
      rope_cos: cos,
      rope_sin: sin,
      targets: targets.targets,
      edit_mask: targets.lossMask,
      loc_mask: floatTensor(dtype, [batch.batch, batch.length], locMask),
      logp_pre: floatTensor(dtype, [batch.batch, batch.length, vocab], logpPre),
    },
    questions: questions.length,
    localityRows: locality.length,
  };
}
