// The Qwen2 family (Qwen2, Qwen2.5): config.json normalisation. Its blocks are Llama's with biases on the
// q/k/v projections (never on o_proj or the MLP) and the same parameter names; sliding-window attention is
// refused rather than silently ignored. The block itself is the shared decoder in transformer.ts.
import { CheckpointError } from '../load/format';
import { checkShapes, type FamilySpec, type ModelConfig, readRope } from './config';
import { llamaParameterNames, readSiluAct } from './llama';

export const QWEN2: FamilySpec = {
  family: 'qwen2',
  modelTypes: ['qwen2'],
  architectures: ['Qwen2ForCausalLM'],
  summary: 'Llama blocks with q/k/v biases (no o_proj or MLP bias); no BOS token in its tokenizer',
  normalize(c) {
    if (c.bool('use_sliding_window', false)) {
      throw new CheckpointError(
        `${c.file}: use_sliding_window is true, but sliding-window attention is not supported; set "use_sliding_window": false (Qwen2.5 releases ship it false)`,
      );
    }
    const hiddenSize = c.int('hidden_size');
    const numHeads = c.int('num_attention_heads');
    const config: ModelConfig = {
      family: 'qwen2',
      modelType: c.str('model_type', 'qwen2'),
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
      qkvBias: true,
      oBias: false,
      mlpBias: false,
      hiddenAct: readSiluAct(c),
      maxPositionEmbeddings: c.int('max_position_embeddings', 32768),
      bosTokenId: c.tokenId('bos_token_id', null),
      eosTokenIds: c.tokenIds('eos_token_id', []),
      padTokenId: c.tokenId('pad_token_id', null),
      torchDtype: c.has('torch_dtype')
        ? c.str('torch_dtype', '')
        : c.has('dtype')
          ? c.str('dtype', '')
          : null,
      raw: c.raw,
    };
    checkShapes(config, c.file);
    return config;
  },
  familyKeys() {
    return { use_sliding_window: false };
  },
  parameterNames: llamaParameterNames,
};
