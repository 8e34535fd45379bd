// The safetensors container format: dtype table, header parsing with validation, header serialisation.
// Layout: u64 little-endian header length N, N bytes of JSON ({name: {dtype, shape, data_offsets}, __metadata__}),
// then the raw little-endian tensor bytes. Pure functions over bytes; file IO lives in reader.ts and writer.ts.

/** A checkpoint file or folder that cannot be read or written; the message names the file and the fix. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** Element types we read; bytes per element. BOOL/U8/I8/I16 are refused with the list of these. */
export const SAFETENSORS_DTYPES = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4 } as const;
export type SafetensorsDType = keyof typeof SAFETENSORS_DTYPES;
export const FLOAT_DTYPES: readonly SafetensorsDType[] = ['F64', 'F32', 'F16', 'BF16'];

export interface TensorInfo {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** Byte range relative to the start of the data section. */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  /** Absolute byte offset of the data section (8 + header length). */
  readonly dataOffset: number;
  readonly tensors: ReadonlyMap<string, TensorInfo>;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Refuse headers above this size: real checkpoints stay far below it, corrupt lengths do not. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Reads the 8-byte header length; `fileSize` bounds it so a corrupt length never allocates gigabytes. */
export function headerLength(prefix: Uint8Array, fileSize: number, file: string): number {
  if (fileSize < 8 || prefix.byteLength < 8) {
    throw new CheckpointError(
      `${file} is truncated: ${fileSize} bytes, fewer than the 8-byte safetensors header length; re-download or re-save the file`,
    );
  }
  const n = Number(new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true));
  if (n < 2 || n > MAX_HEADER_BYTES) {
    throw new CheckpointError(
      `${file} is not a safetensors file: its header length field says ${n} bytes (valid: 2..${MAX_HEADER_BYTES}); check that the file is a .safetensors checkpoint and not a pickle or LFS pointer`,
    );
  }
  if (8 + n > fileSize) {
    throw new CheckpointError(
      `${file} is truncated: the header needs ${8 + n} bytes but the file has ${fileSize}; re-download or re-save the file`,
    );
  }
  return n;
}

/** Parses and validates the JSON header; `dataBytes` is the file size minus the data offset. */
export function parseHeader(json: Uint8Array, dataBytes: number, file: string): SafetensorsHeader {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (error) {
    throw new CheckpointError(
      `${file} has a corrupt safetensors header (${(error as Error).message}); re-download or re-save the file`,
    );
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CheckpointError(`${file} has a corrupt safetensors header: expected a JSON object`);
  }
  const tensors = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(raw as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(entry, file);
      continue;
    }
    tensors.set(name, parseEntry(name, entry, dataBytes, file));
  }
  checkLayout([...tensors.values()], file);
  return { dataOffset: 8 + json.byteLength, tensors, metadata };
}

function parseMetadata(entry: unknown, file: string): Record<string, string> {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw new CheckpointError(`${file}: __metadata__ must be an object of strings`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
    if (typeof v !== 'string')
      throw new CheckpointError(`${file}: __metadata__.${k} must be a string, got ${typeof v}`);
    out[k] = v;
  }
  return out;
}

function parseEntry(name: string, entry: unknown, dataBytes: number, file: string): TensorInfo {
  const bad = (what: string) =>
    new CheckpointError(
      `${file}: tensor "${name}" has ${what}; the header is corrupt, re-download or re-save the file`,
    );
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
    throw bad('no {dtype, shape, data_offsets} entry');
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in SAFETENSORS_DTYPES)) {
    throw new CheckpointError(
      `${file}: tensor "${name}" has ${dtype === undefined ? 'no dtype' : `dtype ${JSON.stringify(dtype)}`}, which this reader does not support (valid: ${Object.keys(SAFETENSORS_DTYPES).join(', ')}); convert the checkpoint to float32, float16 or bfloat16`,
    );
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw bad(shape === undefined ? 'no shape' : `an invalid shape ${JSON.stringify(shape)}`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    throw bad(offsets === undefined ? 'no data_offsets' : `invalid data_offsets ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  const size = SAFETENSORS_DTYPES[dtype as SafetensorsDType];
  const expected = numel(shape) * size;
  if (end - begin !== expected) {
    throw bad(`${end - begin} data bytes but ${dtype} [${shape.join(', ')}] needs ${expected}`);
  }
  if (end > dataBytes) {
    throw new CheckpointError(
      `${file} is truncated: tensor "${name}" ends at data byte ${end} but only ${dataBytes} data bytes are present; re-download or re-save the file`,
    );
  }
  return { name, dtype: dtype as SafetensorsDType, shape: shape.slice(), begin, end };
}

/** Tensors may not overlap (the safetensors spec also forbids holes; we tolerate them, as readers do). */
function checkLayout(infos: TensorInfo[], file: string): void {
  const sorted = infos.filter((t) => t.end > t.begin).sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1] as TensorInfo;
    const cur = sorted[i] as TensorInfo;
    if (cur.begin < prev.end) {
      throw new CheckpointError(
        `${file}: tensors "${prev.name}" and "${cur.name}" overlap (bytes ${prev.begin}..${prev.end} and ${cur.begin}..${cur.end}); the header is corrupt`,
      );
    }
  }
}

export interface HeaderEntry {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
}

/**
 * Serialises a header for tensors laid out back to back in the given order. The JSON is padded with spaces
 * to a multiple of 8 bytes, as the reference implementation does, so every tensor starts 8-byte aligned.
 */
export function buildHeader(
  entries: readonly HeaderEntry[],
  metadata: Readonly<Record<string, string>> = {},
): { bytes: Uint8Array; offsets: Array<[number, number]>; dataBytes: number } {
  const json: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) json.__metadata__ = { ...metadata };
  const offsets: Array<[number, number]> = [];
  let cursor = 0;
  const seen = new Set<string>();
  for (const e of entries) {
    if (e.name === '__metadata__' || seen.has(e.name)) {
      throw new CheckpointError(
        `cannot write tensor name "${e.name}" twice or as __metadata__; tensor names must be unique`,
      );
    }
    seen.add(e.name);
    const end = cursor + numel(e.shape) * SAFETENSORS_DTYPES[e.dtype];
    offsets.push([cursor, end]);
    json[e.name] = { dtype: e.dtype, shape: e.shape.slice(), data_offsets: [cursor, end] };
    cursor = end;
  }
  let text = JSON.stringify(json);
  const raw = new TextEncoder().encode(text);
  const pad = (8 - (raw.byteLength % 8)) % 8;
  text += ' '.repeat(pad);
  const body = new TextEncoder().encode(text);
  const bytes = new Uint8Array(8 + body.byteLength);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(body.byteLength), true);
  bytes.set(body, 8);
  return { bytes, offsets, dataBytes: cursor };
}
