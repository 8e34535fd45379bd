// A loaded decoder ready to run: its normalised shape config, host weights by HF name, special token ids,
// rotary frequencies and the runtime that executes its graphs. Tasks (score, generate, capture, grads)
// take this object; loading it from a folder is checkpoint.ts's job.
import type { FloatDType, HostTensor } from '../ir/dtype';
import type { Runtime } from '../session/runtime';
import type { ModelConfig } from './config';

export interface SpecialTokens {
  /** Prepended to prompts and texts when the model has one (Llama); null for Qwen2. */
  readonly bos: number | null;
  /** Generation stops at any of these. */
  readonly eos: readonly number[];
  /** Used to fill padded positions (never attended to or scored). */
  readonly pad: number;
}

export interface LanguageModel {
  /** Folder the model came from, for messages and provenance. */
  readonly source: string;
  readonly config: ModelConfig;
  readonly dtype: FloatDType;
  readonly weights: ReadonlyMap<string, HostTensor<FloatDType>>;
  readonly tokens: SpecialTokens;
  /** Rotary inverse frequencies (headDim / 2 of them), scaling applied. */
  readonly invFreq: Float64Array;
  readonly runtime: Runtime;
}

/** All weights as feeds, keyed by HF parameter name. */
export function weightFeeds(model: LanguageModel): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  for (const [name, t] of model.weights) feeds[name] = t;
  return feeds;
}
