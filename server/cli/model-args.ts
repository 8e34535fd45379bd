// Flags and helpers shared by the runtime commands (generate, score, capture, grad, info, pretrain):
// execution provider and threads, loading a model folder with progress, text or id inputs, parameter
// and layer selections. Turns loader errors into CliErrors; owns no command behaviour.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Progress } from '../common/progress';
import { closestNames } from '../common/suggest';
import { loadTokenizer, type TextTokenizer } from '../common/tokenizer';
import { BackendError, EXECUTION_PROVIDERS, type ExecutionProvider } from '../runtime/backend/ort';
import { CheckpointError } from '../runtime/load/format';
import type { LanguageModel } from '../runtime/models/language-model';
import { loadLanguageModel } from '../runtime/models/load';
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
  --threads N        CPU threads for onnxruntime (default: all cores)`;

export function makeRuntime(values: { provider?: string; threads?: string }): Runtime {
  const provider = (values.provider ?? 'cpu') as ExecutionProvider;
  if (!EXECUTION_PROVIDERS.includes(provider)) {
    throw new UsageError(
      `--provider must be one of ${EXECUTION_PROVIDERS.join(', ')}, got "${values.provider}"`,
    );
  }
  const threads =
    values.threads === undefined
      ? undefined
      : numberFlag('threads', values.threads, 0, { min: 1, integer: true });
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

export async function tokenizerForCli(dir: string): Promise<TextTokenizer> {
  try {
    return await loadTokenizer(dir);
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

/** Token ids from --ids "1,2,3" (used as given) or --text (tokenised with the model's special tokens). */
export async function inputIds(
  model: LanguageModel,
  values: { text?: string; ids?: string },
): Promise<{ ids: number[]; tokenizer?: TextTokenizer }> {
  if ((values.text === undefined) === (values.ids === undefined))
    throw new UsageError('give exactly one of --text or --ids');
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
    return { ids: parsed };
  }
  const tokenizer = await tokenizerForCli(model.source);
  return { ids: tokenizer.encode(values.text as string, { addSpecialTokens: true }), tokenizer };
}

/** A one-sequence batch for a next-token loss, which needs at least two tokens. */
export function lossBatch(model: LanguageModel, ids: readonly number[]): PaddedBatch {
  if (ids.length < 2)
    throw new UsageError(`the sequence has ${ids.length} token; the loss needs at least two`);
  return padLeft([ids], model.tokens.pad);
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
    const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    const hits = all.filter((n) => re.test(n));
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
