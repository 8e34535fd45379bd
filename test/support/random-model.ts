// Test helper: an in-memory random decoder (no files) for engine-level tests of forward passes, caching,
// capture and gradients. Checkpoint-folder fixtures for loader and parity tests live in fixtures.ts.
import { Rng } from '../../server/common/random';
import { allocate, type FloatDType, type HostTensor } from '../../server/runtime/ir/dtype';
import type { LanguageModel } from '../../server/runtime/models/language-model';
import type { DecoderConfig } from '../../server/runtime/models/transformer';
import type { Runtime } from '../../server/runtime/session/runtime';

export const TINY: DecoderConfig = {
  vocabSize: 37,
  hiddenSize: 16,
  intermediateSize: 24,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 4,
  rmsNormEps: 1e-6,
  tieWordEmbeddings: false,
  qkvBias: true,
  oBias: false,
  mlpBias: false,
};

/** HF parameter names and shapes of a decoder config (Llama/Qwen2 naming). */
export function parameterShapes(c: DecoderConfig): Array<[string, number[]]> {
  const out: Array<[string, number[]]> = [['model.embed_tokens.weight', [c.vocabSize, c.hiddenSize]]];
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}`;
    const q = c.numHeads * c.headDim;
    const kv = c.numKvHeads * c.headDim;
    out.push([`${p}.input_layernorm.weight`, [c.hiddenSize]]);
    for (const [n, o] of [
      ['q_proj', q],
      ['k_proj', kv],
      ['v_proj', kv],
    ] as const) {
      out.push([`${p}.self_attn.${n}.weight`, [o, c.hiddenSize]]);
      if (c.qkvBias) out.push([`${p}.self_attn.${n}.bias`, [o]]);
    }
    out.push([`${p}.self_attn.o_proj.weight`, [c.hiddenSize, q]]);
    out.push([`${p}.post_attention_layernorm.weight`, [c.hiddenSize]]);
    out.push([`${p}.mlp.gate_proj.weight`, [c.intermediateSize, c.hiddenSize]]);
    out.push([`${p}.mlp.up_proj.weight`, [c.intermediateSize, c.hiddenSize]]);
    out.push([`${p}.mlp.down_proj.weight`, [c.hiddenSize, c.intermediateSize]]);
  }
  out.push(['model.norm.weight', [c.hiddenSize]]);
  if (!c.tieWordEmbeddings) out.push(['lm_head.weight', [c.vocabSize, c.hiddenSize]]);
  return out;
}

export function randomModel(
  runtime: Runtime,
  options: { config?: DecoderConfig; dtype?: FloatDType; seed?: number; std?: number } = {},
): LanguageModel {
  const config = options.config ?? TINY;
  const dtype = options.dtype ?? 'float32';
  const rng = new Rng(options.seed ?? 7);
  const std = options.std ?? 0.3;
  const weights = new Map<string, HostTensor<FloatDType>>();
  for (const [name, shape] of parameterShapes(config)) {
    const size = shape.reduce((a, b) => a * b, 1);
    const data = allocate(dtype, size) as Float32Array | Float64Array;
    const isNorm = name.endsWith('norm.weight');
    for (let i = 0; i < size; i++) data[i] = isNorm ? 1 + 0.1 * rng.normal() : std * rng.normal();
    weights.set(name, { dtype, shape, data } as HostTensor<FloatDType>);
  }
  const half = config.headDim / 2;
  const invFreq = Float64Array.from({ length: half }, (_, i) => 1 / 10000 ** ((2 * i) / config.headDim));
  return { source: 'random', config, dtype, weights, tokens: { bos: 1, eos: [2], pad: 0 }, invFreq, runtime };
}
