// The hypernetwork checkpoint file: one `hypernet.safetensors` (float32 tensors) whose JSON header lives in the
// safetensors `__metadata__` under "propmend.hypernet", written atomically through load/writer.ts. Owns the
// header's shape and its validation, and the model-compatibility check; not what the tensors mean (the
// transform's code does) and not training state for resuming (the trainer's checkpoint store does).
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { claimOutput } from '../../common/output';
import { numel } from '../load/format';
import { writeSafetensors } from '../load/writer';
import {
  EditFileError,
  HeaderReader,
  hasShape,
  readTensorFile,
  type StoredTensor,
  sha256File,
  TOOL_VERSION,
} from './edit-file-common';
import {
  type IdentitySource,
  identityProblems,
  type ModelIdentity,
  readModelIdentity,
  targetParamName,
} from './identity';

/** The file inside a hypernetwork folder. */
export const HYPERNET_FILE = 'hypernet.safetensors';
/** The `__metadata__` key holding the JSON header (a string, as safetensors metadata must be). */
export const HYPERNET_METADATA_KEY = 'propmend.hypernet';
export const HYPERNET_FORMAT_VERSION = 1;
export const EDIT_METHODS = ['propmend', 'mend'] as const;
export type EditMethod = (typeof EDIT_METHODS)[number];
export const NORMALISATION_MODES = ['frozen', 'reference_online'] as const;
export type NormalisationMode = (typeof NORMALISATION_MODES)[number];

/** One gradient transform: its input widths, low-rank size and the target parameters it serves (mode order). */
export interface TransformShape {
  readonly name: string;
  readonly x_dim: number;
  readonly delta_dim: number;
  readonly rank: number;
  readonly params: readonly string[];
}

/** The statistics' use at edit time and the Welford count per transform (tensors: see STAT_TENSORS). */
export interface NormalisationInfo {
  readonly mode: NormalisationMode;
  readonly counts: Readonly<Record<string, number>>;
}

/** Per transform, these tensors hold the normalisation statistics: `${transform}.${suffix}`. */
export const STAT_TENSORS = {
  u_mean: 'x_dim',
  u_std: 'x_dim',
  v_mean: 'delta_dim',
  v_std: 'delta_dim',
} as const;

export interface HypernetHeader {
  readonly format_version: typeof HYPERNET_FORMAT_VERSION;
  readonly method: EditMethod;
  /** The training config, owned by the trainer; stored as given. */
  readonly config: unknown;
  /** Parameter names ("….weight") in edit order; every one is served by exactly one transform. */
  readonly target_params: readonly string[];
  readonly transforms: readonly TransformShape[];
  readonly normalisation: NormalisationInfo;
  /** The learned edit step per target parameter, in target_params order. */
  readonly alpha: readonly number[];
  readonly base_model: ModelIdentity;
  /** Training metrics and provenance (steps, best validation metrics, time), owned by the trainer. */
  readonly training: Readonly<Record<string, unknown>>;
  readonly created_at: string;
  readonly tool_version: string;
}

/** Tensors to save may be float64 (rounded to float32 on write); loaded tensors are float32. */
export interface HypernetCheckpoint {
  readonly header: HypernetHeader;
  readonly tensors: ReadonlyMap<
    string,
    { readonly shape: readonly number[]; readonly data: Float32Array | Float64Array }
  >;
}

export interface LoadedHypernet {
  /** Absolute path of hypernet.safetensors. */
  readonly file: string;
  readonly sha256: string;
  readonly header: HypernetHeader;
  readonly tensors: ReadonlyMap<string, StoredTensor>;
}

/** A hypernetwork folder, or the .safetensors file itself, to the file path. */
export function hypernetFilePath(path: string): string {
  const abs = resolve(path);
  if (abs.endsWith('.safetensors')) return abs;
  return join(abs, HYPERNET_FILE);
}

/**
 * Validates a header (as parsed JSON) and the tensors beside it; throws EditFileError naming `file` and the
 * field. Used on load and, before anything is written, on save.
 */
export function validateHypernet(
  raw: Record<string, unknown>,
  tensors: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: ArrayLike<number> }>,
  file: string,
): HypernetHeader {
  const r: HeaderReader = new HeaderReader(file, 'hypernetwork header');
  if (raw.format_version !== HYPERNET_FORMAT_VERSION) {
    throw new EditFileError(
      file,
      'format_version',
      `${file}: hypernetwork format_version ${JSON.stringify(raw.format_version)} is not supported (this propmend reads ${HYPERNET_FORMAT_VERSION}); re-train or upgrade propmend`,
    );
  }
  const method = r.oneOf(raw.method, 'method', EDIT_METHODS);
  const targets = r.strings(raw.target_params, 'target_params');
  targets.forEach((t, i) => {
    if (!t.endsWith('.weight')) r.fail(`target_params[${i}]`, 'a parameter name ending in ".weight"', t);
  });
  if (new Set(targets).size !== targets.length) r.fail('target_params', 'a list without repeats', targets);
  const rawTransforms = raw.transforms;
  if (!Array.isArray(rawTransforms) || rawTransforms.length === 0)
    r.fail('transforms', 'a non-empty list', rawTransforms);
  const served = new Map<string, string>();
  const transforms: TransformShape[] = rawTransforms.map((t: unknown, i: number) => {
    const at = `transforms[${i}]`;
    const o = r.object(t, at);
    const shape: TransformShape = {
      name: r.string(o.name, `${at}.name`),
      x_dim: r.count(o.x_dim, `${at}.x_dim`),
      delta_dim: r.count(o.delta_dim, `${at}.delta_dim`),
      rank: r.count(o.rank, `${at}.rank`),
      params: r.strings(o.params, `${at}.params`),
    };
    for (const p of shape.params) {
      if (!targets.includes(p)) r.fail(`${at}.params`, 'names listed in target_params', p);
      if (served.has(p)) r.fail(`${at}.params`, 'parameters no other transform serves', p);
      served.set(p, shape.name);
    }
    return shape;
  });
  const unserved = targets.filter((t) => !served.has(t));
  if (unserved.length)
    r.fail('transforms', `transforms serving every target (missing ${unserved.join(', ')})`, null);
  const norm = r.object(raw.normalisation, 'normalisation');
  const counts = r.object(norm.counts, 'normalisation.counts');
  const normalisation: NormalisationInfo = {
    mode: r.oneOf(norm.mode, 'normalisation.mode', NORMALISATION_MODES),
    counts: Object.fromEntries(
      transforms.map((t) => [t.name, r.count(counts[t.name], `normalisation.counts.${t.name}`, 0)]),
    ),
  };
  for (const t of transforms) {
    for (const [suffix, dim] of Object.entries(STAT_TENSORS)) {
      const name = `${t.name}.${suffix}`;
      const tensor = tensors.get(name);
      const want = [t[dim]];
      if (!hasShape(tensor, want)) {
        throw new EditFileError(
          file,
          name,
          `${file}: normalisation tensor "${name}" must have shape [${want.join(', ')}], ${tensor ? `got [${tensor.shape.join(', ')}]` : 'it is missing'}; the file is corrupt, re-create it`,
        );
      }
    }
  }
  for (const [name, t] of tensors) {
    if (t.data.length !== numel(t.shape)) {
      throw new EditFileError(
        file,
        name,
        `tensor "${name}" has ${t.data.length} values but shape [${t.shape.join(', ')}] needs ${numel(t.shape)}`,
      );
    }
  }
  const rawAlpha = raw.alpha;
  if (!Array.isArray(rawAlpha) || rawAlpha.length !== targets.length)
    r.fail('alpha', `a list of ${targets.length} numbers (one per target parameter)`, rawAlpha);
  const alpha = rawAlpha.map((a: unknown, i: number) => r.finite(a, `alpha[${i}]`));
  const baseModel = readModelIdentity(raw.base_model, 'base_model', r);
  if (baseModel.target_params.join('\n') !== targets.join('\n'))
    r.fail('base_model.target_params', 'the same list as target_params', baseModel.target_params);
  return {
    format_version: HYPERNET_FORMAT_VERSION,
    method,
    config: raw.config ?? null,
    target_params: targets,
    transforms,
    normalisation,
    alpha,
    base_model: baseModel,
    training: raw.training === undefined ? {} : r.object(raw.training, 'training'),
    created_at: r.string(raw.created_at, 'created_at'),
    tool_version: r.string(raw.tool_version, 'tool_version'),
  };
}

/** Fills format_version, created_at and tool_version when the caller leaves them out. */
export type HypernetHeaderInput = Omit<HypernetHeader, 'format_version' | 'created_at' | 'tool_version'> &
  Partial<Pick<HypernetHeader, 'created_at' | 'tool_version'>>;

/**
 * Writes `dir/hypernet.safetensors` atomically (temp file beside it, fsync, rename); the folder is created and
 * other files in it are left alone. Refuses an existing file unless `force` (OutputError of the shared output
 * rules; `flag` names the target in the message). Validates first, so a bad checkpoint never reaches disk. Returns the file path.
 */
export function saveHypernetwork(
  dir: string,
  ckpt: { header: HypernetHeaderInput; tensors: HypernetCheckpoint['tensors'] },
  options: { force?: boolean; flag?: string } = {},
): string {
  const file = claimOutput(hypernetFilePath(dir), {
    kind: 'file',
    force: Boolean(options.force),
    flag: options.flag ?? 'hypernetwork',
  });
  const header = {
    format_version: HYPERNET_FORMAT_VERSION,
    created_at: new Date().toISOString(),
    tool_version: TOOL_VERSION,
    ...ckpt.header,
    target_params: ckpt.header.target_params.map(targetParamName),
  };
  const json = JSON.parse(JSON.stringify(header)) as Record<string, unknown>;
  validateHypernet(json, ckpt.tensors, file);
  writeSafetensors(
    file,
    [...ckpt.tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.data })),
    'F32',
    { metadata: { format: 'pt', [HYPERNET_METADATA_KEY]: JSON.stringify(json) } },
  );
  return file;
}

/** Reads and validates a hypernetwork (folder or file); throws EditFileError naming the file and field. */
export function loadHypernetwork(path: string): LoadedHypernet {
  const file = hypernetFilePath(path);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new EditFileError(
      file,
      null,
      `${file} does not exist; pass a hypernetwork folder (holding ${HYPERNET_FILE}) written by propmend train`,
    );
  }
  const { header, tensors } = readTensorFile(file, HYPERNET_METADATA_KEY, 'hypernetwork');
  return { file, sha256: sha256File(file), header: validateHypernet(header, tensors, file), tensors };
}

/** Sentences saying why the hypernetwork does not fit `model`; empty when it does. */
export function hypernetMismatches(header: HypernetHeader, model: IdentitySource): string[] {
  return identityProblems(header.base_model, model, 'hypernetwork was trained for');
}

/** Throws EditFileError with every mismatch when the hypernetwork was not trained for `model`. */
export function checkHypernetCompatible(
  header: HypernetHeader,
  model: IdentitySource,
  file = 'hypernetwork',
): void {
  const problems = hypernetMismatches(header, model);
  if (problems.length) {
    throw new EditFileError(
      file,
      'base_model',
      `${file} does not fit this model: ${problems.join('; ')}; use a hypernetwork trained for this model (propmend train)`,
    );
  }
}
