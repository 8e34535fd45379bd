// Edit patch files (`*.edit.safetensors`): one edit's low-rank factors per target parameter (float32 tensors
// "<param>.u" [R, d_in] and "<param>.d" [R, d_out]) with a JSON header in the safetensors `__metadata__` under
// "propmend.edit_patch" (fact, method, step α per target, hypernetwork and base-model identity). Owns saving,
// validated loading, stacking patches into one LowRankEdit and merging them into dense weights for export.
// Never writes model folders; the CLI's export does, through models/checkpoint.ts.
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { maxOf } from '../../common/arrays';
import { claimOutput } from '../../common/output';
import type { FloatDType, HostTensor } from '../ir/dtype';
import { writeSafetensors } from '../load/writer';
import type { LowRankEdit } from '../tasks/forward';
import {
  EditFileError,
  HeaderReader,
  hasShape,
  readTensorFile,
  type StoredTensor,
  sha256File,
  TOOL_VERSION,
} from './edit-file-common';
import { EDIT_METHODS, type EditMethod } from './hypernet-file';
import {
  type IdentitySource,
  identityProblems,
  type ModelIdentity,
  modelIdentity,
  readModelIdentity,
  targetLinearName,
  targetParamName,
  type WeightValues,
} from './identity';

export const PATCH_SUFFIX = '.edit.safetensors';
export const PATCH_METADATA_KEY = 'propmend.edit_patch';
export const PATCH_FORMAT_VERSION = 1;

/** One edited parameter: the factors' rank and widths and the step α (ΔW = α · dᵀu). */
export interface PatchTarget {
  readonly param: string;
  readonly rank: number;
  readonly d_in: number;
  readonly d_out: number;
  readonly alpha: number;
}

/** The hypernetwork that produced the edit: its file (absolute path when written) and that file's sha256. */
export interface HypernetRef {
  readonly path: string;
  readonly sha256: string;
}

export interface PatchHeader {
  readonly format_version: typeof PATCH_FORMAT_VERSION;
  /** The fact text the edit inserts. */
  readonly fact: string;
  readonly subject: string | null;
  readonly method: EditMethod;
  readonly hypernet: HypernetRef;
  /** The model the edit was computed on; its target_params are the targets' params in order. */
  readonly base_model: ModelIdentity;
  readonly targets: readonly PatchTarget[];
  readonly created_at: string;
  readonly tool_version: string;
}

export interface PatchFactors {
  readonly u: StoredTensor;
  readonly d: StoredTensor;
  readonly alpha: number;
}

export interface EditPatch {
  readonly header: PatchHeader;
  /** By parameter name, in header.targets order. */
  readonly factors: ReadonlyMap<string, PatchFactors>;
}

export interface LoadedPatch extends EditPatch {
  /** Absolute path of the patch file. */
  readonly file: string;
  readonly sha256: string;
}

/** Factors as the edit step produces them: Ũ [T, d_in], D̃ [T, d_out] (float32 or float64) and α. */
export interface FactorsToSave {
  readonly u: { readonly shape: readonly number[]; readonly data: Float32Array | Float64Array };
  readonly d: { readonly shape: readonly number[]; readonly data: Float32Array | Float64Array };
  readonly alpha: number;
}

export interface EditToSave {
  readonly fact: string;
  readonly subject?: string | null;
  readonly method: EditMethod;
  /** The hypernetwork used: a loaded one, or its file path and sha256. */
  readonly hypernet: HypernetRef | { readonly file: string; readonly sha256: string };
  /** The unedited model the factors were computed on (its target weights are hashed). */
  readonly model: IdentitySource;
  /** By target (linear or parameter name), in edit order. */
  readonly factors: ReadonlyMap<string, FactorsToSave>;
}

function checkFactors(
  file: string,
  param: string,
  u: { shape: readonly number[]; data: ArrayLike<number> },
  d: { shape: readonly number[]; data: ArrayLike<number> },
): { rank: number; d_in: number; d_out: number } {
  const bad = (what: string) =>
    new EditFileError(file, param, `cannot save ${file}: the factors of ${param} ${what}`);
  if (u.shape.length !== 2 || d.shape.length !== 2) throw bad('must be matrices [R, d_in] and [R, d_out]');
  const [rank, dIn] = u.shape as [number, number];
  const [rankD, dOut] = d.shape as [number, number];
  if (rank !== rankD) throw bad(`have ranks ${rank} (u) and ${rankD} (d), which must agree`);
  if (u.data.length !== rank * dIn || d.data.length !== rank * dOut) throw bad('do not fill their shapes');
  return { rank, d_in: dIn, d_out: dOut };
}

/**
 * Writes one edit as a patch file atomically (temp file beside it, rename). The name must end in
 * `.edit.safetensors`; an existing file is refused unless `force` (OutputError of the shared output rules;
 * `flag` names the target in the message, e.g. "--save-patch"). Returns the absolute path.
 */
export function saveEditPatch(
  path: string,
  edit: EditToSave,
  options: { force?: boolean; flag?: string } = {},
): string {
  const file = resolve(path);
  if (!file.endsWith(PATCH_SUFFIX)) {
    throw new EditFileError(file, null, `${file}: patch files are named *${PATCH_SUFFIX}; rename the output`);
  }
  claimOutput(file, { kind: 'file', force: Boolean(options.force), flag: options.flag ?? 'patch' });
  if (edit.factors.size === 0)
    throw new EditFileError(file, 'targets', `${file}: an edit patch needs at least one target`);
  const params = [...edit.factors.keys()].map(targetParamName);
  const targets: PatchTarget[] = [];
  const tensors: Array<{ name: string; shape: readonly number[]; data: Float32Array | Float64Array }> = [];
  [...edit.factors.values()].forEach((f, i) => {
    const param = params[i] as string;
    if (!Number.isFinite(f.alpha))
      throw new EditFileError(file, param, `${file}: α of ${param} is ${f.alpha}; it must be finite`);
    targets.push({ param, ...checkFactors(file, param, f.u, f.d), alpha: f.alpha });
    tensors.push({ name: `${param}.u`, shape: f.u.shape, data: f.u.data });
    tensors.push({ name: `${param}.d`, shape: f.d.shape, data: f.d.data });
  });
  const h = edit.hypernet;
  const header: PatchHeader = {
    format_version: PATCH_FORMAT_VERSION,
    fact: edit.fact,
    subject: edit.subject ?? null,
    method: edit.method,
    hypernet: 'file' in h ? { path: h.file, sha256: h.sha256 } : { path: h.path, sha256: h.sha256 },
    base_model: modelIdentity(edit.model, params),
    targets,
    created_at: new Date().toISOString(),
    tool_version: TOOL_VERSION,
  };
  const byName = new Map(tensors.map((t) => [t.name, t]));
  validatePatch(JSON.parse(JSON.stringify(header)), byName, file);
  const problems: string[] = [];
  for (const t of targets) {
    const w = edit.model.weights.get(t.param);
    if (w && (w.shape[0] !== t.d_out || w.shape[1] !== t.d_in))
      problems.push(`${t.param} is [${w.shape.join(', ')}] but its factors give [${t.d_out}, ${t.d_in}]`);
  }
  if (problems.length) throw new EditFileError(file, 'targets', `${file}: ${problems.join('; ')}`);
  writeSafetensors(file, tensors, 'F32', {
    metadata: { format: 'pt', [PATCH_METADATA_KEY]: JSON.stringify(header) },
  });
  return file;
}

function firstNonFinite(data: ArrayLike<number>): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

/** Validates a patch header and its tensors; throws EditFileError naming `file` and the field. */
export function validatePatch(
  raw: Record<string, unknown>,
  tensors: ReadonlyMap<string, { readonly shape: readonly number[]; readonly data: ArrayLike<number> }>,
  file: string,
): PatchHeader {
  const r: HeaderReader = new HeaderReader(file, 'edit patch header');
  if (raw.format_version !== PATCH_FORMAT_VERSION) {
    throw new EditFileError(
      file,
      'format_version',
      `${file}: edit patch format_version ${JSON.stringify(raw.format_version)} is not supported (this propmend reads ${PATCH_FORMAT_VERSION}); re-create the patch or upgrade propmend`,
    );
  }
  const hyper = r.object(raw.hypernet, 'hypernet');
  const rawTargets = raw.targets;
  if (!Array.isArray(rawTargets) || rawTargets.length === 0)
    r.fail('targets', 'a non-empty list', rawTargets);
  const targets: PatchTarget[] = rawTargets.map((t: unknown, i: number) => {
    const at = `targets[${i}]`;
    const o = r.object(t, at);
    const param = r.string(o.param, `${at}.param`);
    if (!param.endsWith('.weight')) r.fail(`${at}.param`, 'a parameter name ending in ".weight"', param);
    const target: PatchTarget = {
      param,
      rank: r.count(o.rank, `${at}.rank`),
      d_in: r.count(o.d_in, `${at}.d_in`),
      d_out: r.count(o.d_out, `${at}.d_out`),
      alpha: r.finite(o.alpha, `${at}.alpha`),
    };
    for (const [suffix, width] of [
      ['u', target.d_in],
      ['d', target.d_out],
    ] as const) {
      const name = `${param}.${suffix}`;
      const tensor = tensors.get(name);
      const want = [target.rank, width];
      if (!hasShape(tensor, want)) {
        throw new EditFileError(
          file,
          name,
          `${file}: tensor "${name}" must have shape [${want.join(', ')}] (${at}), ${tensor ? `got [${tensor.shape.join(', ')}]` : 'it is missing'}; the patch is corrupt, re-create it`,
        );
      }
      const bad = firstNonFinite((tensor as { data: ArrayLike<number> }).data);
      if (bad >= 0) {
        throw new EditFileError(
          file,
          name,
          `${file}: tensor "${name}" holds ${(tensor as { data: ArrayLike<number> }).data[bad]} at element ${bad}; an edit must be finite, re-create the patch`,
        );
      }
    }
    return target;
  });
  const params = targets.map((t) => t.param);
  if (new Set(params).size !== params.length) r.fail('targets', 'a list naming each parameter once', params);
  const known = new Set(params.flatMap((p) => [`${p}.u`, `${p}.d`]));
  const extra = [...tensors.keys()].find((n) => !known.has(n));
  if (extra !== undefined)
    r.fail('targets', `an entry for every tensor (tensor "${extra}" has none)`, params);
  const baseModel = readModelIdentity(raw.base_model, 'base_model', r);
  if (baseModel.target_params.join('\n') !== params.join('\n'))
    r.fail('base_model.target_params', "the targets' params in order", baseModel.target_params);
  return {
    format_version: PATCH_FORMAT_VERSION,
    fact: r.string(raw.fact, 'fact'),
    subject: r.nullableString(raw.subject ?? null, 'subject'),
    method: r.oneOf(raw.method, 'method', EDIT_METHODS),
    hypernet: {
      path: r.string(hyper.path, 'hypernet.path'),
      sha256: r.string(hyper.sha256, 'hypernet.sha256'),
    },
    base_model: baseModel,
    targets,
    created_at: r.string(raw.created_at, 'created_at'),
    tool_version: r.string(raw.tool_version, 'tool_version'),
  };
}

/** Reads and validates a patch file; throws EditFileError naming the file and field. */
export function loadPatch(path: string): LoadedPatch {
  const file = resolve(path);
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new EditFileError(
      file,
      null,
      `patch ${file} does not exist; pass a *${PATCH_SUFFIX} file written by propmend edit --save-patch`,
    );
  }
  const { header: raw, tensors } = readTensorFile(file, PATCH_METADATA_KEY, 'edit patch');
  const header = validatePatch(raw, tensors, file);
  const factors = new Map<string, PatchFactors>();
  for (const t of header.targets) {
    factors.set(t.param, {
      u: tensors.get(`${t.param}.u`) as StoredTensor,
      d: tensors.get(`${t.param}.d`) as StoredTensor,
      alpha: t.alpha,
    });
  }
  return { file, sha256: sha256File(file), header, factors };
}

/** Sentences saying why a patch does not fit `model`; empty when it does. */
export function patchMismatches(header: PatchHeader, model: IdentitySource): string[] {
  return identityProblems(header.base_model, model, 'patch was made for');
}

/** Throws EditFileError with every mismatch when the patch was not made for `model`. */
export function checkPatchCompatible(patch: LoadedPatch, model: IdentitySource): void {
  const problems = patchMismatches(patch.header, model);
  if (problems.length) {
    throw new EditFileError(
      patch.file,
      'base_model',
      `${patch.file} does not fit this model: ${problems.join('; ')}; apply it to the model it was made from`,
    );
  }
}

/** d scaled by α in float32: the exact values the factor-form forward and the dense merge both use. */
function foldedD(f: PatchFactors): Float32Array {
  const out = new Float32Array(f.d.data.length);
  const a = Math.fround(f.alpha);
  for (let i = 0; i < out.length; i++) out[i] = Math.fround(f.d.data[i] as number) * a;
  return out;
}

/**
 * Several patches as one LowRankEdit (keyed by linear name): per target the u rows and the α-scaled d rows of
 * every patch concatenated in order, so W' = W + Σ_p α_p d_pᵀ u_p, then zero rows up to the largest rank of
 * any target (runForward binds one rank for all linears). An empty list gives an empty edit.
 */
export function patchToLowRankEdit(
  patches: readonly EditPatch[],
  dtype: FloatDType = 'float32',
): LowRankEdit {
  const parts = new Map<
    string,
    { us: Float32Array[]; ds: Float32Array[]; rank: number; dIn: number; dOut: number }
  >();
  for (const patch of patches) {
    for (const [param, f] of patch.factors) {
      const [rank, dIn] = f.u.shape as [number, number];
      const dOut = f.d.shape[1] as number;
      let entry = parts.get(param);
      if (!entry) {
        entry = { us: [], ds: [], rank: 0, dIn, dOut };
        parts.set(param, entry);
      }
      if (entry.dIn !== dIn || entry.dOut !== dOut) {
        throw new Error(
          `patches disagree on the shape of ${param}: [${entry.dOut}, ${entry.dIn}] and [${dOut}, ${dIn}]`,
        );
      }
      entry.us.push(f.u.data);
      entry.ds.push(foldedD(f));
      entry.rank += rank;
    }
  }
  // The forward graph binds one symbolic rank R for all edited linears, so targets edited by fewer patches
  // get zero rows up to the largest rank (a zero row adds exactly nothing).
  const rank = maxOf(
    [...parts.values()].map((e) => e.rank),
    0,
  );
  const edit = new Map<string, { u: HostTensor<FloatDType>; d: HostTensor<FloatDType> }>();
  for (const [param, e] of parts) {
    const concat = (chunks: Float32Array[], width: number) => {
      const out = dtype === 'float64' ? new Float64Array(rank * width) : new Float32Array(rank * width);
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.length;
      }
      return { dtype, shape: [rank, width], data: out } as HostTensor<FloatDType>;
    };
    edit.set(targetLinearName(param), { u: concat(e.us, e.dIn), d: concat(e.ds, e.dOut) });
  }
  return edit;
}

/**
 * Dense weights with the patches merged (for export): each target W [d_out, d_in] becomes
 * W + Σ_p (α_p d_p)ᵀ u_p, accumulated in float64 from the same float32 α·d the factor form uses, then stored
 * in W's element type. Other weights are returned as the same objects; nothing given is modified.
 */
export function mergePatches<W extends WeightValues>(
  weights: ReadonlyMap<string, W>,
  patches: readonly EditPatch[],
): Map<string, W | { shape: readonly number[]; data: Float32Array | Float64Array }> {
  return mergeLowRankEdit(weights, patchToLowRankEdit(patches));
}

/** Dense weights with a low-rank edit (d already step-scaled) merged, as mergePatches; nothing given is modified. */
export function mergeLowRankEdit<W extends WeightValues>(
  weights: ReadonlyMap<string, W>,
  edit: LowRankEdit,
): Map<string, W | { shape: readonly number[]; data: Float32Array | Float64Array }> {
  const out = new Map<string, W | { shape: readonly number[]; data: Float32Array | Float64Array }>(weights);
  for (const [linear, { u, d }] of edit) {
    const param = targetParamName(linear);
    const w = weights.get(param);
    if (!w) throw new Error(`cannot merge a patch into ${param}: the model has no such parameter`);
    const [dOut, dIn] = w.shape as [number, number];
    const rank = u.shape[0] as number;
    if (u.shape[1] !== dIn || d.shape[1] !== dOut) {
      throw new Error(
        `cannot merge a patch into ${param} [${dOut}, ${dIn}]: its factors give [${d.shape[1]}, ${u.shape[1]}]`,
      );
    }
    const acc = Float64Array.from(w.data);
    const row = new Float64Array(dIn);
    for (let o = 0; o < dOut; o++) {
      row.fill(0);
      for (let r = 0; r < rank; r++) {
        const c = d.data[r * dOut + o] as number;
        if (c === 0) continue;
        const base = r * dIn;
        for (let i = 0; i < dIn; i++) row[i] = (row[i] as number) + c * (u.data[base + i] as number);
      }
      const at = o * dIn;
      for (let i = 0; i < dIn; i++) acc[at + i] = (acc[at + i] as number) + (row[i] as number);
    }
    const data = w.data instanceof Float64Array ? acc : Float32Array.from(acc);
    out.set(param, 'dtype' in w ? ({ ...w, data } as W) : { shape: w.shape.slice(), data });
  }
  return out;
}

const bits = new Float32Array(1);
const bitsInt = new Int32Array(bits.buffer);

/** The float32 neighbour `steps` units in the last place away from `v` (same sign side; v finite). */
function ulpStep(v: number, steps: number): number {
  bits[0] = v;
  bitsInt[0] = (bitsInt[0] as number) + (v < 0 ? -steps : steps);
  return bits[0] as number;
}

/** A float32 x with fround(x · a) === target (the quotient or a neighbour); the quotient when none exists. */
function unfoldOne(target: number, a: number): number {
  const q = Math.fround(target / a);
  if (Math.fround(q * a) === target) return q;
  for (const k of [1, -1, 2, -2]) {
    const x = ulpStep(q, k);
    if (Number.isFinite(x) && Math.fround(x * a) === target) return x;
  }
  return q;
}

/**
 * Factors to save from an edit whose step is already folded into d (d = α·D̃, as the edit job returns it),
 * given α per target (linear name): D̃ = d/α in float32, chosen so that folding it back as
 * patchToLowRankEdit does reproduces d bit for bit whenever d came from one float32 multiply by α (a fold in
 * two roundings, such as α and then a scale, comes back within one unit in the last place). With α = 0 the
 * folded d is kept and α = 1.
 */
export function factorsFromFoldedEdit(
  edit: LowRankEdit,
  alphas: ReadonlyMap<string, number>,
): Map<string, FactorsToSave> {
  const out = new Map<string, FactorsToSave>();
  for (const [name, { u, d }] of edit) {
    const alpha = alphas.get(name);
    if (alpha === undefined) throw new Error(`no step size given for the edited linear ${name}`);
    const a = Math.fround(alpha);
    const folded = Float32Array.from(d.data);
    const usable = a !== 0 && Number.isFinite(a);
    out.set(name, {
      u: { shape: u.shape, data: Float32Array.from(u.data) },
      d: { shape: d.shape, data: usable ? folded.map((v) => unfoldOne(v, a)) : folded },
      alpha: usable ? a : 1,
    });
  }
  return out;
}
