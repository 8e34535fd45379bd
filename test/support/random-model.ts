// Test helper: an in-memory random decoder (no files) for engine-level tests of forward passes, caching,
// capture and gradients. Checkpoint-folder fixtures for loader and parity tests live in fixtures.ts.
import { Rng } from '../../server/common/random';
import { allocate, type FloatDType, type HostTensor } from '../../server/runtime/ir/dtype';
import type { ModelConfig } from '../../server/runtime/models/config';
import type { LanguageModel } from '../../server/runtime/models/language-model';
import { normalizeConfig, parameterNames } from '../../server/runtime/models/registry';
import { ropeInverseFrequencies } from '../../server/runtime/models/rope';
import type { Runtime } from '../../server/runtime/session/runtime';

/** A Qwen2-shaped toy: q/k/v biases, 4 query heads over 2 key/value heads, untied head. */
export const TINY: ModelConfig = normalizeConfig(
  {
    model_type: 'qwen2',
    architectures: ['Qwen2ForCausalLM'],
    vocab_size: 37,
    hidden_size: 16,
    intermediate_size: 24,
    num_hidden_layers: 2,
    num_attention_heads: 4,
    num_key_value_heads: 2,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    max_position_embeddings: 64,
    tie_word_embeddings: false,
    bos_token_id: 1,
    eos_token_id: 2,
    pad_token_id: 0,
  },
  'random-model TINY',
);

export function randomModel(
  runtime: Runtime,
  options: { config?: ModelConfig; dtype?: FloatDType; seed?: number; std?: number } = {},
): LanguageModel {
  const config = options.config ?? TINY;
  const dtype = options.dtype ?? 'float32';
  const rng = new Rng(options.seed ?? 7);
  const std = options.std ?? 0.3;
  const weights = new Map<string, HostTensor<FloatDType>>();
  for (const { name, shape } of parameterNames(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = allocate(dtype, size) as Float32Array | Float64Array;
    const isNorm = name.endsWith('norm.weight');
    for (let i = 0; i < size; i++) data[i] = isNorm ? 1 + 0.1 * rng.normal() : std * rng.normal();
    weights.set(name, { dtype, shape: shape.slice(), data } as HostTensor<FloatDType>);
  }
  return {
    source: 'random',
    config,
    dtype,
    weights,
    tokens: { bos: 1, eos: [2], pad: 0 },
    invFreq: ropeInverseFrequencies(config),
    runtime,
  };
}
