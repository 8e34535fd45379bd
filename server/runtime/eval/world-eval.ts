// The embedded world's quality gate: greedy exact-match accuracy of a base model on the corpus' 1-hop
// questions (kind qa1) and 2-hop questions about known people (qa2), and on the propagation questions of the
// test splits before any edit, against the majority-answer chance baseline, and with the new fact in context
// (the Prepend baseline, reported but not gated). Reads the world's files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TextTokenizer } from '../../common/tokenizer';
import type { LanguageModel } from '../models/language-model';
import { cutAtStop, generateGreedy } from '../tasks/generate';
import { exactMatch, majorityBaseline } from './answers';

export const TEST_SPLITS = [
  'test-in-domain',
  'test-ood-entity',
  'test-ood-relation',
  'test-ood-both',
] as const;

/** Thresholds of the gate (issue: 1-hop >= 95%, 2-hop >= 85%, propagation before edit <= chance + 5 points). */
export const GATE = { oneHop: 0.95, twoHopKnown: 0.85, propagationMargin: 0.05 } as const;

export interface Question {
  readonly prompt: string;
  readonly answer: string;
  readonly aliases: readonly string[];
  /** Chance-baseline group (the relation path for propagation questions). */
  readonly group: string;
  /** The edit's fact, for propagation questions: prepended to the prompt by the Prepend baseline. */
  readonly fact?: string;
}

export interface WorldQuestions {
  readonly oneHop: Question[];
  readonly twoHopKnown: Question[];
  readonly propagation: Record<(typeof TEST_SPLITS)[number], Question[]>;
}

export class WorldFileError extends Error {
  override name = 'WorldFileError';
}

function jsonLines(file: string): Array<{ line: number; value: Record<string, unknown> }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new WorldFileError(
      `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); is this a world folder built by \`propmend world build\`?`,
    );
  }
  return text.split('\n').flatMap((raw, i) => {
    if (raw.trim() === '') return [];
    try {
      return [{ line: i + 1, value: JSON.parse(raw) as Record<string, unknown> }];
    } catch (error) {
      throw new WorldFileError(
        `${file}:${i + 1}: not valid JSON (${(error as Error).message}); run \`propmend check ${file}\``,
      );
    }
  });
}

function str(file: string, line: number, value: unknown, field: string): string {
  if (typeof value !== 'string')
    throw new WorldFileError(`${file}:${line}: "${field}" must be a string; run \`propmend check ${file}\``);
  return value;
}

/** Reads the evaluation questions from a world folder (corpus.jsonl and splits/*.ripple.jsonl). */
export function readWorldQuestions(world: string): WorldQuestions {
  const corpus = join(world, 'corpus.jsonl');
  const oneHop: Question[] = [];
  const twoHopKnown: Question[] = [];
  for (const { line, value } of jsonLines(corpus)) {
    if (value.kind !== 'qa1' && value.kind !== 'qa2') continue;
    const q: Question = {
      prompt: str(corpus, line, value.prompt, 'prompt'),
      answer: str(corpus, line, value.answer, 'answer'),
      aliases: [],
      group: String(value.kind),
    };
    (value.kind === 'qa1' ? oneHop : twoHopKnown).push(q);
  }
  const propagation = {} as WorldQuestions['propagation'];
  for (const split of TEST_SPLITS) {
    const file = join(world, 'splits', `${split}.ripple.jsonl`);
    propagation[split] = jsonLines(file).flatMap(({ line, value }) => {
      const questions = value.propagation;
      if (!Array.isArray(questions))
        throw new WorldFileError(`${file}:${line}: "propagation" must be a list`);
      const fact = str(file, line, value.fact, 'fact');
      return questions.map((q: Record<string, unknown>) => ({
        fact,
        prompt: str(file, line, q.question, 'question'),
        answer: str(file, line, q.answer, 'answer'),
        aliases: Array.isArray(q.aliases) ? q.aliases.filter((a): a is string => typeof a === 'string') : [],
        group: Array.isArray(q.path) ? q.path.join('/') : 'unknown',
      }));
    });
  }
  if (oneHop.length === 0 || twoHopKnown.length === 0) {
    throw new WorldFileError(
      `${corpus} has no qa1 or qa2 lines; the gate needs both (rebuild the world with \`propmend world build\`)`,
    );
  }
  return { oneHop, twoHopKnown, propagation };
}

export interface Accuracy {
  readonly correct: number;
  readonly n: number;
  readonly accuracy: number;
}

/** Greedy answers to each question (prompt with BOS, stop at EOS), scored by exact match. */
export async function answerAccuracy(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  questions: readonly Question[],
  options: { batchSize?: number; onProgress?: (done: number) => void; signal?: AbortSignal } = {},
): Promise<Accuracy & { predictions: string[] }> {
  const longest = Math.max(
    1,
    ...questions.map((q) => tokenizer.encode(` ${q.answer}`, { addSpecialTokens: false }).length),
  );
  const predictions: string[] = [];
  const chunk = 256;
  for (let i = 0; i < questions.length; i += chunk) {
    const part = questions.slice(i, i + chunk);
    const results = await generateGreedy(
      model,
      part.map((q) => tokenizer.encode(q.prompt, { addSpecialTokens: true })),
      {
        maxNewTokens: longest + 2,
        batchSize: options.batchSize ?? 64,
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    for (const r of results)
      predictions.push(cutAtStop(tokenizer.decode(r.ids, { skipSpecialTokens: true }), ['\n']).trim());
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
  const run = async (qs: readonly Question[]) => {
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
export function withFactInContext(q: Question): Question {
  return q.fact === undefined ? q : { ...q, prompt: `${q.fact} ${q.prompt}` };
}

export function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}
