// Hugging Face model folders in and out: loadCheckpoint reads config.json and the safetensors weights (one tensor
// at a time, validated against the family's parameter list); saveCheckpoint writes config.json, safetensors
// (sharded with an index when large) and the tokenizer files into a temp folder renamed into place.
// Knows nothing about graphs or sessions; building a LanguageModel from the result is the caller's job.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '../../common/atomic';
import { MAX_TOKENIZER_FILE_BYTES } from '../../common/tokenizer';
import type { FloatDType, HostTensor } from '../ir/dtype';
import { fileKind, MAX_CONFIG_BYTES, readSmallFile, readSmallTextFile } from '../load/files';
import { CheckpointError, numel } from '../load/format';
import { indexCheckpoint, TensorReader, type TensorSource } from '../load/reader';
import {
  type OutputDType,
  type TensorFill,
  type TensorToWrite,
  writeShardedSafetensors,
} from '../load/writer';
import { formatConfigJson, type ModelConfig, type ParameterSpec } from './config';
import { checkWeightsFit } from './memory';
import { configJson, normalizeConfig, parameterNames } from './registry';

export type Weights = Map<string, HostTensor<FloatDType>>;

export interface Checkpoint {
  /** Absolute folder it was loaded from. */
  readonly dir: string;
  readonly config: ModelConfig;
  /** Every parameter by HF name; a tied model has no lm_head.weight (config.tieWordEmbeddings says so). */
  readonly weights: Weights;
  /** The safetensors files read. */
  readonly files: readonly string[];
}

export interface LoadProgress {
  readonly tensor: string;
  readonly tensorsDone: number;
  readonly tensorsTotal: number;
  /** Bytes of the file read so far and in total (on-disk sizes). */
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

/** Checkpoint entries that are not parameters and are skipped when present (old Llama exports). */
const IGNORED_TENSORS = /(^|\.)rotary_emb\.inv_freq$/;

/** Tokenizer files copied on save when present in the source folder (tokenizer.json is required). */
export const TOKENIZER_FILE_NAMES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'tokenizer.model',
  'vocab.json',
  'merges.txt',
  'generation_config.json',
] as const;

/** Reads and normalises `dir/config.json`. */
export function readModelConfig(dir: string): ModelConfig {
  const abs = resolve(dir);
  let stats: Stats;
  try {
    stats = statSync(abs);
  } catch {
    throw new CheckpointError(
      `model folder ${abs} does not exist; pass a Hugging Face model folder (config.json + *.safetensors)`,
    );
  }
  if (!stats.isDirectory())
    throw new CheckpointError(
      `${abs} is ${stats.isFile() ? 'a file' : fileKind(stats)}; pass the model folder that contains config.json and the safetensors weights`,
    );
  const file = join(abs, 'config.json');
  const text = readSmallTextFile(file, MAX_CONFIG_BYTES);
  if (text === null) {
    throw new CheckpointError(
      `model folder ${abs} has no config.json; a model folder needs config.json and model.safetensors (or shards listed by model.safetensors.index.json)`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(
      `${file} is not valid JSON (${(error as Error).message}); restore it from the original model folder`,
    );
  }
  return normalizeConfig(raw, file);
}

/** Lists what is wrong between the expected parameters and what a checkpoint holds; empty when they match. */
export function compareParameters(
  expected: readonly ParameterSpec[],
  found: ReadonlyMap<string, readonly number[]>,
  tied: boolean,
): { missing: string[]; unexpected: string[]; wrongShape: string[] } {
  const want = new Map(expected.map((p) => [p.name, p.shape]));
  const missing = expected.filter((p) => !found.has(p.name)).map((p) => p.name);
  const unexpected: string[] = [];
  const wrongShape: string[] = [];
  for (const [name, shape] of found) {
    const w = want.get(name);
    if (w === undefined) {
      if (IGNORED_TENSORS.test(name) || (tied && name === 'lm_head.weight')) continue;
      unexpected.push(name);
    } else if (w.length !== shape.length || w.some((d, i) => d !== shape[i])) {
      wrongShape.push(`${name} is [${shape.join(', ')}], config.json implies [${w.join(', ')}]`);
    }
  }
  return { missing, unexpected, wrongShape };
}

function listSome(names: readonly string[], max = 8): string {
  return names.length <= max
    ? names.join(', ')
    : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}

function mismatchError(
  where: string,
  config: ModelConfig,
  diff: ReturnType<typeof compareParameters>,
): CheckpointError | null {
  const parts: string[] = [];
  if (diff.missing.length) parts.push(`missing ${listSome(diff.missing)}`);
  if (diff.unexpected.length) parts.push(`unexpected ${listSome(diff.unexpected)}`);
  if (diff.wrongShape.length) parts.push(`wrong shapes: ${listSome(diff.wrongShape, 4)}`);
  if (!parts.length) return null;
  let fix = 'check that config.json belongs to these weights';
  if (diff.missing.includes('lm_head.weight') && !config.tieWordEmbeddings) {
    fix =
      'if the model shares its embedding matrix with the output layer, set "tie_word_embeddings": true in config.json';
  } else if (diff.missing.some((n) => n.endsWith('.bias')) && config.family === 'qwen2') {
    fix =
      'Qwen2 checkpoints have q/k/v biases; a checkpoint without them is probably a Llama model with the wrong model_type';
  } else if (diff.unexpected.some((n) => n.endsWith('.bias'))) {
    fix =
      'the weights have biases the config does not declare (Llama: set attention_bias / mlp_bias; Qwen2: model_type "qwen2")';
  }
  return new CheckpointError(
    `${where} does not match its ${config.family} config.json: ${parts.join('; ')}; ${fix}`,
  );
}

/**
 * Loads a model folder: config.json + safetensors (single or sharded; F32/F16/BF16/F64 stored), converted to
 * `dtype` (default float32). Every expected parameter must be present with its shape; a tied model has no
 * lm_head.weight entry. Throws CheckpointError naming the folder, the file and the fix.
 */
export function loadCheckpoint(
  dir: string,
  options: { dtype?: FloatDType; onProgress?: (p: LoadProgress) => void } = {},
): Checkpoint {
  const abs = resolve(dir);
  const config = readModelConfig(abs);
  const dtype = options.dtype ?? 'float32';
  if (dtype !== 'float32' && dtype !== 'float64') {
    throw new CheckpointError(`cannot load weights as ${String(dtype)}; valid: float32, float64`);
  }
  checkWeightsFit(config, dtype, abs);
  const { files, tensors } = indexCheckpoint(abs);
  const expected = parameterNames(config);
  const found = new Map([...tensors].map(([name, src]) => [name, src.info.shape]));
  const error = mismatchError(abs, config, compareParameters(expected, found, config.tieWordEmbeddings));
  if (error) throw error;

  const sources = expected.map((p) => tensors.get(p.name) as TensorSource);
  const bytesTotal = sources.reduce((s, src) => s + (src.info.end - src.info.begin), 0);
  const weights: Weights = new Map();
  const reader = new TensorReader();
  let bytesDone = 0;
  try {
    sources.forEach((src, i) => {
      const data = reader.readFloat(src, dtype);
      weights.set(src.info.name, { dtype, shape: src.info.shape.slice(), data } as HostTensor<FloatDType>);
      bytesDone += src.info.end - src.info.begin;
      options.onProgress?.({
        tensor: src.info.name,
        tensorsDone: i + 1,
        tensorsTotal: sources.length,
        bytesDone,
        bytesTotal,
      });
    });
  } finally {
    reader.close();
  }
  return { dir: abs, config, weights, files };
}

export const SAVE_DTYPES = { float32: 'F32', bfloat16: 'BF16', float16: 'F16' } as const satisfies Record<
  string,
  OutputDType
>;
export type SaveDType = keyof typeof SAVE_DTYPES;

/** Hugging Face's default shard limit (5 GB); a fp32 Llama-3.2-1B (4.9 GB) still fits one file. */
export const DEFAULT_MAX_SHARD_BYTES = 5_000_000_000;

export interface SaveOptions {
  readonly dtype: SaveDType;
  /** Folder whose tokenizer files (TOKENIZER_FILE_NAMES) are copied; it must hold tokenizer.json. */
  readonly tokenizerFrom?: string;
  /** More files to write, by name (e.g. a provenance note); names may not contain path separators. */
  readonly extraFiles?: Readonly<Record<string, string | Uint8Array>>;
  readonly maxShardBytes?: number;
  /** Replace an existing non-empty folder (the old one is removed only after the new one is in place). */
  readonly overwrite?: boolean;
  readonly onProgress?: (tensor: string, tensorsDone: number, tensorsTotal: number) => void;
}

/** A tensor to save: its values, or a TensorFill that generates them chunk by chunk (huge random models). */
export interface SaveTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array | TensorFill;
}

/**
 * Writes an HF model folder loadable by Python transformers: config.json (torch_dtype set), model.safetensors
 * (or shards + index, metadata format "pt"), tokenizer files and extras. Everything is written into a temp
 * folder beside `dir` that is renamed to `dir` at the end, so readers never see a half-written model.
 * Returns the absolute folder.
 */
export function saveCheckpoint(
  dir: string,
  config: ModelConfig,
  weights: ReadonlyMap<string, SaveTensor>,
  options: SaveOptions,
): string {
  const abs = resolve(dir);
  const outDtype = SAVE_DTYPES[options.dtype];
  if (!outDtype) {
    throw new CheckpointError(
      `cannot save as ${String(options.dtype)}; valid: ${Object.keys(SAVE_DTYPES).join(', ')}`,
    );
  }
  const expected = parameterNames(config);
  const found = new Map([...weights].map(([n, t]) => [n, t.shape]));
  const error = mismatchError(
    'the weights to save',
    config,
    compareParameters(expected, found, config.tieWordEmbeddings),
  );
  if (error) throw error;
  for (const p of expected) {
    const t = weights.get(p.name);
    if (t && ArrayBuffer.isView(t.data) && t.data.length !== numel(p.shape)) {
      throw new CheckpointError(
        `weight ${p.name} has ${t.data.length} values but shape [${p.shape.join(', ')}] needs ${numel(p.shape)}`,
      );
    }
  }
  const occupied = existsSync(abs) && (!statSync(abs).isDirectory() || readdirSync(abs).length > 0);
  if (occupied && !options.overwrite) {
    throw new CheckpointError(
      `${abs} already exists and is not empty; choose a new output folder or pass overwrite (--force)`,
    );
  }
  let tokenizerFiles: string[] = [];
  if (options.tokenizerFrom !== undefined) {
    const from = resolve(options.tokenizerFrom);
    tokenizerFiles = TOKENIZER_FILE_NAMES.filter((f) => existsSync(join(from, f))).map((f) => join(from, f));
    if (!existsSync(join(from, 'tokenizer.json'))) {
      throw new CheckpointError(
        `${from} has no tokenizer.json to copy; pass the original model folder as the tokenizer source`,
      );
    }
  }
  for (const name of Object.keys(options.extraFiles ?? {})) {
    if (
      name !== basename(name) ||
      name.startsWith('.') ||
      name === 'config.json' ||
      name.endsWith('.safetensors')
    ) {
      throw new CheckpointError(
        `extra file name "${name}" is not allowed; use a plain file name other than config.json and *.safetensors`,
      );
    }
  }

  mkdirSync(dirname(abs), { recursive: true });
  const tmp = join(dirname(abs), `.${basename(abs)}.${process.pid}.${Date.now().toString(36)}.saving`);
  try {
    mkdirSync(tmp);
    const torchDtype = options.dtype;
    writeFileAtomic(join(tmp, 'config.json'), formatConfigJson(configJson(config, torchDtype)));
    const toWrite: TensorToWrite[] = expected.map((p) => ({
      name: p.name,
      shape: p.shape,
      data: (weights.get(p.name) as SaveTensor).data,
    }));
    let done = 0;
    writeShardedSafetensors(tmp, toWrite, outDtype, {
      maxShardBytes: options.maxShardBytes ?? DEFAULT_MAX_SHARD_BYTES,
      metadata: { format: 'pt' },
      onTensor: (name) => options.onProgress?.(name, ++done, toWrite.length),
    });
    for (const file of tokenizerFiles) {
      const bytes = readSmallFile(file, MAX_TOKENIZER_FILE_BYTES);
      if (bytes === null) throw new CheckpointError(`${file} disappeared while the model was being saved`);
      writeFileAtomic(join(tmp, basename(file)), bytes);
    }
    for (const [name, content] of Object.entries(options.extraFiles ?? {}))
      writeFileAtomic(join(tmp, name), content);
    if (occupied) {
      const old = `${tmp}.old`;
      renameSync(abs, old);
      renameSync(tmp, abs);
      rmSync(old, { recursive: true, force: true });
    } else {
      if (existsSync(abs)) rmSync(abs, { recursive: true });
      renameSync(tmp, abs);
    }
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  return abs;
}
