// Memory estimates checked before work is allocated: the host weights a config implies (refused when they
// exceed the machine's memory or one typed array's length), and the attention activations of one batch
// (refused when a long text would exhaust memory). Pure arithmetic over a config; owns no IO and no graphs.
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import type { FloatDType } from '../ir/dtype';
import { CheckpointError } from '../load/format';
import type { ModelConfig } from './config';
import { parameterNames } from './registry';

/** Longest typed array V8 allocates here (Node 20: 2^32 elements). */
export const MAX_TENSOR_ELEMENTS = 2 ** 32;

const BYTES: Record<FloatDType, number> = { float32: 4, float64: 8 };

const GIB = 1024 ** 3;

export function formatGiB(bytes: number): string {
  return `${(bytes / GIB).toFixed(bytes < 10 * GIB ? 2 : 1)} GiB`;
}

/** Parameter count and host bytes of a config's weights held as `dtype`. */
export function weightFootprint(
  config: ModelConfig,
  dtype: FloatDType,
): { parameters: number; bytes: number; largest: { name: string; elements: number } } {
  let parameters = 0;
  let largest = { name: '', elements: 0 };
  for (const p of parameterNames(config)) {
    const n = p.shape.reduce((a, b) => a * b, 1);
    parameters += n;
    if (n > largest.elements) largest = { name: p.name, elements: n };
  }
  return { parameters, bytes: parameters * BYTES[dtype], largest };
}

/**
 * Throws CheckpointError when the weights of `config` as `dtype` need more than `available` bytes (default:
 * the machine's total memory) or one of them has more elements than one array can hold; the message names
 * the folder and the numbers.
 */
export function checkWeightsFit(
  config: ModelConfig,
  dtype: FloatDType,
  where: string,
  available = totalmem(),
): void {
  const { parameters, bytes, largest } = weightFootprint(config, dtype);
  if (bytes > available) {
    throw new CheckpointError(
      `${where}: the model has ${parameters.toLocaleString('en-US')} parameters, which need ${formatGiB(bytes)} as ${dtype}, but this machine has ${formatGiB(available)} of memory; use a smaller model or a machine with more memory`,
    );
  }
  if (largest.elements > MAX_TENSOR_ELEMENTS) {
    throw new CheckpointError(
      `${where}: ${largest.name} has ${largest.elements.toLocaleString('en-US')} elements, more than the ${MAX_TENSOR_ELEMENTS.toLocaleString('en-US')} one array can hold; this model is too large to load here`,
    );
  }
}

/**
 * An estimate of the bytes the attention of one pass over `rows` sequences of `length` tokens needs: the
 * host attention bias [B, 1, T, T] (built as JS numbers, then as floats) plus [B, H, T, T] tensors, two at
 * once in a forward pass (scores and probabilities), one kept per layer plus one working when gradients
 * need the probabilities of every layer. Other activations grow with T, not T², and are left out.
 */
export function attentionBytes(
  config: ModelConfig,
  dtype: FloatDType,
  rows: number,
  length: number,
  backward: boolean,
): { host: number; total: number } {
  const square = rows * length * length;
  const host = square * (8 + BYTES[dtype]);
  const perTensor = square * config.numHeads * BYTES[dtype];
  return { host, total: host + perTensor * (backward ? config.numLayers + 1 : 2) };
}

/** The memory a batch may use: the machine's memory, and for host arrays the JavaScript heap limit. */
export function memoryBudget(): { total: number; heap: number } {
  return { total: totalmem(), heap: getHeapStatistics().heap_size_limit };
}
