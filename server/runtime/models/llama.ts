// The Llama family (Llama 2/3, Llama-3.2 with tied embeddings and llama3 rope scaling): config.json
// normalisation, the decoder-config reader and the Hugging Face parameter-name scheme, both of which Qwen2
// reuses. The block itself is the shared decoder in transformer.ts; this file only says how Llama configures it.
import { CheckpointError } from '../load/format';
import {
  checkShapes,
  type FamilySpec,
  type ModelConfig,
  type ParameterSpec,
  type RawConfig,
  readRope,
} from './config';

/** Checks the activation; the shared builder implements the SiLU-gated MLP only. */
export function readSiluAct(c: RawConfig): 'silu' {
  const act = c.str('hidden_act', 'silu');
  if (act !== 'silu' && act !== 'swish') {
    throw new CheckpointError(
      `${c.file}: hidden_act "${act}" is not supported for ${c.str('model_type', 'this model')} (valid: silu); use a checkpoint with a SiLU-gated MLP`,
    );
  }
  return 'silu';
}

/**
 * Parameter names and shapes of the Llama naming scheme, in checkpoint order: embeddings, per layer
 * (input norm, q/k/v/o with optional biases, post-attention norm, gate/up/down), final norm, lm_head unless tied.
 */
export function llamaParameterNames(c: ModelConfig): ParameterSpec[] {
  const out: ParameterSpec[] = [{ name: 'model.embed_tokens.weight', shape: [c.vocabSize, c.hiddenSize] }];
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  for (let l = 0; l < c.numLayers; l++) {
    const p = `model.layers.${l}`;
    out.push({ name: `${p}.input_layernorm.weight`, shape: [c.hiddenSize] });
    for (const [proj, rows] of [
      ['q_proj', q],
      ['k_proj', kv],
      ['v_proj', kv],
    ] as const) {
      out.push({ name: `${p}.self_attn.${proj}.weight`, shape: [rows, c.hiddenSize] });
      if (c.qkvBias) out.push({ name: `${p}.self_attn.${proj}.bias`, shape: [rows] });
    }
    out.push({ name: `${p}.self_attn.o_proj.weight`, shape: [c.hiddenSize, q] });
    if (c.oBias) out.push({ name: `${p}.self_attn.o_proj.bias`, shape: [c.hiddenSize] });
    out.push({ name: `${p}.post_attention_layernorm.weight`, shape: [c.hiddenSize] });
    for (const [proj, shape] of [
      ['gate_proj', [c.intermediateSize, c.hiddenSize]],
      ['up_proj', [c.intermediateSize, c.hiddenSize]],
      ['down_proj', [c.hiddenSize, c.intermediateSize]],
    ] as const) {
      out.push({ name: `${p}.mlp.${proj}.weight`, shape });
      if (c.mlpBias) out.push({ name: `${p}.mlp.${proj}.bias`, shape: [shape[0]] });
    }
  }
  out.push({ name: 'model.norm.weight', shape: [c.hiddenSize] });
  if (!c.tieWordEmbeddings) out.push({ name: 'lm_head.weight', shape: [c.vocabSize, c.hiddenSize] });
  return out;
}

/** Where families of the shared decoder differ when config.json leaves a key out. */
export interface DecoderDefaults {
  readonly family: ModelConfig['family'];
  readonly maxPositionEmbeddings: number;
  readonly bosTokenId: number | null;
  readonly eosTokenIds: number[];
}

/**
 * Reads the keys every family of the shared decoder has (sizes, heads, norm, rope, tying, special tokens,
 * dtype) with the family's defaults, adds its bias flags, and checks the shapes. Families normalise through
 * this so a key is read the same way everywhere.
 */
export function readDecoderConfig(
  c: RawConfig,
  defaults: DecoderDefaults,
  biases: Pick<ModelConfig, 'qkvBias' | 'oBias' | 'mlpBias'>,
): ModelConfig {
  const hiddenSize = c.int('hidden_size');
  const numHeads = c.int('num_attention_heads');
  const config: ModelConfig = {
    family: defaults.family,
    modelType: c.str('model_type', defaults.family),
    architectures: c.strings('architectures'),
    vocabSize: c.int('vocab_size'),
    hiddenSize,
    intermediateSize: c.int('intermediate_size'),
    numLayers: c.int('num_hidden_layers'),
    numHeads,
    numKvHeads: c.int('num_key_value_heads', numHeads),
    headDim: c.int('head_dim', Math.floor(hiddenSize / numHeads)),
    rmsNormEps: c.num('rms_norm_eps', 1e-6),
    ...readRope(c, 10000),
    tieWordEmbeddings: c.bool('tie_word_embeddings', false),
    ...biases,
    hiddenAct: readSiluAct(c),
    maxPositionEmbeddings: c.int('max_position_embeddings', defaults.maxPositionEmbeddings),
    bosTokenId: c.tokenId('bos_token_id', defaults.bosTokenId),
    eosTokenIds: c.tokenIds('eos_token_id', defaults.eosTokenIds),
    padTokenId: c.tokenId('pad_token_id', null),
    torchDtype: c.has('torch_dtype') ? c.str('torch_dtype', '') : c.has('dtype') ? c.str('dtype', '') : null,
    raw: c.raw,
  };
  checkShapes(config, c.file);
  return config;
}

export const LLAMA: FamilySpec = {
  family: 'llama',
  modelTypes: ['llama'],
  architectures: ['LlamaForCausalLM'],
  summary:
    'RMSNorm pre-norm blocks, rotary grouped-query attention (optional attention_bias on q/k/v/o), SiLU-gated MLP (optional mlp_bias); rope scaling none, linear or llama3',
  normalize(c) {
    const attentionBias = c.bool('attention_bias', false);
    return readDecoderConfig(
      c,
      { family: 'llama', maxPositionEmbeddings: 2048, bosTokenId: 1, eosTokenIds: [2] },
      { qkvBias: attentionBias, oBias: attentionBias, mlpBias: c.bool('mlp_bias', false) },
    );
  },
  familyKeys(config) {
    return { attention_bias: config.qkvBias, mlp_bias: config.mlpBias };
  },
  parameterNames: llamaParameterNames,
};
