// Pretraining as a job: reads a world's corpus and tokenizer, trains with a recipe (checkpoints in
// OUT.training/, resumed after a kill or a cancel), and saves an HF model folder with training.json
// (recipe, corpus hash, losses, environment). Re-running a finished run reports it complete instead of
// failing. `propmend pretrain` is its CLI adapter; the loop itself is server/runtime/train/pretrain.ts.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { claimOutput, OutputError, removeStaleTemps, watchTemps } from '../common/output';
import { CheckpointError } from '../runtime/load/format';
import { type SaveDType, saveCheckpoint } from '../runtime/models/checkpoint';
import { parameterNames } from '../runtime/models/registry';
import type { Runtime } from '../runtime/session/runtime';
import { FileCheckpointStore } from '../runtime/train/checkpoint-store';
import { CorpusError, readCorpus } from '../runtime/train/corpus';
import {
  CheckpointMismatch,
  llamaConfig,
  type PretrainRecipe,
  pretrain,
  TrainingCancelled,
  type TrainingState,
  totalSteps,
} from '../runtime/train/pretrain';
import { JobCancelled, type JobContext, JobInputError } from './context';
import { runEnvironment } from './environment';
import { loadTokenizerForJob } from './load';

export interface PretrainParams {
  /** A world folder: corpus.jsonl and a tokenizer (in tokenizer/ or the folder itself). */
  readonly world: string;
  /** The model folder to write; its checkpoints go to OUT.training/. */
  readonly out: string;
  readonly recipeName: string;
  readonly recipe: PretrainRecipe;
  readonly saveDtype: SaveDType;
  /** Discard an existing checkpoint instead of resuming. */
  readonly fresh?: boolean;
  /** Replace an existing model folder (and train even when it already holds this run's result). */
  readonly force?: boolean;
  /** How to run this again, recorded in training.json. */
  readonly rebuild: string;
}

export interface PretrainResult {
  readonly out: string;
  readonly steps: number;
  /** Mean loss of the last epoch (of the steps run, when the run stopped inside an epoch). */
  readonly finalEpochLoss: number | null;
  /** Steps the last epoch had when the run stopped inside it (max steps); null after whole epochs. */
  readonly finalEpochSteps: number | null;
  readonly trainSeconds: number;
  /** True when OUT already held this run's finished model and nothing was trained. */
  readonly alreadyComplete: boolean;
}

/** Where a world keeps its tokenizer: a tokenizer/ subfolder, else the world folder itself. */
export function worldTokenizerDir(world: string): string {
  const sub = join(world, 'tokenizer');
  return existsSync(join(sub, 'tokenizer.json')) ? sub : world;
}

/** The training.json of a finished model folder, or null when there is none or it does not parse. */
function finishedRun(
  out: string,
): { recipeHash?: unknown; steps?: unknown; finalEpochLoss?: unknown } | null {
  try {
    return JSON.parse(readFileSync(join(out, 'training.json'), 'utf8'));
  } catch {
    return null;
  }
}

function lastEpoch(state: TrainingState): { loss: number | null; partialSteps: number | null } {
  if (state.epochLossCount > 0)
    return { loss: state.epochLossSum / state.epochLossCount, partialSteps: state.epochLossCount };
  return { loss: state.epochLosses[state.epochLosses.length - 1] ?? null, partialSteps: null };
}

export async function pretrainJob(
  params: PretrainParams,
  runtime: Runtime,
  ctx: JobContext,
): Promise<PretrainResult> {
  const world = resolve(params.world);
  const out = resolve(params.out);
  const trainingDir = `${out}.training`;
  const tokenizerDir = worldTokenizerDir(world);
  const tokenizer = await loadTokenizerForJob(tokenizerDir);
  let corpus: ReturnType<typeof readCorpus>;
  try {
    corpus = readCorpus(join(world, 'corpus.jsonl'), tokenizer);
  } catch (error) {
    if (error instanceof CorpusError) throw new JobInputError(error.message);
    throw error;
  }
  const { recipe } = params;
  const eos = tokenizer.eosTokenId as number;
  const tokens = { bos: tokenizer.bosTokenId, eos: [eos], pad: tokenizer.padTokenId ?? eos };
  const recipeHash = createHash('sha256')
    .update(JSON.stringify({ recipe, corpus: corpus.sha256, vocab: tokenizer.vocabSize, tokens }))
    .digest('hex');

  // A run killed after its model folder was renamed into place is finished: say so, and tidy up.
  const finished = existsSync(out) && !params.force ? finishedRun(out) : null;
  if (finished && finished.recipeHash === recipeHash && typeof finished.steps === 'number') {
    removeStaleTemps(out);
    rmSync(trainingDir, { recursive: true, force: true });
    ctx.log(`${out} already holds this run's finished model (recipe ${params.recipeName}); nothing to do`);
    return {
      out,
      steps: finished.steps,
      finalEpochLoss: typeof finished.finalEpochLoss === 'number' ? finished.finalEpochLoss : null,
      finalEpochSteps: null,
      trainSeconds: 0,
      alreadyComplete: true,
    };
  }
  claimOutput(out, {
    kind: 'folder',
    inputs: [world, tokenizerDir],
    ...(params.force ? { force: true } : {}),
  });
  if (existsSync(trainingDir) && !statSync(trainingDir).isDirectory())
    throw new OutputError(`${trainingDir} is a file; pretraining keeps its checkpoints in that folder`);
  const store = new FileCheckpointStore(trainingDir);
  if (params.fresh) store.clear();
  const total = totalSteps(corpus.sequences.length, recipe);
  ctx.log(
    `pretraining ${params.recipeName}: ${corpus.sequences.length} sequences, ${corpus.tokens} tokens, ${total} steps, ${runtime.threads} threads`,
  );
  let state: TrainingState;
  try {
    state = await pretrain({
      runtime,
      sequences: corpus.sequences,
      vocabSize: tokenizer.vocabSize,
      tokens,
      recipe,
      recipeHash,
      store,
      signal: ctx.signal,
      onResume: (step) => ctx.log(`resuming from the checkpoint at step ${step} in ${trainingDir}`),
      onStep: (r) =>
        ctx.progress({
          fraction: r.step / r.totalSteps,
          message: `step ${r.step}/${r.totalSteps} | epoch ${r.epoch + 1} | loss ${r.loss.toFixed(4)} | lr ${r.lr.toExponential(2)} | tok/s ${r.tokensPerSecond.toFixed(0)}`,
        }),
    });
  } catch (error) {
    if (error instanceof TrainingCancelled)
      throw new JobCancelled(`${error.message} (in ${trainingDir})`, 'run the same command to resume');
    if (error instanceof CheckpointMismatch)
      throw new JobInputError(
        `${trainingDir}: the checkpoint was written with other settings (recipe, steps, seed or corpus); run with the same flags to resume it, or pass --fresh to start over`,
      );
    throw error;
  }
  const config = llamaConfig(tokenizer.vocabSize, recipe.architecture, tokens);
  const last = lastEpoch(state);
  const training = {
    recipeName: params.recipeName,
    recipe,
    recipeHash,
    corpus: {
      file: 'corpus.jsonl',
      sha256: corpus.sha256,
      sequences: corpus.sequences.length,
      tokens: corpus.tokens,
      kinds: corpus.kinds,
    },
    steps: state.step,
    epochLosses: state.epochLosses,
    finalEpochLoss: last.loss,
    ...(last.partialSteps !== null ? { finalEpochSteps: last.partialSteps } : {}),
    trainSeconds: Math.round(state.trainSeconds),
    savedDtype: params.saveDtype,
    rebuild: params.rebuild,
    environment: runEnvironment(runtime.threads),
  };
  const shapes = new Map(parameterNames(config).map((p) => [p.name, p.shape]));
  const weights = new Map(
    [...state.weights].map(([n, data]) => [n, { shape: shapes.get(n) ?? [data.length], data }]),
  );
  watchTemps(out);
  try {
    saveCheckpoint(out, config, weights, {
      dtype: params.saveDtype,
      tokenizerFrom: tokenizerDir,
      overwrite: Boolean(params.force),
      extraFiles: { 'training.json': `${JSON.stringify(training, null, 2)}\n` },
    });
  } catch (error) {
    if (error instanceof CheckpointError)
      throw new JobInputError(`${error.message} (the checkpoint in ${trainingDir} is kept)`);
    throw error;
  }
  store.clear();
  rmSync(trainingDir, { recursive: true, force: true });
  return {
    out,
    steps: state.step,
    finalEpochLoss: last.loss,
    finalEpochSteps: last.partialSteps,
    trainSeconds: training.trainSeconds,
    alreadyComplete: false,
  };
}
