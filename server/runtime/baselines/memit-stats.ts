// MEMIT's key statistics (memit-spec.md §4): the uncentred second moment C = E[k k^T] of each edited layer's
// down_proj inputs over every non-padding token of a corpus, computed once on the unedited model and cached
// on disk (F32 safetensors, written atomically) under a name derived from the weights that shape the keys,
// the corpus bytes and the layers. Reads corpora through the dataset model and train/corpus.ts.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { maxOf } from '../../common/arrays';
import type { TextTokenizer } from '../../common/tokenizer';
import { readTextFile } from '../../dataset/index';
import { readAllFloat } from '../load/reader';
import { writeSafetensors } from '../load/writer';
import type { LanguageModel } from '../models/language-model';
import { padLeft } from '../tasks/batch';
import { readCorpus } from '../train/corpus';
import { captureForward } from './memit-graphs';

/** Progress and cancellation, the part of a JobContext the statistics need. */
export interface StatsContext {
  readonly signal: AbortSignal;
  progress(update: { fraction: number; message: string }): void;
  log(line: string): void;
}

export interface KeyStatistics {
  /** C per layer, f x f row-major, float64 (stored as F32). */
  readonly moments: Map<number, Float64Array>;
  /** Non-padding token positions averaged over. */
  readonly tokens: number;
  readonly file?: string;
}

/** A corpus MEMIT cannot use: the message names the file and the fix. */
export class MemitCorpusError extends Error {
  override name = 'MemitCorpusError';
}

/** Token sequences of a corpus: JSONL with a "text" per line (as pretraining reads it), else one per line. */
export function corpusSequences(
  file: string,
  tokenizer: TextTokenizer,
  maxLength: number,
): { sequences: number[][]; sha256: string } {
  let sequences: number[][];
  let sha256: string;
  if (file.endsWith('.jsonl')) {
    try {
      const corpus = readCorpus(file, tokenizer);
      sequences = corpus.sequences;
      sha256 = corpus.sha256;
    } catch (error) {
      throw new MemitCorpusError((error as Error).message);
    }
  } else {
    const read = readTextFile(file);
    if (!read.ok)
      throw new MemitCorpusError(
        `cannot read the MEMIT corpus ${file} (${read.message}); pass a text or .jsonl file with --memit-corpus`,
      );
    sha256 = createHash('sha256').update(read.text).digest('hex');
    sequences = read.text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l !== '')
      .map((l) => tokenizer.encode(l, { addSpecialTokens: true }));
  }
  const chunks: number[][] = [];
  for (const s of sequences)
    for (let i = 0; i < s.length; i += maxLength) chunks.push(s.slice(i, i + maxLength));
  const usable = chunks.filter((c) => c.length > 0);
  if (usable.length === 0) throw new MemitCorpusError(`the MEMIT corpus ${file} has no text`);
  return { sequences: usable, sha256 };
}

/** SHA-256 of the weights the keys of layers <= `maxLayer` depend on (embeddings and blocks 0..maxLayer). */
export function keyWeightsHash(model: LanguageModel, maxLayer: number): string {
  const hash = createHash('sha256');
  const relevant = (name: string) => {
    if (name.startsWith('model.embed_tokens.')) return true;
    const m = /^model\.layers\.(\d+)\./.exec(name);
    return m !== null && Number(m[1]) <= maxLayer;
  };
  for (const name of [...model.weights.keys()].filter(relevant).sort()) {
    const t = model.weights.get(name);
    if (!t) continue;
    hash.update(`${name}:${t.dtype}:${t.shape.join('x')};`);
    hash.update(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
  }
  return hash.digest('hex');
}

/** Accumulates sum k k^T per layer over the corpus (fp64 on the host) and divides by the token count. */
export async function computeKeyStatistics(
  model: LanguageModel,
  sequences: readonly (readonly number[])[],
  layers: readonly number[],
  ctx: StatsContext,
  tokensPerBatch = 4096,
): Promise<KeyStatistics> {
  const f = model.config.intermediateSize;
  const sums = new Map(layers.map((l) => [l, new Float64Array(f * f)] as const));
  const order = sequences
    .map((_, i) => i)
    .sort((a, b) => (sequences[a]?.length ?? 0) - (sequences[b]?.length ?? 0));
  let tokens = 0;
  let start = 0;
  while (start < order.length) {
    ctx.signal.throwIfAborted();
    let end = start + 1;
    while (
      end < order.length &&
      (end + 1 - start) * (sequences[order[end] as number]?.length ?? 0) <= tokensPerBatch
    )
      end++;
    const rows = order.slice(start, end).map((i) => sequences[i] as readonly number[]);
    const batch = padLeft(rows, model.tokens.pad);
    const captured = await captureForward(model, batch, { keyLayers: layers, moments: true });
    for (const l of layers) {
      const kk = captured.moments.get(l)?.data as ArrayLike<number>;
      const sum = sums.get(l) as Float64Array;
      for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) + (kk[i] as number);
    }
    tokens += rows.reduce((a, r) => a + r.length, 0);
    start = end;
    ctx.progress({ fraction: start / order.length, message: `${tokens} tokens` });
  }
  for (const sum of sums.values()) for (let i = 0; i < sum.length; i++) sum[i] = (sum[i] as number) / tokens;
  return { moments: sums, tokens };
}

/**
 * The key statistics of `layers` for `model` over the corpus `file`: read from `cacheDir` when a file for the
 * same key weights, corpus bytes and layers is there, else computed and written there atomically.
 */
export async function keyStatistics(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  file: string,
  layers: readonly number[],
  cacheDir: string,
  ctx: StatsContext,
): Promise<KeyStatistics> {
  const maxLength = Math.min(model.config.maxPositionEmbeddings, 2048);
  const { sequences, sha256 } = corpusSequences(file, tokenizer, maxLength);
  const modelHash = keyWeightsHash(model, maxOf(layers));
  const name = `${modelHash.slice(0, 16)}-${sha256.slice(0, 16)}-L${layers.join('_')}.safetensors`;
  const target = join(cacheDir, name);
  if (existsSync(target)) {
    const read = readAllFloat(target, 'float64');
    const moments = new Map<number, Float64Array>();
    for (const l of layers) {
      const t = read.tensors.get(`layer.${l}`);
      if (t) moments.set(l, t.data as Float64Array);
    }
    if (moments.size === layers.length && read.metadata.model_hash === modelHash) {
      ctx.log(`MEMIT key statistics from ${target}`);
      return { moments, tokens: Number(read.metadata.tokens), file: target };
    }
  }
  ctx.log(`MEMIT key statistics: computing over ${sequences.length} sequences of ${file}`);
  const stats = await computeKeyStatistics(model, sequences, layers, ctx);
  mkdirSync(cacheDir, { recursive: true });
  const f = model.config.intermediateSize;
  writeSafetensors(
    target,
    layers.map((l) => ({ name: `layer.${l}`, shape: [f, f], data: stats.moments.get(l) as Float64Array })),
    'F32',
    {
      metadata: {
        model_hash: modelHash,
        corpus_sha256: sha256,
        layers: layers.join(','),
        tokens: String(stats.tokens),
      },
    },
  );
  ctx.log(`MEMIT key statistics cached in ${target}`);
  // Reuse what was written (F32), so a fresh run and a cached run solve with identical statistics.
  const read = readAllFloat(target, 'float64');
  const moments = new Map(
    layers.map((l) => [l, read.tensors.get(`layer.${l}`)?.data as Float64Array] as const),
  );
  return { moments, tokens: stats.tokens, file: target };
}
