// Validators for what arrives over the runtime sidecar protocol: one per request's parameters and one for the
// progress notification. Each returns the typed value or the first bad field with a message naming the fix
// (errors as values at the boundary); the sidecar answers InvalidParams with it. Plain data only.
import {
  ALL_EVAL_METHODS,
  type ApplyEditParams,
  EDIT_METHODS,
  type EvalSource,
  type EvaluateParams,
  type ExportModelParams,
  type InstanceSource,
  type LoadModelParams,
  type ProgressParams,
  type ProgressToken,
  type RevertParams,
  RUNTIME_PROVIDERS,
  type SavePatchParams,
} from './types';

export type Checked<T> = { ok: true; value: T } | { ok: false; field: string; message: string };

/** Thrown inside a validator and turned into a `Checked` failure at its edge. */
class Bad extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function checked<T>(read: () => T): Checked<T> {
  try {
    return { ok: true, value: read() };
  } catch (error) {
    if (error instanceof Bad) return { ok: false, field: error.field, message: error.message };
    throw error;
  }
}

const show = (v: unknown) => (v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v)));

function object(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new Bad(field, `${field} must be an object, got ${show(v)}`);
  return v as Record<string, unknown>;
}

function onlyKeys(o: Record<string, unknown>, field: string, keys: readonly string[]): void {
  const extra = Object.keys(o).find((k) => !keys.includes(k));
  if (extra !== undefined)
    throw new Bad(
      field ? `${field}.${extra}` : extra,
      `unknown parameter "${extra}"${field ? ` in ${field}` : ''}; valid: ${keys.join(', ') || 'none'}`,
    );
}

function text(v: unknown, field: string): string {
  if (typeof v !== 'string' || v.trim() === '')
    throw new Bad(field, `${field} must be a non-empty string, got ${show(v)}`);
  return v;
}

function optional<T>(v: unknown, read: (v: unknown) => T): T | undefined {
  return v === undefined ? undefined : read(v);
}

function oneOf<T extends string>(v: unknown, field: string, values: readonly T[]): T {
  if (!values.includes(v as T))
    throw new Bad(field, `${field} must be one of ${values.join(', ')}, got ${show(v)}`);
  return v as T;
}

function integer(v: unknown, field: string, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
    throw new Bad(field, `${field} must be an integer of at least ${min}, got ${show(v)}`);
  return v;
}

function progressToken(o: Record<string, unknown>): ProgressToken | undefined {
  const t = o.progressToken;
  if (t === undefined || typeof t === 'string' || (typeof t === 'number' && Number.isFinite(t))) return t;
  throw new Bad('progressToken', `progressToken must be a number or a string, got ${show(t)}`);
}

function boolean(v: unknown, field: string): boolean {
  if (typeof v !== 'boolean') throw new Bad(field, `${field} must be true or false, got ${show(v)}`);
  return v;
}

/** Drops undefined members, so a validated value equals its JSON round trip. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

function instanceSource(v: unknown, field: string, allowDataset: boolean): EvalSource {
  const o = object(v, field);
  const kinds = allowDataset ? ['spec', 'instance', 'dataset', 'datasets'] : ['spec', 'instance'];
  const kind = oneOf(o.kind, `${field}.kind`, kinds);
  if (kind === 'datasets') {
    onlyKeys(o, field, ['kind', 'files']);
    if (!Array.isArray(o.files) || o.files.length === 0)
      throw new Bad(`${field}.files`, `${field}.files must be a non-empty list of dataset files`);
    const files = o.files.map((f, i) => text(f, `${field}.files[${i}]`));
    const twice = files.find((f, i) => files.indexOf(f) !== i);
    if (twice !== undefined) throw new Bad(`${field}.files`, `${field}.files names ${twice} twice`);
    return { kind, files };
  }
  const file = text(o.file, `${field}.file`);
  if (kind !== 'instance') {
    onlyKeys(o, field, ['kind', 'file']);
    return { kind: kind as 'spec' | 'dataset', file };
  }
  onlyKeys(o, field, ['kind', 'file', 'line', 'id']);
  const line = optional(o.line, (l) => integer(l, `${field}.line`, 1));
  const id = optional(o.id, (i) => text(i, `${field}.id`));
  if ((line === undefined) === (id === undefined))
    throw new Bad(
      `${field}.line`,
      `${field} needs exactly one of "line" (1-based) or "id" to pick the instance`,
    );
  return defined({ kind, file, line, id });
}

export function checkLoadModelParams(v: unknown): Checked<LoadModelParams> {
  return checked(() => {
    const o = object(v, 'params');
    onlyKeys(o, '', ['folder', 'provider', 'threads', 'progressToken']);
    return defined({
      folder: text(o.folder, 'folder'),
      provider: optional(o.provider, (p) => oneOf(p, 'provider', RUNTIME_PROVIDERS)),
      threads: optional(o.threads, (t) => integer(t, 'threads', 1)),
      progressToken: progressToken(o),
    });
  });
}

export function checkApplyEditParams(v: unknown): Checked<ApplyEditParams> {
  return checked(() => {
    const o = object(v, 'params');
    onlyKeys(o, '', ['source', 'method', 'hypernet', 'progressToken']);
    return defined({
      source: instanceSource(o.source, 'source', false) as InstanceSource,
      method: optional(o.method, (m) => oneOf(m, 'method', EDIT_METHODS)),
      hypernet: optional(o.hypernet, (h) => text(h, 'hypernet')),
      progressToken: progressToken(o),
    });
  });
}

export function checkRevertParams(v: unknown): Checked<RevertParams> {
  return checked(() => {
    const o = object(v ?? {}, 'params');
    onlyKeys(o, '', ['id']);
    return defined({ id: optional(o.id, (i) => text(i, 'id')) });
  });
}

/** For the parameterless requests (revertAll, listPatches, status): `{}` or nothing. */
export function checkNoParams(v: unknown): Checked<Record<string, never>> {
  return checked(() => {
    onlyKeys(object(v ?? {}, 'params'), '', []);
    return {};
  });
}

export function checkEvaluateParams(v: unknown): Checked<EvaluateParams> {
  return checked(() => {
    const o = object(v, 'params');
    onlyKeys(o, '', ['source', 'methods', 'limit', 'out_dir', 'force', 'progressToken']);
    let methods: EvaluateParams['methods'];
    if (o.methods !== undefined) {
      if (!Array.isArray(o.methods) || o.methods.length === 0)
        throw new Bad('methods', `methods must be a non-empty list of ${ALL_EVAL_METHODS.join(', ')}`);
      const list = o.methods.map((m, i) => oneOf(m, `methods[${i}]`, ALL_EVAL_METHODS));
      const twice = list.find((m, i) => list.indexOf(m) !== i);
      if (twice !== undefined) throw new Bad('methods', `methods names "${twice}" twice`);
      methods = list;
    }
    return defined({
      source: instanceSource(o.source, 'source', true),
      methods,
      limit: optional(o.limit, (l) => integer(l, 'limit', 1)),
      out_dir: optional(o.out_dir, (d) => text(d, 'out_dir')),
      force: optional(o.force, (f) => boolean(f, 'force')),
      progressToken: progressToken(o),
    });
  });
}

export function checkSavePatchParams(v: unknown): Checked<SavePatchParams> {
  return checked(() => {
    const o = object(v, 'params');
    onlyKeys(o, '', ['id', 'path', 'force']);
    return defined({
      id: text(o.id, 'id'),
      path: text(o.path, 'path'),
      force: optional(o.force, (f) => boolean(f, 'force')),
    });
  });
}

export function checkExportModelParams(v: unknown): Checked<ExportModelParams> {
  return checked(() => {
    const o = object(v, 'params');
    onlyKeys(o, '', ['out', 'force', 'progressToken']);
    return defined({
      out: text(o.out, 'out'),
      force: optional(o.force, (f) => boolean(f, 'force')),
      progressToken: progressToken(o),
    });
  });
}

export function checkProgressParams(v: unknown): Checked<ProgressParams> {
  return checked(() => {
    const o = object(v, 'params');
    onlyKeys(o, '', ['token', 'method', 'fraction', 'message']);
    if (typeof o.token !== 'number' && typeof o.token !== 'string')
      throw new Bad(
        'token',
        `token must be the request's progressToken (number or string), got ${show(o.token)}`,
      );
    if (typeof o.fraction !== 'number' || !(o.fraction >= 0 && o.fraction <= 1))
      throw new Bad('fraction', `fraction must be a number in 0..1, got ${show(o.fraction)}`);
    if (typeof o.message !== 'string')
      throw new Bad('message', `message must be a string, got ${show(o.message)}`);
    return { token: o.token, method: text(o.method, 'method'), fraction: o.fraction, message: o.message };
  });
}
