// Named pretraining recipes: the shipped tiny-world model's and a seconds-long smoke recipe for CI.
// Plain frozen data; the loop is pretrain.ts, the command is server/cli/commands/pretrain.ts.
import type { PretrainRecipe } from './pretrain';

export const RECIPES = Object.freeze({
  /** The recipe that built assets/models/tiny-world (about 2M parameters). */
  'tiny-world': {
    seed: 20260101,
    architecture: {
      hiddenSize: 192,
      intermediateSize: 512,
      numLayers: 4,
      numHeads: 6,
      numKvHeads: 2,
      ropeTheta: 10000,
      rmsNormEps: 1e-5,
      maxPositionEmbeddings: 128,
      tieWordEmbeddings: true,
      initStd: 0.02,
    },
    batchSize: 64,
    epochs: 60,
    peakLr: 3e-3,
    warmupSteps: 200,
    floorRatio: 0.1,
    weightDecay: 0.1,
    clipNorm: 1,
    beta2: 0.95,
    checkpointEvery: 200,
  },
  /** A few dozen steps of a very small model: checks that the loop runs and the loss falls. */
  smoke: {
    seed: 7,
    architecture: {
      hiddenSize: 32,
      intermediateSize: 64,
      numLayers: 2,
      numHeads: 4,
      numKvHeads: 2,
      ropeTheta: 10000,
      rmsNormEps: 1e-5,
      maxPositionEmbeddings: 128,
      tieWordEmbeddings: true,
      initStd: 0.05,
    },
    batchSize: 32,
    epochs: 100,
    maxSteps: 40,
    peakLr: 1e-2,
    warmupSteps: 5,
    floorRatio: 0.1,
    weightDecay: 0.01,
    clipNorm: 1,
    beta2: 0.95,
    checkpointEvery: 20,
  },
} satisfies Record<string, PretrainRecipe>);

export type RecipeName = keyof typeof RECIPES;
export const RECIPE_NAMES = Object.keys(RECIPES) as RecipeName[];
