// Loads a Hugging Face model folder into a runnable LanguageModel: weights via checkpoint.ts, rotary
// frequencies via rope.ts, special tokens from config.json. The tokenizer is loaded separately
// (server/common/tokenizer.ts) because scoring and capture work on ids.
import type { FloatDType } from '../ir/dtype';
import type { Runtime } from '../session/runtime';
import { type LoadProgress, loadCheckpoint } from './checkpoint';
import type { ModelConfig } from './config';
import type { LanguageModel, SpecialTokens } from './language-model';
import { ropeInverseFrequencies } from './rope';

/** Special tokens from config.json: pad falls back to the first EOS id (never attended to or scored). */
export function specialTokens(config: ModelConfig): SpecialTokens {
  const pad = config.padTokenId ?? config.eosTokenIds[0] ?? 0;
  return { bos: config.bosTokenId, eos: config.eosTokenIds, pad };
}

export function loadLanguageModel(
  dir: string,
  options: { runtime: Runtime; dtype?: FloatDType; onProgress?: (p: LoadProgress) => void },
): LanguageModel {
  const dtype = options.dtype ?? 'float32';
  const checkpoint = loadCheckpoint(dir, {
    dtype,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return {
    source: checkpoint.dir,
    config: checkpoint.config,
    dtype,
    weights: checkpoint.weights,
    tokens: specialTokens(checkpoint.config),
    invFreq: ropeInverseFrequencies(checkpoint.config),
    runtime: options.runtime,
  };
}
