// Greedy decoding with a KV cache: one prefill pass over the left-padded prompts, then one single-token
// step per new token, stopping per row at EOS, a stop string, or the token budget.
// Decoding text back to strings needs a tokenizer; this module works on ids and takes a decoder callback.
import { pushAll } from '../../common/arrays';
import type { FloatDType, HostTensor } from '../ir/dtype';
import type { LanguageModel } from '../models/language-model';
import { checkModelInput } from '../models/model-input';
import { padLeft } from './batch';
import { type EditGates, gateRows } from './edit-inputs';
import { type LowRankEdit, runForward } from './forward';

export interface GenerateOptions {
  readonly maxNewTokens: number;
  /** Stop a row when its decoded continuation contains one of these (the stop string is cut off). */
  readonly stop?: readonly string[];
  /** Turns generated ids into text, for stop strings. */
  readonly decode?: (ids: readonly number[]) => string;
  readonly edit?: LowRankEdit;
  /** Per-prompt rank gates of `edit` (edit-inputs.ts): one batch answers with and without the edit. */
  readonly gates?: EditGates;
  /** Rows per forward pass. */
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
}

export interface Generation {
  /** Generated ids, without the prompt, EOS excluded. */
  readonly ids: number[];
  readonly finish: 'eos' | 'stop' | 'length';
}

/** Index of the largest logit in row `row` of a [B, 1, V] tensor (first one on ties). */
export function argmaxRow(logits: HostTensor<FloatDType>, row: number): number {
  const vocab = logits.shape[logits.shape.length - 1] as number;
  const offset =
    row * (logits.data.length / (logits.shape[0] as number)) +
    (logits.data.length / (logits.shape[0] as number) - vocab);
  let best = 0;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let v = 0; v < vocab; v++) {
    const value = logits.data[offset + v] as number;
    if (value > bestValue) {
      bestValue = value;
      best = v;
    }
  }
  return best;
}

async function generateBatch(
  model: LanguageModel,
  prompts: readonly (readonly number[])[],
  options: GenerateOptions,
  gates: EditGates | undefined,
): Promise<Generation[]> {
  const eos = new Set(model.tokens.eos);
  const rows = prompts.length;
  const out: number[][] = prompts.map(() => []);
  const finish: Array<Generation['finish'] | null> = prompts.map(() => null);
  let step = await runForward(model, padLeft(prompts, model.tokens.pad), {
    lastOnly: true,
    cache: true,
    ...(options.edit ? { edit: options.edit } : {}),
    ...(gates ? { gates } : {}),
  });
  for (let produced = 0; produced < options.maxNewTokens; produced++) {
    options.signal?.throwIfAborted();
    const next: number[] = [];
    for (let r = 0; r < rows; r++) {
      const token = argmaxRow(step.logits, r);
      next.push(finish[r] ? model.tokens.pad : token);
      if (finish[r]) continue;
      if (eos.has(token)) {
        finish[r] = 'eos';
        continue;
      }
      (out[r] as number[]).push(token);
      if (options.stop?.length && options.decode) {
        const text = options.decode(out[r] as number[]);
        if (options.stop.some((s) => text.includes(s))) finish[r] = 'stop';
      }
    }
    if (finish.every((f) => f !== null) || produced + 1 === options.maxNewTokens) break;
    // Finished rows keep stepping with a masked pad token so the batch stays rectangular.
    const mask = finish.map((f) => (f ? 0 : 1));
    step = await runForward(
      model,
      { batch: rows, length: 1, ids: next, mask },
      {
        lastOnly: true,
        ...(step.cache ? { past: step.cache } : {}),
        ...(options.edit ? { edit: options.edit } : {}),
        ...(gates ? { gates } : {}),
      },
    );
  }
  return out.map((ids, r) => ({ ids, finish: finish[r] ?? 'length' }));
}

/** Greedy continuation of each prompt (token ids, BOS already included where the model uses one). */
export async function generateGreedy(
  model: LanguageModel,
  prompts: readonly (readonly number[])[],
  options: GenerateOptions,
): Promise<Generation[]> {
  checkModelInput(model.config, prompts, {
    reserve: options.maxNewTokens,
    label: (i) => `prompt ${i + 1} of ${prompts.length}`,
  });
  const size = options.batchSize ?? 16;
  const results: Generation[] = [];
  for (let i = 0; i < prompts.length; i += size) {
    const end = Math.min(prompts.length, i + size);
    const gates = options.gates ? gateRows(options.gates, i, end) : undefined;
    pushAll(results, await generateBatch(model, prompts.slice(i, end), options, gates));
  }
  return results;
}

/** Cuts a decoded continuation at the first stop string. */
export function cutAtStop(text: string, stop: readonly string[] = []): string {
  let end = text.length;
  for (const s of stop) {
    const i = text.indexOf(s);
    if (i >= 0 && i < end) end = i;
  }
  return text.slice(0, end);
}
