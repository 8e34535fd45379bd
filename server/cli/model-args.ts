// Flags and helpers shared by the runtime commands (generate, score, capture, grad, info, pretrain):
// execution provider and threads, loading a model folder with progress, text or id inputs, parameter
// and layer selections. Turns loader errors into CliErrors; owns no command behaviour.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Progress } from '../common/progress';
import { closestNames } from '../common/suggest';
import { loadTokenizer, type TextTokenizer } from '../common/tokenizer';
import { BackendError, EXECUTION_PROVIDERS, type ExecutionProvider } from '../runtime/backend/ort';
import { CheckpointError } from '../runtime/load/format';
import type { LanguageModel } from '../runtime/models/language-model';
import { loadLanguageModel } from '../runtime/models/load';
import { attentionBytes, formatGiB, memoryBudget, weightFootprint } from '../runtime/models/memory';
import { withinVocabulary } from '../runtime/models/model-input';
import { MLP_MODULES, type MlpModule, mlpLinearName } from '../runtime/models/transformer';
import { Runtime } from '../runtime/session/runtime';
import { type PaddedBatch, padLeft } from '../runtime/tasks/batch';
import { CliError, type CliIO, numberFlag, UsageError } from './command';

/** parseArgs options for --provider and --threads. */
export const RUNTIME_FLAGS = {
  provider: { type: 'string' },
  threads: { type: 'string' },
} as const;

export const RUNTIME_USAGE = `  --provider P       execution provider: ${EXECUTION_PROVIDERS.join(', ')} (default cpu)
  --threads N        CPU threads for onnxruntime, 1 to this machine's cores (default: all cores)`;

/** parseArgs option for --truncate, taken by the commands that run a text through the model. */
export const CONTEXT_FLAGS = { truncate: { type: 'boolean' } } as const;

export const CONTEXT_USAGE = `  --truncate         drop the earliest tokens of a text longer than the model's context
                     (default: refuse it, naming both lengths)`;

/** The most --threads accepts: this machine's cores (more only adds memory and contention). */
export function maxThreads(): number {
  return availableParallelism();
}

export function makeRuntime(values: { provider?: string; threads?: string }): Runtime {
  const provider = (values.provider ?? 'cpu') as ExecutionProvider;
  if (!EXECUTION_PROVIDERS.includes(provider)) {
    throw new UsageError(
      `--provider must be one of ${EXECUTION_PROVIDERS.join(', ')}, got "${values.provider}"`,
    );
  }
  const threads =
    values.threads === undefined ? undefined : numberFlag('threads', values.threads, 0, { integer: true });
  if (threads !== undefined && (threads < 1 || threads > maxThreads())) {
    throw new UsageError(
      `--threads must be between 1 and ${maxThreads()} (this machine's CPU cores), got ${threads}`,
    );
  }
  try {
    return new Runtime({ provider, ...(threads ? { threads } : {}) });
  } catch (error) {
    if (error instanceof BackendError) throw new CliError(error.message);
    throw error;
  }
}

/** Loads a model folder, showing progress on stderr; loader errors become CliErrors. */
export function loadModelForCli(dir: string | undefined, runtime: Runtime, io: CliIO): LanguageModel {
  if (!dir) throw new UsageError('give the model folder (config.json, *.safetensors, tokenizer.json)');
  const abs = resolve(dir);
  if (!existsSync(abs)) throw new CliError(`model folder ${abs} does not exist`);
  const progress = new Progress('loading', 100, { write: (t) => io.stderr(t), isTTY: io.stderrIsTTY });
  try {
    const model = loadLanguageModel(abs, {
      runtime,
      onProgress: (p) =>
        progress.update(Math.round((100 * p.bytesDone) / Math.max(1, p.bytesTotal)), { tensor: p.tensor }),
    });
    progress.finish();
    return model;
  } catch (error) {
    progress.finish();
    if (error instanceof CheckpointError) throw new CliError(error.message);
    throw error;
  }
}

/**
 * Loads the tokenizer of a folder; tokenizer errors become CliErrors. With `model`, every id it encodes is
 * checked against the model's vocabulary, so a tokenizer larger than config.json's vocab_size is a user error.
 */
export async function tokenizerForCli(dir: string, model?: LanguageModel): Promise<TextTokenizer> {
  let tokenizer: TextTokenizer;
  try {
    tokenizer = await loadTokenizer(dir);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
  return model ? withinVocabulary(tokenizer, model.config.vocabSize) : tokenizer;
}

/**
 * Token ids from --ids "1,2,3" (used as given) or --text (tokenised with the model's special tokens, plus
 * the first EOS when `appendEos`), checked against the vocabulary and fitted into the model's context
 * (refused when longer, unless --truncate).
 */
export async function inputIds(
  model: LanguageModel,
  values: { text?: string; ids?: string; truncate?: boolean },
  opts: { appendEos?: boolean } = {},
): Promise<{ ids: number[]; tokenizer?: TextTokenizer }> {
  if ((values.text === undefined) === (values.ids === undefined))
    throw new UsageError('give exactly one of --text or --ids');
  const fit = (ids: readonly number[], what: string) =>
    fitContext(model, ids, { what, ...(values.truncate ? { truncate: true } : {}) });
  if (values.ids !== undefined) {
    const ids = values.ids.split(',').map((s) => s.trim());
    const parsed = ids.map((s) => Number(s));
    const bad = ids.find((s, i) => s === '' || !Number.isInteger(parsed[i]) || (parsed[i] as number) < 0);
    if (bad !== undefined)
      throw new UsageError(`--ids expects comma-separated non-negative integers, got "${bad}"`);
    const tooBig = parsed.find((id) => id >= model.config.vocabSize);
    if (tooBig !== undefined)
      throw new UsageError(
        `--ids: token id ${tooBig} is outside the vocabulary (size ${model.config.vocabSize})`,
      );
    return { ids: fit(parsed, '--ids') };
  }
  const tokenizer = await tokenizerForCli(model.source, model);
  const encoded = tokenizer.encode(values.text as string, { addSpecialTokens: true });
  const eos = opts.appendEos ? model.tokens.eos.slice(0, 1) : [];
  return { ids: fit([...encoded, ...eos], '--text'), tokenizer };
}

/**
 * Fits a token sequence into the model's context (max_position_embeddings) minus `reserve` positions (tokens
 * still to be generated). A longer sequence is refused, naming both lengths, unless `truncate`: then its
 * earliest tokens are dropped, keeping a leading BOS and the last `keepTail` tokens (an answer being scored).
 */
export function fitContext(
  model: LanguageModel,
  ids: readonly number[],
  opts: { what: string; truncate?: boolean; reserve?: number; keepTail?: number },
): number[] {
  const context = model.config.maxPositionEmbeddings;
  const reserve = opts.reserve ?? 0;
  const limit = context - reserve;
  const room = reserve ? ` minus the ${reserve} tokens to generate (--max-new-tokens)` : '';
  if (limit < 1) {
    throw new UsageError(
      `--max-new-tokens ${reserve} leaves no room for a prompt in the model's context of ${context} tokens (max_position_embeddings); lower it below ${context}`,
    );
  }
  if (ids.length === 0) {
    throw new UsageError(
      `${opts.what} is empty after tokenisation (this model adds no BOS token); give some text`,
    );
  }
  if (ids.length <= limit) return ids.slice();
  const keepTail = opts.keepTail ?? 0;
  const bos = model.tokens.bos !== null && ids[0] === model.tokens.bos ? 1 : 0;
  if (!opts.truncate || bos + keepTail > limit) {
    const fix = !opts.truncate
      ? `shorten it, or pass --truncate to keep its last ${limit - bos} tokens`
      : `the last ${keepTail} tokens alone do not fit; shorten them`;
    throw new CliError(
      `${opts.what} has ${ids.length} tokens, more than the model's context of ${context} tokens (max_position_embeddings in config.json)${room}; ${fix}`,
    );
  }
  return [...ids.slice(0, bos), ...ids.slice(ids.length - (limit - bos))];
}

/**
 * Refuses a batch whose attention would not fit in memory (the JavaScript heap for the host mask, the
 * machine for the activations), with the numbers; `backward` keeps every layer's attention for gradients.
 */
export function checkBatchMemory(
  model: LanguageModel,
  rows: number,
  length: number,
  backward: boolean,
): void {
  const need = attentionBytes(model.config, model.dtype, rows, length, backward);
  const budget = memoryBudget();
  const weights = weightFootprint(model.config, model.dtype).bytes;
  const free = budget.total - weights;
  if (need.host > budget.heap / 2 || need.total > free) {
    throw new CliError(
      `${rows} sequence${rows === 1 ? '' : 's'} of ${length} tokens need about ${formatGiB(need.total)} for attention${backward ? ' with gradients' : ''} (${formatGiB(need.host)} of it for the mask on the JavaScript heap of ${formatGiB(budget.heap)}), but this machine has ${formatGiB(Math.max(0, free))} beside the weights; use shorter texts${rows > 1 ? ' or a smaller batch' : ''}`,
    );
  }
}

/** A one-sequence batch for a next-token loss, which needs at least two tokens and must fit in memory. */
export function lossBatch(model: LanguageModel, ids: readonly number[]): PaddedBatch {
  if (ids.length < 2)
    throw new UsageError(
      `the sequence has ${ids.length} token${ids.length === 1 ? '' : 's'}; the loss needs at least two`,
    );
  checkBatchMemory(model, 1, ids.length, true);
  return padLeft([ids], model.tokens.pad);
}

/**
 * Whether `name` matches `pattern`, where * matches any run of characters. Linear-time two-pointer matching
 * (backtracking only to the last *), so a pattern of many stars cannot stall the command as a regex would.
 */
export function globMatch(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1;
  let resume = 0;
  while (n < name.length) {
    if (p < pattern.length && pattern[p] !== '*' && pattern[p] === name[n]) {
      p++;
      n++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      resume = n;
    } else if (star >= 0) {
      p = star + 1;
      n = ++resume;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Expands comma-separated parameter names, with * wildcards, against the model's parameters. */
export function selectParameters(model: LanguageModel, spec: string | undefined): string[] {
  if (!spec)
    throw new UsageError(
      'give --params NAME[,NAME...] (HF names; * matches any characters; "all" selects every parameter)',
    );
  const all = [...model.weights.keys()];
  if (spec === 'all') return all;
  const selected: string[] = [];
  for (const pattern of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const hits = all.filter((n) => globMatch(pattern, n));
    if (hits.length === 0) {
      const near = closestNames(pattern, all);
      throw new UsageError(
        `--params: no parameter matches "${pattern}"${near.length ? `; did you mean ${near.join(', ')}` : ''}`,
      );
    }
    for (const h of hits) if (!selected.includes(h)) selected.push(h);
  }
  return selected;
}

/** Parses "4-15", "3,5,7" or "all" into layer indices within the model's depth. */
export function parseLayers(spec: string | undefined, numLayers: number): number[] {
  if (!spec || spec === 'all') return Array.from({ length: numLayers }, (_, i) => i);
  const layers: number[] = [];
  for (const part of spec.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) throw new UsageError(`--layers expects ranges like 4-15 or lists like 3,5,7, got "${part}"`);
    const from = Number(m[1]);
    const to = m[2] === undefined ? from : Number(m[2]);
    if (to < from) throw new UsageError(`--layers: range ${part} is backwards`);
    for (let l = from; l <= to; l++) {
      if (l >= numLayers)
        throw new UsageError(`--layers: layer ${l} does not exist (the model has layers 0-${numLayers - 1})`);
      if (!layers.includes(l)) layers.push(l);
    }
  }
  return layers.sort((a, b) => a - b);
}

/** The MLP linears of the given layers in the reference order (layer by layer: gate, up, down). */
export function mlpTargets(layers: readonly number[], modulesSpec: string | undefined): string[] {
  const modules = (
    modulesSpec ? modulesSpec.split(',').map((s) => s.trim()) : [...MLP_MODULES]
  ) as MlpModule[];
  const bad = modules.find((m) => !MLP_MODULES.includes(m));
  if (bad) throw new UsageError(`--modules: unknown module "${bad}"; valid: ${MLP_MODULES.join(', ')}`);
  return layers.flatMap((l) =>
    MLP_MODULES.filter((m) => modules.includes(m)).map((m) => mlpLinearName(l, m)),
  );
}
