// The Qwen2 family (Qwen2, Qwen2.5): config.json normalisation. Its blocks are Llama's with biases on the
// q/k/v projections (never on o_proj or the MLP) and the same parameter names; sliding-window attention is
// refused rather than silently ignored. The block itself is the shared decoder in transformer.ts.
import { CheckpointError } from '../load/format';
import type { FamilySpec } from './config';
import { llamaParameterNames, readDecoderConfig } from './llama';

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
    return readDecoderConfig(
      c,
      { family: 'qwen2', maxPositionEmbeddings: 32768, bosTokenId: null, eosTokenIds: [] },
      { qkvBias: true, oBias: false, mlpBias: false },
    );
  },
  familyKeys() {
    return { use_sliding_window: false };
  },
  parameterNames: llamaParameterNames,
};
