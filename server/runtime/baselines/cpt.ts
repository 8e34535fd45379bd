// Continued pre-training (CPT) baselines: fine-tune on the fact text (BOS + fact + EOS, next-token loss) for a
// configured number of AdamW steps, on every parameter (`cpt-full`) or on the mid-upper MLPs only
// (`cpt-midupper`), changing the host weights in place; the caller evaluates, then restores them bit for bit.
// Gradients come from the runtime's lossGradients; the optimiser is train/adamw.ts.
import type { TextTokenizer } from '../../common/tokenizer';
import { presetLayers } from '../edit/layers';
import type { LanguageModel } from '../models/language-model';
import { MLP_MODULES, mlpLinearName } from '../models/transformer';
import { padLeft } from '../tasks/batch';
import { clmTargets, gradientBuffers, lossGradients } from '../tasks/objectives';
import { type AdamWConfig, adamwStep, newAdamWState } from '../train/adamw';
import { snapshotWeights, type WeightSnapshot } from './weights';

export const CPT_SCOPES = ['full', 'mid-upper'] as const;
export type CptScope = (typeof CPT_SCOPES)[number];

export interface CptConfig {
  readonly steps: number;
  readonly lr: number;
  readonly scope: CptScope;
}

/**
 * Defaults per scope for the shipped model, chosen on 20 validation instances (README, Baselines): full,
 * 10 steps at 1e-3 (verbatim 23%, non-verbatim 14%, specificity 100%; 3e-3 reached 38% verbatim but cost 20
 * points of specificity); mid-upper, 20 steps at 3e-3 (verbatim 18%; smaller rates left the model unchanged).
 */
export const CPT_DEFAULTS: Record<CptScope, Omit<CptConfig, 'scope'>> = {
  full: { steps: 10, lr: 1e-3 },
  'mid-upper': { steps: 20, lr: 3e-3 },
};

/** AdamW without weight decay (a few steps on one fact), gradients clipped to norm 1. */
const CPT_ADAMW: AdamWConfig = {
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  weightDecay: 0,
  clipNorm: 1,
  noDecay: () => true,
};

/** The parameters a CPT scope trains, by HF name. */
export function cptParameters(model: LanguageModel, scope: CptScope): string[] {
  if (scope === 'full') return [...model.weights.keys()].sort();
  return presetLayers('mid-upper', model.config.numLayers).flatMap((l) =>
    MLP_MODULES.map((m) => `${mlpLinearName(l, m)}.weight`),
  );
}

export interface CptResult {
  /** Writes the original weights back (verified by checksum when the snapshot was taken with verify). */
  readonly snapshot: WeightSnapshot;
  /** Loss before each step, and after the last. */
  readonly losses: number[];
}

/** Fine-tunes `model` in place on `fact`; restore with the returned snapshot. */
export async function continuedPretraining(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  fact: string,
  config: CptConfig,
  options: { verify?: boolean; signal?: AbortSignal } = {},
): Promise<CptResult> {
  if (!(config.steps >= 0 && Number.isInteger(config.steps)))
    throw new Error(`CPT steps must be a whole number >= 0, got ${config.steps}`);
  if (!(config.lr > 0)) throw new Error(`CPT learning rate must be > 0, got ${config.lr}`);
  const eos = model.tokens.eos[0];
  const ids = [...tokenizer.encode(fact, { addSpecialTokens: true }), ...(eos === undefined ? [] : [eos])];
  const batch = padLeft([ids], model.tokens.pad);
  const targets = clmTargets(model, batch);
  const names = cptParameters(model, config.scope);
  const snapshot = snapshotWeights(model, names, options.verify ? { verify: true } : {});
  const params = new Map(names.map((n) => [n, model.weights.get(n)?.data as Float32Array | Float64Array]));
  const state = newAdamWState(params);
  const losses: number[] = [];
  const into = gradientBuffers(model, names);
  try {
    for (let step = 0; step <= config.steps; step++) {
      options.signal?.throwIfAborted();
      const { loss, gradients } = await lossGradients(model, batch, targets, names, { into });
      losses.push(loss);
      if (step === config.steps) break;
      const grads = new Map([...gradients].map(([n, g]) => [n, g.data] as const));
      adamwStep(state, params, grads, config.lr, CPT_ADAMW);
    }
  } catch (error) {
    snapshot.restore();
    throw error;
  }
  return { snapshot, losses };
}
