// Sane ranges for a normalised model config, checked before anything is sized from it (parameter lists,
// weights, rotary tables): a config.json asking for a billion layers is refused by key and range instead of
// exhausting memory. The ranges admit every published Llama and Qwen2 shape (up to Llama-3.1-405B).
// Owns no IO and no family logic; config.ts reads the keys, registry.ts calls checkConfigBounds.
import { CheckpointError } from '../load/format';
import type { ModelConfig } from './config';

/** An inclusive integer range and the config.json key it bounds. */
interface IntBound {
  readonly key: string;
  readonly min: number;
  readonly max: number;
}

/**
 * Integer ranges per normalised field. Largest published values for comparison: Llama-3.1-405B has 126
 * layers, hidden 16384, intermediate 53248, 128 heads, 8 KV heads, head_dim 128; Llama-3 and Qwen2 vocabularies
 * are 128256 and 152064; Llama-3.1 and Qwen2.5 have 131072 positions (Qwen2.5-1M about 1M).
 */
export const CONFIG_BOUNDS = Object.freeze({
  numLayers: { key: 'num_hidden_layers', min: 1, max: 1024 },
  hiddenSize: { key: 'hidden_size', min: 1, max: 65536 },
  intermediateSize: { key: 'intermediate_size', min: 1, max: 262144 },
  numHeads: { key: 'num_attention_heads', min: 1, max: 1024 },
  numKvHeads: { key: 'num_key_value_heads', min: 1, max: 1024 },
  headDim: { key: 'head_dim', min: 2, max: 1024 },
  vocabSize: { key: 'vocab_size', min: 2, max: 1_048_576 },
  maxPositionEmbeddings: { key: 'max_position_embeddings', min: 1, max: 16_777_216 },
} as const satisfies Record<string, IntBound>);

/** Finite ranges for the float keys; rope factors apply to linear and llama3 scaling. */
export const FLOAT_BOUNDS = Object.freeze({
  ropeTheta: { key: 'rope_theta', min: 1, max: 1e12 },
  rmsNormEps: { key: 'rms_norm_eps', min: 1e-12, max: 0.5 },
  ropeFactor: { key: 'factor', min: 1e-3, max: 4096 },
});

function fail(file: string, key: string, value: number, range: string, fix: string): never {
  throw new CheckpointError(`${file}: "${key}" is ${value}, outside the supported range ${range}; ${fix}`);
}

function checkInt(file: string, value: number, b: IntBound): void {
  if (!Number.isSafeInteger(value) || value < b.min || value > b.max) {
    fail(
      file,
      b.key,
      value,
      `${b.min}..${b.max}`,
      "fix config.json (compare with the original model's config)",
    );
  }
}

function checkFloat(
  file: string,
  value: number,
  b: { key: string; min: number; max: number },
  where = '',
): void {
  if (!Number.isFinite(value) || value < b.min || value > b.max) {
    fail(
      file,
      `${where}${b.key}`,
      value,
      `${b.min}..${b.max}`,
      "fix config.json (compare with the original model's config)",
    );
  }
}

/**
 * Throws CheckpointError naming `file`, the config.json key, its value and the allowed range when a value
 * is outside CONFIG_BOUNDS / FLOAT_BOUNDS, when an implied head_dim does not divide hidden_size, or when a
 * special token id is outside the vocabulary. Runs before any size is derived from the config.
 */
export function checkConfigBounds(config: ModelConfig, file: string): void {
  if (config.raw.head_dim === undefined || config.raw.head_dim === null) {
    if (config.hiddenSize % config.numHeads !== 0) {
      throw new CheckpointError(
        `${file}: "hidden_size" (${config.hiddenSize}) is not divisible by "num_attention_heads" (${config.numHeads}) and there is no "head_dim"; add the model's head_dim to config.json`,
      );
    }
  }
  for (const [field, bound] of Object.entries(CONFIG_BOUNDS)) {
    checkInt(file, config[field as keyof typeof CONFIG_BOUNDS], bound);
  }
  if (config.numKvHeads > config.numHeads) {
    throw new CheckpointError(
      `${file}: "num_key_value_heads" (${config.numKvHeads}) exceeds "num_attention_heads" (${config.numHeads}); it must divide it`,
    );
  }
  const nested = config.raw.rope_parameters;
  let thetaKey = '';
  if (nested !== undefined && nested !== null) {
    if (typeof nested !== 'object' || Array.isArray(nested)) {
      throw new CheckpointError(
        `${file}: "rope_parameters" must be an object, got ${JSON.stringify(nested)}; fix config.json (compare with the original model's config)`,
      );
    }
    const theta = (nested as Record<string, unknown>).rope_theta;
    if (theta !== undefined) thetaKey = 'rope_parameters.';
    if (theta !== undefined && (typeof theta !== 'number' || theta !== config.ropeTheta)) {
      throw new CheckpointError(
        `${file}: "rope_parameters.rope_theta" must be a number in ${FLOAT_BOUNDS.ropeTheta.min}..${FLOAT_BOUNDS.ropeTheta.max}, got ${JSON.stringify(theta)}; fix config.json (compare with the original model's config)`,
      );
    }
  }
  checkFloat(file, config.ropeTheta, FLOAT_BOUNDS.ropeTheta, thetaKey);
  checkFloat(file, config.rmsNormEps, FLOAT_BOUNDS.rmsNormEps);
  const s = config.ropeScaling;
  if (s.type === 'linear' || s.type === 'llama3') {
    const where = config.raw.rope_parameters ? 'rope_parameters.' : 'rope_scaling.';
    checkFloat(file, s.factor, FLOAT_BOUNDS.ropeFactor, where);
    if (s.type === 'llama3') {
      checkFloat(file, s.lowFreqFactor, { ...FLOAT_BOUNDS.ropeFactor, key: 'low_freq_factor' }, where);
      checkFloat(file, s.highFreqFactor, { ...FLOAT_BOUNDS.ropeFactor, key: 'high_freq_factor' }, where);
      checkInt(file, s.originalMaxPositionEmbeddings, {
        ...CONFIG_BOUNDS.maxPositionEmbeddings,
        key: `${where}original_max_position_embeddings`,
      });
    }
  }
  const ids: Array<[string, number | null]> = [
    ['bos_token_id', config.bosTokenId],
    ['pad_token_id', config.padTokenId],
    ...config.eosTokenIds.map((id): [string, number] => ['eos_token_id', id]),
  ];
  for (const [key, id] of ids) {
    if (id !== null && id >= config.vocabSize) {
      throw new CheckpointError(
        `${file}: "${key}" is ${id}, outside the vocabulary (vocab_size ${config.vocabSize}, valid ids 0..${config.vocabSize - 1}); fix the token id or vocab_size`,
      );
    }
  }
}
