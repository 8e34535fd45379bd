// Reads tensors from safetensors checkpoints (one file, or shards listed by model.safetensors.index.json)
// one at a time, straight from disk at their offsets: float32 lands directly in the result's buffer, 16-bit
// floats are read raw in chunks and converted. Never buffers a whole file. Knows nothing about model families.
import { closeSync, existsSync, fstatSync, readdirSync, readSync, statSync } from 'node:fs';
import { endianness } from 'node:os';
import { basename, join } from 'node:path';
import { bf16ToF32, f16ToF32 } from './convert';
import { MAX_INDEX_BYTES, openRegularFile, readSmallTextFile } from './files';
import {
  CheckpointError,
  headerLength,
  numel,
  parseHeader,
  type SafetensorsHeader,
  type TensorInfo,
} from './format';

export const INDEX_FILE = 'model.safetensors.index.json';
export const SINGLE_FILE = 'model.safetensors';

/** One tensor's location: its file, the file's data offset and the tensor's header entry. */
export interface TensorSource {
  readonly file: string;
  readonly dataOffset: number;
  readonly info: TensorInfo;
}

/** Largest single readSync; Node refuses lengths of 2 GiB and more. */
const READ_CHUNK_BYTES = 256 * 1024 * 1024;
/** Raw 16-bit elements converted per chunk (32 MiB of scratch). */
const CONVERT_CHUNK_ELEMENTS = 16 * 1024 * 1024;

if (endianness() !== 'LE') {
  throw new Error('safetensors reading needs a little-endian CPU; this machine is big-endian');
}

/** Reads the header of one safetensors file (a few kilobytes), validating it against the file size. */
export function readHeader(file: string): SafetensorsHeader {
  const fd = openRegularFile(file);
  if (fd === null) throw new CheckpointError(`${file} does not exist; copy the model's safetensors files`);
  try {
    const size = fstatSync(fd).size;
    const prefix = new Uint8Array(Math.min(8, size));
    readFully(fd, prefix, 0, file);
    const n = headerLength(prefix, size, file);
    const json = new Uint8Array(n);
    readFully(fd, json, 8, file);
    return parseHeader(json, size - 8 - n, file);
  } finally {
    closeSync(fd);
  }
}

function readFully(fd: number, into: Uint8Array, position: number, file: string): void {
  let done = 0;
  while (done < into.byteLength) {
    const len = Math.min(READ_CHUNK_BYTES, into.byteLength - done);
    const got = readSync(fd, into, done, len, position + done);
    if (got === 0) {
      throw new CheckpointError(
        `${file} is truncated: expected ${into.byteLength - done} more bytes at offset ${position + done}; re-download or re-save the file`,
      );
    }
    done += got;
  }
}

/** Finds the safetensors files of a model folder and maps every tensor name to its source. */
export function indexCheckpoint(dir: string): { files: string[]; tensors: Map<string, TensorSource> } {
  const indexPath = join(dir, INDEX_FILE);
  if (existsSync(indexPath)) return indexSharded(dir, indexPath);
  const single = join(dir, SINGLE_FILE);
  let candidates: string[] = [];
  if (existsSync(single)) candidates = [single];
  else {
    const all = safeList(dir);
    const st = all.filter((f) => f.endsWith('.safetensors'));
    if (st.length === 1) candidates = [join(dir, st[0] as string)];
    else if (st.length > 1) {
      throw new CheckpointError(
        `${dir} has several .safetensors files (${st.join(', ')}) but no ${INDEX_FILE}; add the index that maps tensor names to files, or keep one ${SINGLE_FILE}`,
      );
    } else {
      const torch = all.filter((f) => /\.(bin|pt|pth|ckpt)$/.test(f));
      throw new CheckpointError(
        `${dir} has no ${SINGLE_FILE}, no ${INDEX_FILE} and no other .safetensors file${torch.length ? ` (found ${torch.join(', ')}: PyTorch pickles are not read; re-save with save_pretrained(..., safe_serialization=True))` : ''}; point at a Hugging Face model folder with safetensors weights`,
      );
    }
  }
  const tensors = new Map<string, TensorSource>();
  for (const file of candidates) {
    const header = readHeader(file);
    for (const info of header.tensors.values())
      tensors.set(info.name, { file, dataOffset: header.dataOffset, info });
  }
  return { files: candidates, tensors };
}

function safeList(dir: string): string[] {
  try {
    if (!statSync(dir).isDirectory())
      throw new CheckpointError(`${dir} is a file; pass the model folder that contains it`);
    return readdirSync(dir).sort();
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(`model folder ${dir} does not exist; pass a Hugging Face model folder`);
  }
}

function indexSharded(
  dir: string,
  indexPath: string,
): { files: string[]; tensors: Map<string, TensorSource> } {
  let weightMap: Record<string, unknown>;
  const text = readSmallTextFile(indexPath, MAX_INDEX_BYTES);
  if (text === null) throw new CheckpointError(`${indexPath} disappeared while the model was loading`);
  try {
    const parsed = JSON.parse(text) as { weight_map?: unknown };
    if (!parsed?.weight_map || typeof parsed.weight_map !== 'object' || Array.isArray(parsed.weight_map))
      throw new Error('no "weight_map" object');
    weightMap = parsed.weight_map as Record<string, unknown>;
  } catch (error) {
    throw new CheckpointError(
      `${indexPath} is not a valid safetensors index (${(error as Error).message}); it needs {"weight_map": {tensor name: shard file}}`,
    );
  }
  const headers = new Map<string, SafetensorsHeader>();
  const tensors = new Map<string, TensorSource>();
  for (const [name, shard] of Object.entries(weightMap)) {
    if (typeof shard !== 'string' || shard.includes('/') || shard.includes('\\')) {
      throw new CheckpointError(
        `${indexPath}: weight_map["${name}"] must be a file name in the same folder, got ${JSON.stringify(shard)}`,
      );
    }
    const file = join(dir, shard);
    let header = headers.get(file);
    if (!header) {
      if (!existsSync(file)) {
        throw new CheckpointError(
          `${indexPath} lists shard ${shard} for "${name}", but ${file} is missing; copy every shard the index names`,
        );
      }
      header = readHeader(file);
      headers.set(file, header);
    }
    const info = header.tensors.get(name);
    if (!info) {
      throw new CheckpointError(
        `${indexPath} maps "${name}" to ${shard}, but that shard has no such tensor; the index and the shards do not match`,
      );
    }
    tensors.set(name, { file, dataOffset: header.dataOffset, info });
  }
  return { files: [...headers.keys()], tensors };
}

/** Reads tensors from a set of sources, keeping each file open until close(). */
export class TensorReader {
  private readonly fds = new Map<string, number>();
  private scratch: Uint16Array | null = null;

  private fd(file: string): number {
    let fd = this.fds.get(file);
    if (fd === undefined) {
      const opened = openRegularFile(file);
      if (opened === null) throw new CheckpointError(`${file} disappeared while the model was loading`);
      fd = opened;
      this.fds.set(file, fd);
    }
    return fd;
  }

  private raw16(n: number): Uint16Array {
    if (!this.scratch || this.scratch.length < n)
      this.scratch = new Uint16Array(Math.min(n, CONVERT_CHUNK_ELEMENTS));
    return this.scratch.subarray(0, n);
  }

  /** Reads a float tensor (F32, F16, BF16, F64) as `dtype`; the result is allocated once. */
  readFloat(src: TensorSource, dtype: 'float32'): Float32Array;
  readFloat(src: TensorSource, dtype: 'float64'): Float64Array;
  readFloat(src: TensorSource, dtype: 'float32' | 'float64'): Float32Array | Float64Array;
  readFloat(src: TensorSource, dtype: 'float32' | 'float64'): Float32Array | Float64Array {
    const { info, file } = src;
    const n = numel(info.shape);
    const fd = this.fd(file);
    const start = src.dataOffset + info.begin;
    const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    if (info.dtype === 'I64' || info.dtype === 'I32') {
      throw new CheckpointError(
        `${file}: tensor "${info.name}" has dtype ${info.dtype}, not a float type (valid: F32, F16, BF16, F64); it cannot be a model weight`,
      );
    }
    if ((info.dtype === 'F32' && dtype === 'float32') || (info.dtype === 'F64' && dtype === 'float64')) {
      const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
      readFully(fd, bytesOf(out), start, file);
      return out;
    }
    const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
    if (info.dtype === 'F16' || info.dtype === 'BF16') {
      const decode = info.dtype === 'F16' ? f16ToF32 : bf16ToF32;
      const wide = dtype === 'float64' ? new Float32Array(Math.min(n, CONVERT_CHUNK_ELEMENTS)) : null;
      for (let i = 0; i < n; i += CONVERT_CHUNK_ELEMENTS) {
        const m = Math.min(CONVERT_CHUNK_ELEMENTS, n - i);
        const raw = this.raw16(m);
        readFully(fd, bytesOf(raw), start + 2 * i, file);
        if (wide) {
          decode(raw, wide, 0);
          out.set(wide.subarray(0, m), i);
        } else decode(raw, out as Float32Array, i);
      }
      return out;
    }
    // A float32 file widened to float64, or a float64 file narrowed to float32 (round to nearest), chunk by chunk.
    const chunk = Math.min(n, Math.floor(CONVERT_CHUNK_ELEMENTS / 2));
    const size = info.dtype === 'F32' ? 4 : 8;
    const buffer = info.dtype === 'F32' ? new Float32Array(chunk) : new Float64Array(chunk);
    for (let i = 0; i < n; i += chunk) {
      const raw = buffer.subarray(0, Math.min(chunk, n - i));
      readFully(fd, bytesOf(raw), start + size * i, file);
      out.set(raw, i);
    }
    return out;
  }

  /** Reads an integer tensor (I64 as BigInt64Array, I32 as Int32Array). */
  readInt(src: TensorSource): BigInt64Array | Int32Array {
    const { info, file } = src;
    const n = numel(info.shape);
    let out: BigInt64Array | Int32Array;
    if (info.dtype === 'I64') out = new BigInt64Array(n);
    else if (info.dtype === 'I32') out = new Int32Array(n);
    else {
      throw new CheckpointError(
        `${file}: tensor "${info.name}" has dtype ${info.dtype}, expected I64 or I32`,
      );
    }
    readFully(this.fd(file), new Uint8Array(out.buffer), src.dataOffset + info.begin, file);
    return out;
  }

  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
    this.scratch = null;
  }
}

/** Reads every tensor of one safetensors file into memory (tests and small files; models use TensorReader). */
export function readAllFloat(file: string, dtype: 'float32' | 'float64' = 'float32') {
  const header = readHeader(file);
  const reader = new TensorReader();
  try {
    const out = new Map<string, { shape: number[]; data: Float32Array | Float64Array }>();
    for (const info of header.tensors.values()) {
      out.set(info.name, {
        shape: info.shape.slice(),
        data: reader.readFloat({ file, dataOffset: header.dataOffset, info }, dtype),
      });
    }
    return { tensors: out, metadata: header.metadata, name: basename(file) };
  } finally {
    reader.close();
  }
}
