// Streams tensors into safetensors files: header first, then each tensor converted chunk by chunk (F32, F16 or
// BF16, rounding to nearest even), into a temp file that is fsynced and renamed over the target. Tensors may be
// given lazily so a multi-gigabyte checkpoint is written with one tensor in memory. Knows nothing about models.
import { join } from 'node:path';
import { writeAll, writeAtomicWith, writeJsonAtomic } from '../../common/atomic';
import { encode16, f64ToF32RoundOdd } from './convert';
import { buildHeader, CheckpointError, numel, SAFETENSORS_DTYPES } from './format';

export const OUTPUT_DTYPES = ['F32', 'F16', 'BF16'] as const;
export type OutputDType = (typeof OUTPUT_DTYPES)[number];

export type FloatData = Float32Array | Float64Array;

/** Produces a tensor chunk by chunk: fills `out` with the values starting at element `start`. */
export interface TensorFill {
  fill(start: number, out: Float32Array): void;
}

export interface TensorToWrite {
  readonly name: string;
  readonly shape: readonly number[];
  /**
   * The values; or a function producing them when the writer reaches this tensor (one tensor in memory);
   * or a TensorFill called per chunk (a few megabytes in memory, for generated multi-gigabyte checkpoints).
   */
  readonly data: FloatData | (() => FloatData) | TensorFill;
}

/** Elements converted per write. */
const WRITE_CHUNK_ELEMENTS = 4 * 1024 * 1024;

/**
 * Writes one safetensors file atomically. `onTensor` reports progress after each tensor.
 * Returns the number of tensor data bytes written.
 */
export function writeSafetensors(
  target: string,
  tensors: readonly TensorToWrite[],
  dtype: OutputDType,
  options: {
    metadata?: Readonly<Record<string, string>>;
    onTensor?: (name: string, bytes: number) => void;
  } = {},
): number {
  if (!OUTPUT_DTYPES.includes(dtype)) {
    throw new CheckpointError(`cannot write dtype ${String(dtype)}; valid: ${OUTPUT_DTYPES.join(', ')}`);
  }
  const header = buildHeader(
    tensors.map((t) => ({ name: t.name, dtype, shape: t.shape })),
    options.metadata ?? {},
  );
  writeAtomicWith(target, (fd) => {
    writeAll(fd, header.bytes);
    const f32 = new Float32Array(WRITE_CHUNK_ELEMENTS);
    const u16 = new Uint16Array(WRITE_CHUNK_ELEMENTS);
    for (const t of tensors) {
      const n = numel(t.shape);
      if (isFill(t.data)) {
        writeFilled(fd, t.data, n, dtype, f32, u16);
        options.onTensor?.(t.name, n * SAFETENSORS_DTYPES[dtype]);
        continue;
      }
      const data = typeof t.data === 'function' ? t.data() : t.data;
      if (data.length !== n) {
        throw new CheckpointError(
          `tensor "${t.name}" has ${data.length} values but shape [${t.shape.join(', ')}] needs ${n}; fix the tensor before saving`,
        );
      }
      writeTensor(fd, data, dtype, f32, u16);
      options.onTensor?.(t.name, n * SAFETENSORS_DTYPES[dtype]);
    }
  });
  return header.dataBytes;
}

function isFill(data: TensorToWrite['data']): data is TensorFill {
  return typeof data === 'object' && 'fill' in data && !ArrayBuffer.isView(data);
}

function writeFilled(
  fd: number,
  source: TensorFill,
  n: number,
  dtype: OutputDType,
  f32: Float32Array,
  u16: Uint16Array,
) {
  for (let i = 0; i < n; i += WRITE_CHUNK_ELEMENTS) {
    const m = Math.min(WRITE_CHUNK_ELEMENTS, n - i);
    const chunk = f32.subarray(0, m);
    source.fill(i, chunk);
    if (dtype === 'F32') writeAll(fd, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    else {
      const out = u16.subarray(0, m);
      encode16(dtype, chunk, out);
      writeAll(fd, new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
    }
  }
}

function writeTensor(
  fd: number,
  data: FloatData,
  dtype: OutputDType,
  f32: Float32Array,
  u16: Uint16Array,
): void {
  const n = data.length;
  if (dtype === 'F32' && data instanceof Float32Array) {
    for (let i = 0; i < n; i += WRITE_CHUNK_ELEMENTS * 16) {
      const part = data.subarray(i, Math.min(n, i + WRITE_CHUNK_ELEMENTS * 16));
      writeAll(fd, new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
    }
    return;
  }
  for (let i = 0; i < n; i += WRITE_CHUNK_ELEMENTS) {
    const m = Math.min(WRITE_CHUNK_ELEMENTS, n - i);
    let chunk: Float32Array;
    if (data instanceof Float32Array) chunk = data.subarray(i, i + m);
    else {
      chunk = f32.subarray(0, m);
      // float32 output rounds to nearest; 16-bit output goes through round-to-odd to avoid double rounding.
      if (dtype === 'F32') chunk.set(data.subarray(i, i + m));
      else f64ToF32RoundOdd(data.subarray(i, i + m), chunk, 0);
    }
    if (dtype === 'F32') {
      writeAll(fd, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    } else {
      const out = u16.subarray(0, m);
      encode16(dtype, chunk, out);
      writeAll(fd, new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
    }
  }
}

export interface ShardPlan {
  /** File name per shard, in order. */
  readonly files: string[];
  /** Tensor indices per shard. */
  readonly groups: number[][];
}

/** Splits tensors in order into shards of at most `maxShardBytes` (a larger tensor gets a shard of its own). */
export function planShards(
  tensors: readonly TensorToWrite[],
  dtype: OutputDType,
  maxShardBytes: number,
): ShardPlan {
  const groups: number[][] = [];
  let current: number[] = [];
  let size = 0;
  tensors.forEach((t, i) => {
    const bytes = numel(t.shape) * SAFETENSORS_DTYPES[dtype];
    if (current.length > 0 && size + bytes > maxShardBytes) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(i);
    size += bytes;
  });
  if (current.length > 0 || groups.length === 0) groups.push(current);
  const total = groups.length;
  const pad = (k: number) => String(k).padStart(5, '0');
  const files =
    total === 1
      ? ['model.safetensors']
      : groups.map((_, k) => `model-${pad(k + 1)}-of-${pad(total)}.safetensors`);
  return { files, groups };
}

/**
 * Writes `model.safetensors`, or shards plus `model.safetensors.index.json` when the data exceeds
 * `maxShardBytes`, into `dir`. Returns the file names written (index last).
 */
export function writeShardedSafetensors(
  dir: string,
  tensors: readonly TensorToWrite[],
  dtype: OutputDType,
  options: {
    maxShardBytes: number;
    metadata?: Readonly<Record<string, string>>;
    onTensor?: (name: string, bytes: number) => void;
  },
): string[] {
  const plan = planShards(tensors, dtype, options.maxShardBytes);
  const weightMap: Record<string, string> = {};
  let totalSize = 0;
  plan.groups.forEach((group, k) => {
    const file = plan.files[k] as string;
    const subset = group.map((i) => tensors[i] as TensorToWrite);
    totalSize += writeSafetensors(join(dir, file), subset, dtype, options);
    for (const t of subset) weightMap[t.name] = file;
  });
  if (plan.files.length === 1) return plan.files;
  const sorted = Object.fromEntries(
    Object.entries(weightMap).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  writeJsonAtomic(join(dir, 'model.safetensors.index.json'), {
    metadata: { total_size: totalSize },
    weight_map: sorted,
  });
  return [...plan.files, 'model.safetensors.index.json'];
}
