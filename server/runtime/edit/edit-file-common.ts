// What the hypernetwork and edit-patch files share: the typed error naming the file and the field, sha256 of a
// file, the tool version written into headers, small JSON-shape readers, and reading one safetensors file
// whose JSON header sits in __metadata__. Owns no format of its own; hypernet-file.ts and patch-file.ts do.
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import packageJson from '../../../package.json';
import { CheckpointError } from '../load/format';
import { readHeader, TensorReader } from '../load/reader';

/** The propmend version recorded in every file this area writes. */
export const TOOL_VERSION: string = packageJson.version;

/**
 * A hypernetwork or patch file that cannot be read, or does not fit: `file` and `field` (a JSON path into the
 * header, or a tensor name) say where, the message says what and the fix.
 */
export class EditFileError extends CheckpointError {
  override name = 'EditFileError';
  constructor(
    readonly file: string,
    readonly field: string | null,
    message: string,
  ) {
    super(message);
  }
}

/** A float32 tensor as stored in these files. */
export interface StoredTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Hex sha256 of a file's bytes, read in 1 MiB chunks. */
export function sha256File(file: string): string {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    const buf = new Uint8Array(1 << 20);
    for (;;) {
      const n = readSync(fd, buf, 0, buf.byteLength, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * Reads one safetensors file: every tensor as float32 (F32 only: these files are written as F32) and the JSON
 * object stored as a string under `__metadata__[key]`. Container errors (truncation, corrupt header) come from
 * the shared reader as CheckpointError and are rethrown as EditFileError naming the file.
 */
export function readTensorFile(
  file: string,
  key: string,
  what: string,
): { header: Record<string, unknown>; tensors: Map<string, StoredTensor> } {
  let parsedHeader: ReturnType<typeof readHeader>;
  try {
    parsedHeader = readHeader(file);
  } catch (error) {
    if (error instanceof EditFileError) throw error;
    throw new EditFileError(file, null, (error as Error).message);
  }
  const text = parsedHeader.metadata[key];
  if (text === undefined) {
    throw new EditFileError(
      file,
      `__metadata__.${key}`,
      `${file} is a safetensors file but not a ${what}: its __metadata__ has no "${key}" entry; pass a file written by propmend`,
    );
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    throw new EditFileError(
      file,
      `__metadata__.${key}`,
      `${file}: __metadata__.${key} is not valid JSON (${(error as Error).message}); the file is corrupt, re-create it`,
    );
  }
  if (!isObject(header)) {
    throw new EditFileError(
      file,
      `__metadata__.${key}`,
      `${file}: __metadata__.${key} must be a JSON object`,
    );
  }
  const tensors = new Map<string, StoredTensor>();
  const reader = new TensorReader();
  try {
    for (const info of parsedHeader.tensors.values()) {
      if (info.dtype !== 'F32') {
        throw new EditFileError(
          file,
          info.name,
          `${file}: tensor "${info.name}" has dtype ${info.dtype}; ${what}s store F32 tensors only, re-create the file with propmend`,
        );
      }
      const data = reader.readFloat({ file, dataOffset: parsedHeader.dataOffset, info }, 'float32');
      tensors.set(info.name, { shape: info.shape.slice(), data });
    }
  } catch (error) {
    if (error instanceof EditFileError) throw error;
    throw new EditFileError(file, null, (error as Error).message);
  } finally {
    reader.close();
  }
  return { header: header as Record<string, unknown>, tensors };
}

/** True when `t` exists and has exactly the shape `want`. */
export function hasShape(
  t: { readonly shape: readonly number[] } | undefined,
  want: readonly number[],
): boolean {
  return t !== undefined && t.shape.length === want.length && t.shape.every((d, i) => d === want[i]);
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Typed readers over one header object; every failure names the file and the JSON path. */
export class HeaderReader {
  constructor(
    readonly file: string,
    readonly what: string,
  ) {}

  fail(field: string, want: string, got: unknown): never {
    throw new EditFileError(
      this.file,
      field,
      `${this.file}: ${this.what} field "${field}" must be ${want}, got ${JSON.stringify(got) ?? 'nothing'}; the file is corrupt or from another tool, re-create it`,
    );
  }

  object(v: unknown, field: string): Record<string, unknown> {
    if (!isObject(v)) this.fail(field, 'an object', v);
    return v;
  }

  string(v: unknown, field: string): string {
    if (typeof v !== 'string') this.fail(field, 'a string', v);
    return v;
  }

  nullableString(v: unknown, field: string): string | null {
    if (v === null) return null;
    return this.string(v, field);
  }

  count(v: unknown, field: string, min = 1): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min)
      this.fail(field, `an integer >= ${min}`, v);
    return v;
  }

  finite(v: unknown, field: string): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(field, 'a finite number', v);
    return v;
  }

  strings(v: unknown, field: string, nonEmpty = true): string[] {
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string') || (nonEmpty && v.length === 0))
      this.fail(field, nonEmpty ? 'a non-empty list of strings' : 'a list of strings', v);
    return v as string[];
  }

  oneOf<T extends string>(v: unknown, field: string, valid: readonly T[]): T {
    if (typeof v !== 'string' || !valid.includes(v as T)) this.fail(field, `one of ${valid.join(', ')}`, v);
    return v as T;
  }
}
