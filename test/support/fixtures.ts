// Test helper: small random Hugging Face-format checkpoints (Llama and Qwen2, GQA, tied and untied heads) written
// at test time into a folder, with our word-level tokenizer. Weights are deterministic from the spec's seed.
// Used by loader, parity and engine tests and by scripts/make-fixtures.ts; never committed as files.
import { Rng } from '../../server/common/random';
import { type SaveDType, saveCheckpoint } from '../../server/runtime/models/checkpoint';
import type { ModelConfig } from '../../server/runtime/models/config';
import { normalizeConfig, parameterNames } from '../../server/runtime/models/registry';
import { fixtureTokenizerConfig, fixtureTokenizerJson, fixtureVocabulary } from './fixture-tokenizer';

export interface FixtureSpec {
  readonly family: 'llama' | 'qwen2';
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly intermediateSize: number;
  readonly numHeads: number;
  readonly numKvHeads: number;
  /** Written as head_dim only when set (otherwise hidden / heads, as in most configs). */
  readonly headDim?: number;
  readonly tied: boolean;
  readonly ropeTheta: number;
  readonly ropeScaling?: Record<string, unknown>;
  /** config.json vocab_size; defaults to the tokenizer's size (Qwen releases pad it above). */
  readonly vocabSize?: number;
  readonly seed: number;
  /** Standard deviation of matrices, embeddings and biases (norm weights are 1 + std * noise). */
  readonly std?: number;
}

/**
 * The named fixtures. Weights use std 0.1 rather than the 0.02 of real initialisation so that attention
 * patterns and next-token distributions are far from uniform and gradient checks see strong signals.
 */
export const FIXTURES = {
  /** Llama with grouped-query attention (2 query heads per KV head) and an untied lm_head. */
  'llama-tiny': {
    family: 'llama',
    numLayers: 2,
    hiddenSize: 64,
    intermediateSize: 160,
    numHeads: 4,
    numKvHeads: 2,
    tied: false,
    ropeTheta: 10000,
    seed: 11,
  },
  /**
   * Llama-3.2 style: tied embeddings, llama3 rope scaling whose wavelength bands (16..64) put the 8 frequencies
   * in all three branches, multi-query attention and an explicit head_dim with q width 64 != hidden 48.
   */
  'llama-tiny-tied': {
    family: 'llama',
    numLayers: 3,
    hiddenSize: 48,
    intermediateSize: 96,
    numHeads: 4,
    numKvHeads: 1,
    headDim: 16,
    tied: true,
    ropeTheta: 10000,
    ropeScaling: {
      factor: 4.0,
      high_freq_factor: 4.0,
      low_freq_factor: 1.0,
      original_max_position_embeddings: 64,
      rope_type: 'llama3',
    },
    seed: 12,
  },
  /** Qwen2 with q/k/v biases, GQA, untied head, and a config vocab padded above the tokenizer's. */
  'qwen2-tiny': {
    family: 'qwen2',
    numLayers: 2,
    hiddenSize: 64,
    intermediateSize: 128,
    numHeads: 4,
    numKvHeads: 2,
    tied: false,
    ropeTheta: 1000000,
    vocabSize: 320,
    seed: 13,
  },
  /** Qwen2.5-small style: tied embeddings, 4 query heads per KV head. */
  'qwen2-tiny-tied': {
    family: 'qwen2',
    numLayers: 2,
    hiddenSize: 64,
    intermediateSize: 96,
    numHeads: 8,
    numKvHeads: 2,
    tied: true,
    ropeTheta: 1000000,
    seed: 14,
  },
} as const satisfies Record<string, FixtureSpec>;

export type FixtureName = keyof typeof FIXTURES;
export const FIXTURE_NAMES = Object.keys(FIXTURES) as FixtureName[];

/** config.json content for a spec, with the keys and values real Llama / Qwen2 configs use. */
export function fixtureConfigJson(spec: FixtureSpec): Record<string, unknown> {
  const vocabSize = spec.vocabSize ?? fixtureVocabulary().length;
  const common = {
    vocab_size: vocabSize,
    hidden_size: spec.hiddenSize,
    intermediate_size: spec.intermediateSize,
    num_hidden_layers: spec.numLayers,
    num_attention_heads: spec.numHeads,
    num_key_value_heads: spec.numKvHeads,
    ...(spec.headDim !== undefined ? { head_dim: spec.headDim } : {}),
    hidden_act: 'silu',
    rms_norm_eps: 1e-5,
    rope_theta: spec.ropeTheta,
    rope_scaling: spec.ropeScaling ?? null,
    tie_word_embeddings: spec.tied,
    initializer_range: 0.02,
    use_cache: true,
    torch_dtype: 'float32',
    transformers_version: '4.46.0',
  };
  if (spec.family === 'llama') {
    return {
      architectures: ['LlamaForCausalLM'],
      model_type: 'llama',
      ...common,
      max_position_embeddings: 256,
      attention_bias: false,
      attention_dropout: 0.0,
      mlp_bias: false,
      pretraining_tp: 1,
      bos_token_id: 1,
      eos_token_id: 2,
    };
  }
  return {
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    ...common,
    max_position_embeddings: 512,
    attention_dropout: 0.0,
    use_sliding_window: false,
    sliding_window: 512,
    max_window_layers: spec.numLayers,
    bos_token_id: 2,
    eos_token_id: 2,
  };
}

/** Deterministic weights for a config: each parameter from its own stream, so values do not depend on order. */
export function randomWeights(
  config: ModelConfig,
  seed: number,
  std = 0.1,
): Map<string, { shape: number[]; data: Float32Array }> {
  const root = new Rng(seed);
  const weights = new Map<string, { shape: number[]; data: Float32Array }>();
  const streams = new Map(parameterNames(config).map((p) => [p.name, root.fork(p.name)]));
  for (const p of parameterNames(config)) {
    const rng = streams.get(p.name) as Rng;
    const n = p.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const isNorm = p.name.endsWith('norm.weight');
    for (let i = 0; i < n; i++) data[i] = isNorm ? 1 + std * rng.normal() : std * rng.normal();
    weights.set(p.name, { shape: p.shape.slice(), data });
  }
  return weights;
}

export interface WrittenFixture {
  readonly dir: string;
  readonly config: ModelConfig;
  /** The float32 weights as generated (before any 16-bit rounding on save). */
  readonly weights: Map<string, { shape: number[]; data: Float32Array }>;
}

/** Writes a random checkpoint (config.json, safetensors, tokenizer) into `dir`, replacing what is there. */
export function writeRandomCheckpoint(
  dir: string,
  spec: FixtureSpec,
  options: { dtype?: SaveDType; maxShardBytes?: number } = {},
): WrittenFixture {
  const config = normalizeConfig(fixtureConfigJson(spec), `fixture config (${spec.family})`);
  const weights = randomWeights(config, spec.seed, spec.std);
  const llamaStyle = spec.family === 'llama';
  const tokenizerOptions = { addBos: llamaStyle, withPad: !llamaStyle };
  saveCheckpoint(dir, config, weights, {
    dtype: options.dtype ?? 'float32',
    ...(options.maxShardBytes !== undefined ? { maxShardBytes: options.maxShardBytes } : {}),
    overwrite: true,
    extraFiles: {
      'tokenizer.json': `${JSON.stringify(fixtureTokenizerJson(tokenizerOptions))}\n`,
      'tokenizer_config.json': `${JSON.stringify(fixtureTokenizerConfig(tokenizerOptions), null, 2)}\n`,
    },
  });
  return { dir, config, weights };
}

/** Writes a named fixture into `dir`. */
export function writeFixture(
  dir: string,
  name: FixtureName,
  options: { dtype?: SaveDType; maxShardBytes?: number } = {},
) {
  return writeRandomCheckpoint(dir, FIXTURES[name], options);
}
