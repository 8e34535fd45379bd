// The embedded world's quality gate: greedy exact-match accuracy of a base model on the corpus' 1-hop
// questions (kind qa1) and 2-hop questions about known people (qa2), and on the propagation questions of the
// test splits before any edit, against the majority-answer chance baseline, and with the new fact in context
// (the Prepend baseline, reported but not gated). The questions come from the dataset model (server/dataset).
import { maxOf, pushAll } from '../../common/arrays';
import type { TextTokenizer } from '../../common/tokenizer';
import { type EvalQuestion, TEST_SPLITS, type WorldQuestions } from '../../dataset/index';
import type { LanguageModel } from '../models/language-model';
import { greedyAnswers } from './answer-prompts';
import { exactMatch, majorityBaseline } from './answers';

// The world's questions are read by the dataset model; re-exported for the gate's callers.
export { readWorldQuestions, TEST_SPLITS, WorldFileError, type WorldQuestions } from '../../dataset/index';

/** Thresholds of the gate (issue: 1-hop >= 95%, 2-hop >= 85%, propagation before edit <= chance + 5 points). */
export const GATE = { oneHop: 0.95, twoHopKnown: 0.85, propagationMargin: 0.05 } as const;

export interface Accuracy {
  readonly correct: number;
  readonly n: number;
  readonly accuracy: number;
}

/** Greedy answers to each question (prompt with BOS, stop at EOS), scored by exact match. */
export async function answerAccuracy(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  questions: readonly EvalQuestion[],
  options: { batchSize?: number; onProgress?: (done: number) => void; signal?: AbortSignal } = {},
): Promise<Accuracy & { predictions: string[] }> {
  const longest = Math.max(
    1,
    maxOf(questions.map((q) => tokenizer.encode(` ${q.answer}`, { addSpecialTokens: false }).length)),
  );
  const predictions: string[] = [];
  const chunk = 256;
  for (let i = 0; i < questions.length; i += chunk) {
    const part = questions.slice(i, i + chunk);
    const answers = await greedyAnswers(
      model,
      tokenizer,
      part.map((q) => tokenizer.encode(q.prompt, { addSpecialTokens: true })),
      {
        maxNewTokens: longest + 2,
        ...(options.batchSize ? { batchSize: options.batchSize } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    pushAll(predictions, answers);
    options.onProgress?.(i + part.length);
  }
  const correct = questions.filter((q, k) =>
    exactMatch(predictions[k] as string, q.answer, q.aliases),
  ).length;
  return {
    correct,
    n: questions.length,
    accuracy: questions.length ? correct / questions.length : 0,
    predictions,
  };
}

export interface WorldEvaluation {
  readonly one_hop: number;
  readonly two_hop_known: number;
  readonly propagation_before_edit: number;
  readonly propagation_chance: number;
  /** Accuracy on the same questions with the edit's fact prepended to the prompt (no gate). */
  readonly propagation_prepend: number;
  readonly n: { one_hop: number; two_hop_known: number; propagation: number };
  readonly per_split: Record<string, { accuracy: number; chance: number; prepend: number; n: number }>;
  readonly gate: { passed: boolean; failures: string[] };
}

export async function evaluateWorld(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  questions: WorldQuestions,
  options: {
    batchSize?: number;
    onProgress?: (done: number, total: number) => void;
    signal?: AbortSignal;
  } = {},
): Promise<WorldEvaluation> {
  const propagationAll = TEST_SPLITS.flatMap((s) => questions.propagation[s]);
  const total = worldQuestionCount(questions);
  let offset = 0;
  const run = async (qs: readonly EvalQuestion[]) => {
    const start = offset;
    const result = await answerAccuracy(model, tokenizer, qs, {
      ...options,
      onProgress: (done) => options.onProgress?.(start + done, total),
    });
    offset += qs.length;
    return result;
  };
  const oneHop = await run(questions.oneHop);
  const twoHop = await run(questions.twoHopKnown);
  const perSplit: WorldEvaluation['per_split'] = {};
  let propCorrect = 0;
  let prependCorrect = 0;
  for (const split of TEST_SPLITS) {
    const qs = questions.propagation[split];
    const r = await run(qs);
    const p = await run(qs.map(withFactInContext));
    propCorrect += r.correct;
    prependCorrect += p.correct;
    perSplit[split] = {
      accuracy: r.accuracy,
      chance: majorityBaseline(qs),
      prepend: p.accuracy,
      n: qs.length,
    };
  }
  const propagation = propagationAll.length ? propCorrect / propagationAll.length : 0;
  const chance = majorityBaseline(propagationAll);
  const failures: string[] = [];
  if (oneHop.accuracy < GATE.oneHop)
    failures.push(`1-hop accuracy ${pct(oneHop.accuracy)} < ${pct(GATE.oneHop)}`);
  if (twoHop.accuracy < GATE.twoHopKnown)
    failures.push(`2-hop (known people) accuracy ${pct(twoHop.accuracy)} < ${pct(GATE.twoHopKnown)}`);
  if (propagation > chance + GATE.propagationMargin) {
    failures.push(
      `propagation before any edit ${pct(propagation)} > chance ${pct(chance)} + ${pct(GATE.propagationMargin)}`,
    );
  }
  return {
    one_hop: oneHop.accuracy,
    two_hop_known: twoHop.accuracy,
    propagation_before_edit: propagation,
    propagation_chance: chance,
    propagation_prepend: propagationAll.length ? prependCorrect / propagationAll.length : 0,
    n: { one_hop: oneHop.n, two_hop_known: twoHop.n, propagation: propagationAll.length },
    per_split: perSplit,
    gate: { passed: failures.length === 0, failures },
  };
}

/** The number of generations `evaluateWorld` runs (propagation questions twice: closed book and Prepend). */
export function worldQuestionCount(questions: WorldQuestions): number {
  const propagation = TEST_SPLITS.reduce((n, s) => n + questions.propagation[s].length, 0);
  return questions.oneHop.length + questions.twoHopKnown.length + 2 * propagation;
}

/** The Prepend baseline's prompt: the fact, then the question, as in the corpus' reading examples. */
export function withFactInContext(q: EvalQuestion): EvalQuestion {
  return q.fact === undefined ? q : { ...q, prompt: `${q.fact} ${q.prompt}` };
}

export function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
