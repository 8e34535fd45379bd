// Turns an edit instance into token rows: the inner example (CLM over BOS + fact + EOS, or SFT over the
// verbatim question/answer pairs), the outer-loss questions (all propagation questions for PropMEND, the
// verbatim ones for MEND), and locality rows drawn from texts that do not mention the instance's entities.

import type { Rng } from '../../common/random';
import type { TextTokenizer } from '../../common/tokenizer';
import type { LanguageModel } from '../models/language-model';
import type { InnerExample } from './factors';
import type { InnerLoss } from './hypernetwork';
import type { EditInstance } from './instances';
import { type QuestionRow, questionRow } from './meta-batch';

export const OUTER_LOSSES = ['propagation', 'direct'] as const;
/** propagation: every propagation question (PropMEND); direct: the verbatim ones only (MEND). */
export type OuterLoss = (typeof OUTER_LOSSES)[number];

export function encoder(tokenizer: TextTokenizer): (text: string, special: boolean) => number[] {
  return (text, special) => tokenizer.encode(text, { addSpecialTokens: special });
}

function eosOf(model: LanguageModel): number {
  const eos = model.tokens.eos[0];
  if (eos === undefined)
    throw new Error('the model config names no EOS token; PropMEND appends EOS to the fact');
  return eos;
}

export function innerExample(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  instance: Pick<EditInstance, 'fact' | 'questions'>,
  loss: InnerLoss,
): InnerExample {
  const encode = encoder(tokenizer);
  const eos = eosOf(model);
  if (loss === 'clm') {
    const ids = [...encode(instance.fact, true), eos];
    if (ids.length < 2) throw new Error('the fact is empty');
    return { rows: [ids], scoredFrom: [1] };
  }
  const verbatim = instance.questions.filter((q) => q.kind === 'verbatim');
  if (verbatim.length === 0)
    throw new Error('the sft inner loss needs verbatim question/answer pairs; this instance has none');
  const rows = verbatim.map((q) => questionRow(encode, eos, q.question, q.answer));
  return { rows: rows.map((r) => r.ids), scoredFrom: rows.map((r) => r.ids.length - r.answerLength) };
}

export function outerQuestions(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  instance: EditInstance,
  outer: OuterLoss,
): QuestionRow[] {
  const encode = encoder(tokenizer);
  const eos = eosOf(model);
  return instance.questions
    .filter((q) => (outer === 'direct' ? q.kind === 'verbatim' : q.kind !== 'locality'))
    .map((q) => questionRow(encode, eos, q.question, q.answer));
}

/** `count` texts chosen by `rng` among those mentioning none of the entities, BOS-tokenised, no EOS. */
export function localityRows(
  tokenizer: TextTokenizer,
  texts: readonly string[],
  entities: readonly string[],
  count: number,
  rng: Rng,
): number[][] {
  const rows: number[][] = [];
  for (let attempt = 0; rows.length < count && attempt < count * 50; attempt++) {
    const text = texts[rng.int(texts.length)] as string;
    if (entities.some((e) => text.includes(e))) continue;
    rows.push(tokenizer.encode(text, { addSpecialTokens: true }));
  }
  if (rows.length === 0) throw new Error("no locality text avoids the instance's entities");
  return rows;
}
