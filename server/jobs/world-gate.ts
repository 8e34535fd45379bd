// The world quality gate as a job: load a base model, answer the world's 1-hop, 2-hop and propagation
// questions (all of them, or a fixed sample of each set for quick runs), and return the evaluation; with a
// result target, also write it as eval.json with its environment. `propmend world eval` and the demo
// run it; the scoring itself is server/runtime/eval/world-eval.ts.
import { dirname, relative, resolve } from 'node:path';
import type { TextTokenizer } from '../common/tokenizer';
import {
  evaluateWorld,
  readWorldQuestions,
  TEST_SPLITS,
  type WorldEvaluation,
  WorldFileError,
  type WorldQuestions,
} from '../runtime/eval/world-eval';
import type { LanguageModel } from '../runtime/models/language-model';
import type { Runtime } from '../runtime/session/runtime';
import { JobCancelled, type JobContext, JobInputError, phase } from './context';
import { runEnvironment } from './environment';
import { loadModelForJob } from './load';
import { claimResult, type ResultTarget } from './results';

export interface WorldGateParams {
  readonly modelDir: string;
  readonly world: string;
  /** Prompts per forward pass (default 64). */
  readonly batchSize?: number;
  /** At most this many questions of each set, evenly spread over it (default: every question). */
  readonly sample?: number;
  /** Where to write eval.json (results, sample size and environment); nothing is written without it. */
  readonly save?: ResultTarget;
}

export interface WorldGateResult {
  readonly evaluation: WorldEvaluation;
  /** The file written, when `save` was given. */
  readonly saved?: string;
}

/** The world's evaluation questions; a broken world folder is the user's input error. */
export function readGateQuestions(world: string): WorldQuestions {
  try {
    return readWorldQuestions(world);
  } catch (error) {
    if (error instanceof WorldFileError) throw new JobInputError(error.message);
    throw error;
  }
}

/** At most `n` items of `items`, evenly spread and in order (the same items for the same n, every run). */
export function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return items.slice();
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)] as T);
}

/** The fixed sample of every question set that `sample` selects. */
export function sampleQuestions(questions: WorldQuestions, n: number): WorldQuestions {
  const propagation = {} as WorldQuestions['propagation'];
  for (const split of TEST_SPLITS) propagation[split] = spread(questions.propagation[split], n);
  return {
    oneHop: spread(questions.oneHop, n),
    twoHopKnown: spread(questions.twoHopKnown, n),
    propagation,
  };
}

/** Runs the gate on a loaded model, with progress 0..1 over every generation and the job's cancellation. */
export async function gateOnModel(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  questions: WorldQuestions,
  ctx: JobContext,
  batchSize?: number,
): Promise<WorldEvaluation> {
  try {
    return await evaluateWorld(model, tokenizer, questions, {
      ...(batchSize !== undefined ? { batchSize } : {}),
      signal: ctx.signal,
      onProgress: (done, total) =>
        ctx.progress({ fraction: done / total, message: `${done}/${total} answers` }),
    });
  } catch (error) {
    if (ctx.signal.aborted) throw new JobCancelled('the quality gate was cancelled; nothing was written');
    throw error;
  }
}

/** The world quality gate of a model folder. */
export async function worldGateJob(
  params: WorldGateParams,
  runtime: Runtime,
  ctx: JobContext,
): Promise<WorldGateResult> {
  const modelDir = resolve(params.modelDir);
  const world = resolve(params.world);
  const all = readGateQuestions(world);
  const questions = params.sample !== undefined ? sampleQuestions(all, params.sample) : all;
  // The world is read; the model folder is read except a result written into it on purpose (--write).
  const claimed = params.save ? claimResult(params.save, [world]) : undefined;
  const { model, tokenizer } = await loadModelForJob(modelDir, runtime, phase(ctx, 0, 0.05, 'loading'));
  const evaluation = await gateOnModel(
    model,
    tokenizer,
    questions,
    phase(ctx, 0.05, 1, 'answering'),
    params.batchSize,
  );
  if (!claimed) return { evaluation };
  const here = dirname(claimed.file);
  claimed.write({
    ...(relative(here, modelDir) !== '' ? { model: relative(here, modelDir) } : {}),
    world: relative(here, world),
    ...evaluation,
    ...(params.sample !== undefined ? { sample: params.sample } : {}),
    environment: runEnvironment(runtime.threads),
  });
  ctx.log(`wrote ${claimed.file}`);
  return { evaluation, saved: claimed.file };
}
