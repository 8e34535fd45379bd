// The pretraining loop for a small Llama-architecture decoder on a tokenised corpus: deterministic
// initialisation and data order from one seed, AdamW with warm-up and cosine decay, length-bucketed
// padded batches, periodic checkpoints and resume, cancellation that checkpoints before it stops.
// Reads no files itself: the caller supplies sequences and a checkpoint store.
import { maxOf } from '../../common/arrays';
import { Rng } from '../../common/random';
import type { FloatDType, HostTensor } from '../ir/dtype';
import type { ModelConfig } from '../models/config';
import type { LanguageModel, SpecialTokens } from '../models/language-model';
import { normalizeConfig, parameterNames } from '../models/registry';
import { ropeInverseFrequencies } from '../models/rope';
import type { Runtime } from '../session/runtime';
import { nextTokenTargets, padLeft } from '../tasks/batch';
import { gradientBuffers, lossGradients } from '../tasks/objectives';
import { type AdamWConfig, type AdamWState, adamwStep, DEFAULT_ADAMW, newAdamWState } from './adamw';
import { type CosineSchedule, learningRate } from './schedule';

export interface ArchitectureRecipe {
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  readonly numKvHeads: number;
  readonly ropeTheta: number;
  readonly rmsNormEps: number;
  readonly maxPositionEmbeddings: number;
  readonly tieWordEmbeddings: boolean;
  /** Standard deviation of the normal initialisation of matrices (norm weights start at 1). */
  readonly initStd: number;
}

export interface PretrainRecipe {
  readonly seed: number;
  readonly architecture: ArchitectureRecipe;
  readonly batchSize: number;
  readonly epochs: number;
  /** Stop after this many steps even if epochs remain (smoke runs). */
  readonly maxSteps?: number;
  readonly peakLr: number;
  readonly warmupSteps: number;
  readonly floorRatio: number;
  readonly weightDecay: number;
  readonly clipNorm: number;
  readonly beta2: number;
  /** Save a resumable checkpoint every this many steps. */
  readonly checkpointEvery: number;
}

/** Everything a resumed run needs; tensors are Float32. */
export interface TrainingState {
  readonly recipeHash: string;
  step: number;
  readonly weights: Map<string, Float32Array>;
  readonly optimizer: AdamWState;
  /** Mean loss of each finished epoch. */
  readonly epochLosses: number[];
  /** Sum and count of the current epoch's step losses. */
  epochLossSum: number;
  epochLossCount: number;
  /** Wall time spent training so far (seconds), across resumes. */
  trainSeconds: number;
}

export interface CheckpointStore {
  load(): Promise<TrainingState | null>;
  save(state: TrainingState): Promise<void>;
}

export interface StepReport {
  readonly step: number;
  readonly totalSteps: number;
  readonly epoch: number;
  readonly loss: number;
  readonly lr: number;
  readonly tokensPerSecond: number;
}

export interface PretrainRun {
  readonly runtime: Runtime;
  readonly sequences: readonly (readonly number[])[];
  readonly vocabSize: number;
  readonly tokens: SpecialTokens;
  readonly recipe: PretrainRecipe;
  readonly recipeHash: string;
  readonly store: CheckpointStore;
  readonly signal?: AbortSignal;
  readonly onStep?: (report: StepReport) => void;
  readonly onCheckpoint?: (step: number) => void;
  /** Called once when training continues from a stored checkpoint. */
  readonly onResume?: (step: number) => void;
}

export class TrainingCancelled extends Error {
  override name = 'TrainingCancelled';
  constructor(readonly step: number) {
    super(`training cancelled at step ${step}; the checkpoint at that step resumes it`);
  }
}

/** The stored checkpoint belongs to another recipe or corpus: the caller's input, not a bug. */
export class CheckpointMismatch extends Error {
  override name = 'CheckpointMismatch';
  constructor() {
    super(
      'the checkpoint was written by a different recipe or corpus; delete it or use the same settings to resume',
    );
  }
}

/** The Llama config.json a recipe trains (special token ids from the tokenizer), normalised. */
export function llamaConfig(vocabSize: number, a: ArchitectureRecipe, tokens: SpecialTokens): ModelConfig {
  if (a.hiddenSize % a.numHeads !== 0)
    throw new Error(`hidden size ${a.hiddenSize} is not divisible by ${a.numHeads} heads`);
  if (a.numHeads % a.numKvHeads !== 0)
    throw new Error(`${a.numHeads} heads are not a multiple of ${a.numKvHeads} key/value heads`);
  return normalizeConfig(
    {
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      vocab_size: vocabSize,
      hidden_size: a.hiddenSize,
      intermediate_size: a.intermediateSize,
      num_hidden_layers: a.numLayers,
      num_attention_heads: a.numHeads,
      num_key_value_heads: a.numKvHeads,
      hidden_act: 'silu',
      max_position_embeddings: a.maxPositionEmbeddings,
      rms_norm_eps: a.rmsNormEps,
      rope_theta: a.ropeTheta,
      rope_scaling: null,
      tie_word_embeddings: a.tieWordEmbeddings,
      attention_bias: false,
      mlp_bias: false,
      initializer_range: a.initStd,
      bos_token_id: tokens.bos,
      eos_token_id: tokens.eos.length === 1 ? tokens.eos[0] : tokens.eos,
      pad_token_id: tokens.pad,
    },
    'pretraining recipe',
  );
}

/** Deterministic initial weights: N(0, initStd) matrices, unit norm weights. */
export function initialWeights(config: ModelConfig, recipe: PretrainRecipe): Map<string, Float32Array> {
  const rng = new Rng(recipe.seed).fork('init');
  const weights = new Map<string, Float32Array>();
  for (const { name, shape } of parameterNames(config)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (name.endsWith('norm.weight')) data.fill(1);
    else for (let i = 0; i < data.length; i++) data[i] = recipe.architecture.initStd * rng.normal();
    weights.set(name, data);
  }
  return weights;
}

/**
 * The batches of one epoch: a seeded shuffle, then chunks of 16 batches sorted by length so padding
 * stays small, then the batch order shuffled again. Same seed and epoch, same batches.
 */
export function epochBatches(
  lengths: readonly number[],
  batchSize: number,
  seed: number,
  epoch: number,
): number[][] {
  const rng = new Rng(seed).fork(`epoch-${epoch}`);
  const order = rng.shuffle(lengths.map((_, i) => i));
  const chunk = batchSize * 16;
  const batches: number[][] = [];
  for (let start = 0; start < order.length; start += chunk) {
    const sorted = order
      .slice(start, start + chunk)
      .sort((a, b) => (lengths[a] as number) - (lengths[b] as number) || a - b);
    for (let i = 0; i < sorted.length; i += batchSize) batches.push(sorted.slice(i, i + batchSize));
  }
  return rng.shuffle(batches);
}

export function totalSteps(sequenceCount: number, recipe: PretrainRecipe): number {
  const perEpoch = Math.ceil(sequenceCount / recipe.batchSize);
  const all = perEpoch * recipe.epochs;
  return recipe.maxSteps !== undefined ? Math.min(all, recipe.maxSteps) : all;
}

/** A LanguageModel view over the training weights (shared arrays, so updates are visible). */
export function modelOver(
  run: Pick<PretrainRun, 'runtime' | 'vocabSize' | 'tokens' | 'recipe'>,
  weights: ReadonlyMap<string, Float32Array>,
): LanguageModel {
  const config = llamaConfig(run.vocabSize, run.recipe.architecture, run.tokens);
  const hostWeights = new Map<string, HostTensor<FloatDType>>();
  for (const { name, shape } of parameterNames(config)) {
    const data = weights.get(name);
    if (!data) throw new Error(`training weights lack ${name}`);
    hostWeights.set(name, { dtype: 'float32', shape: shape.slice(), data });
  }
  return {
    source: 'pretraining',
    config,
    dtype: 'float32',
    weights: hostWeights,
    tokens: run.tokens,
    invFreq: ropeInverseFrequencies(config),
    runtime: run.runtime,
  };
}

/** Runs (or resumes) pretraining to the end; returns the final state. */
export async function pretrain(run: PretrainRun): Promise<TrainingState> {
  const { recipe } = run;
  const config = llamaConfig(run.vocabSize, recipe.architecture, run.tokens);
  const longest = maxOf(run.sequences.map((s) => s.length));
  if (longest > recipe.architecture.maxPositionEmbeddings) {
    throw new Error(
      `a training sequence has ${longest} tokens, more than max_position_embeddings ${recipe.architecture.maxPositionEmbeddings}`,
    );
  }
  let state = await run.store.load();
  if (state && state.recipeHash !== run.recipeHash) throw new CheckpointMismatch();
  if (state) run.onResume?.(state.step);
  else {
    const weights = initialWeights(config, recipe);
    state = {
      recipeHash: run.recipeHash,
      step: 0,
      weights,
      optimizer: newAdamWState(weights),
      epochLosses: [],
      epochLossSum: 0,
      epochLossCount: 0,
      trainSeconds: 0,
    };
  }
  const model = modelOver(run, state.weights);
  const names = [...state.weights.keys()];
  const gradientInto = gradientBuffers(model, names);
  const lengths = run.sequences.map((s) => s.length);
  const perEpoch = Math.ceil(run.sequences.length / recipe.batchSize);
  const total = totalSteps(run.sequences.length, recipe);
  const schedule: CosineSchedule = {
    peak: recipe.peakLr,
    warmupSteps: recipe.warmupSteps,
    totalSteps: total,
    floorRatio: recipe.floorRatio,
  };
  const adamw: AdamWConfig = {
    ...DEFAULT_ADAMW,
    weightDecay: recipe.weightDecay,
    clipNorm: recipe.clipNorm,
    beta2: recipe.beta2,
  };
  let batches: number[][] = [];
  let batchesEpoch = -1;
  let windowTokens = 0;
  let windowStart = performance.now();
  let segmentStart = performance.now();
  const checkpoint = async () => {
    const now = performance.now();
    (state as TrainingState).trainSeconds += (now - segmentStart) / 1000;
    segmentStart = now;
    await run.store.save(state as TrainingState);
    run.onCheckpoint?.((state as TrainingState).step);
  };

  while (state.step < total) {
    if (run.signal?.aborted) {
      await checkpoint();
      throw new TrainingCancelled(state.step);
    }
    const epoch = Math.floor(state.step / perEpoch);
    if (epoch !== batchesEpoch) {
      batches = epochBatches(lengths, recipe.batchSize, recipe.seed, epoch);
      batchesEpoch = epoch;
    }
    const indices = batches[state.step % perEpoch] as number[];
    const batch = padLeft(
      indices.map((i) => run.sequences[i] as number[]),
      run.tokens.pad,
    );
    const targets = nextTokenTargets('float32', batch);
    const { loss, gradients } = await lossGradients(model, batch, targets, names, { into: gradientInto });
    const lr = learningRate(schedule, state.step);
    const grads = new Map<string, Float32Array>();
    for (const [n, t] of gradients) grads.set(n, t.data as Float32Array);
    const norm = adamwStep(state.optimizer, state.weights, grads, lr, adamw);
    if (!Number.isFinite(norm) || !Number.isFinite(loss)) {
      throw new Error(
        `training diverged at step ${state.step} (loss ${loss}, gradient norm ${norm}); lower the learning rate`,
      );
    }
    state.step += 1;
    state.epochLossSum += loss;
    state.epochLossCount += 1;
    if (state.step % perEpoch === 0) {
      state.epochLosses.push(state.epochLossSum / state.epochLossCount);
      state.epochLossSum = 0;
      state.epochLossCount = 0;
    }
    windowTokens += targets.count;
    const now = performance.now();
    const tokensPerSecond = (windowTokens / Math.max(1, now - windowStart)) * 1000;
    if (now - windowStart > 10_000) {
      windowTokens = 0;
      windowStart = now;
    }
    run.onStep?.({ step: state.step, totalSteps: total, epoch, loss, lr, tokensPerSecond });
    if (state.step % recipe.checkpointEvery === 0 || state.step === total) await checkpoint();
  }
  return state;
}
