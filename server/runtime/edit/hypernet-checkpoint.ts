// Between an in-memory Hypernetwork and the hypernetwork file container (hypernet-file.ts): which tensors
// are saved under which names (the transforms' layers, the statistics as mean/std per transform; alpha in
// the header), what goes into the header's `config`, and rebuilding a working hypernetwork from a loaded
// file after the model-compatibility check. The container's format and validation are not owned here.

import type { LanguageModel } from '../models/language-model';
import { EDIT_LRS, type HypernetSpec, hypernetLayout, targetShapes } from './hypernet';
import {
  checkHypernetCompatible,
  type EditMethod,
  loadHypernetwork,
  type NormalisationMode,
  saveHypernetwork,
} from './hypernet-file';
import { type Hypernetwork, INNER_LOSSES, type InnerLoss } from './hypernetwork';
import { modelIdentity, targetLinearName, targetParamName } from './identity';
import { normalizer, STD_EPS, type WelfordState } from './statistics';

/** The header's `config`: what rebuilds the hypernetwork, plus the training config it came from. */
export interface HypernetConfigJson {
  readonly rank: number;
  readonly shared: boolean;
  readonly edit_lr_init: number;
  readonly inner_loss: InnerLoss;
  readonly training_config?: unknown;
}

/** The transform's name in the file: its parameters are `<name>.layers.<l>.<part>`, statistics `<name>.u_mean`... */
function transformName(key: string): string {
  return `hnet.${key}`;
}

export function saveHypernet(
  dir: string,
  model: LanguageModel,
  net: Hypernetwork,
  extra: { method: EditMethod; trainingConfig?: unknown; training: Record<string, unknown>; force?: boolean },
): string {
  const { layout } = net;
  const tensors = new Map<string, { shape: readonly number[]; data: Float32Array | Float64Array }>();
  for (const { name, shape } of layout.params)
    if (name !== EDIT_LRS) tensors.set(name, { shape, data: net.params.get(name) as Float32Array });
  const counts: Record<string, number> = {};
  for (const group of layout.groups) {
    const stats = net.stats.get(group.key) as WelfordState;
    const n = normalizer(stats);
    const name = transformName(group.key);
    counts[name] = stats.k;
    tensors.set(`${name}.u_mean`, { shape: [group.dIn], data: n.uMean });
    tensors.set(`${name}.u_std`, { shape: [group.dIn], data: n.uStd });
    tensors.set(`${name}.v_mean`, { shape: [group.dOut], data: n.dMean });
    tensors.set(`${name}.v_std`, { shape: [group.dOut], data: n.dStd });
  }
  const config: HypernetConfigJson = {
    rank: layout.spec.rank,
    shared: layout.spec.shared,
    edit_lr_init: layout.spec.editLrInit,
    inner_loss: net.innerLoss,
    ...(extra.trainingConfig !== undefined ? { training_config: extra.trainingConfig } : {}),
  };
  return saveHypernetwork(
    dir,
    {
      header: {
        method: extra.method,
        config,
        target_params: layout.spec.targets.map(targetParamName),
        transforms: layout.groups.map((g) => ({
          name: transformName(g.key),
          x_dim: g.dIn,
          delta_dim: g.dOut,
          rank: g.rank,
          params: g.members.map(targetParamName),
        })),
        normalisation: { mode: 'frozen', counts },
        alpha: Array.from(net.params.get(EDIT_LRS) as ArrayLike<number>),
        base_model: modelIdentity(model, layout.spec.targets),
        training: extra.training,
      },
      tensors,
    },
    { force: extra.force ?? false },
  );
}

export interface LoadedHypernetwork {
  readonly net: Hypernetwork;
  readonly method: EditMethod;
  readonly file: string;
  readonly sha256: string;
  readonly normalisation: NormalisationMode;
}

/** Loads a hypernetwork folder or file for `model`; EditFileError names the file and any mismatch. */
export function loadHypernet(path: string, model: LanguageModel): LoadedHypernetwork {
  const loaded = loadHypernetwork(path);
  const { header, file } = loaded;
  checkHypernetCompatible(header, model, file);
  const config = header.config as Partial<HypernetConfigJson>;
  const bad = (field: string) =>
    new Error(
      `${file}: header config.${field} is missing or invalid; re-create the file with propmend train`,
    );
  if (!Number.isInteger(config.rank)) throw bad('rank');
  if (typeof config.shared !== 'boolean') throw bad('shared');
  if (!INNER_LOSSES.includes(config.inner_loss as InnerLoss)) throw bad('inner_loss');
  const spec: HypernetSpec = {
    targets: header.target_params.map(targetLinearName),
    rank: config.rank as number,
    shared: config.shared,
    editLrInit: typeof config.edit_lr_init === 'number' ? config.edit_lr_init : 1e-4,
  };
  const layout = hypernetLayout(spec, targetShapes(model.weights, spec.targets));
  const params = new Map<string, Float32Array>();
  for (const { name, shape } of layout.params) {
    if (name === EDIT_LRS) {
      params.set(name, Float32Array.from(header.alpha));
      continue;
    }
    const t = loaded.tensors.get(name);
    const n = shape.reduce((a, b) => a * b, 1);
    if (!t || t.data.length !== n)
      throw new Error(
        `${file}: tensor ${name} is missing or not of shape [${shape.join(', ')}]; re-create the file`,
      );
    params.set(name, Float32Array.from(t.data));
  }
  const stats = new Map<string, WelfordState>();
  for (const g of layout.groups) {
    const name = transformName(g.key);
    const k = header.normalisation.counts[name] ?? 0;
    const vec = (suffix: string) => Float64Array.from(loaded.tensors.get(`${name}.${suffix}`)?.data ?? []);
    // Back from std + 1e-7 to the sum of squared deviations, so normalizer() gives the saved std again.
    const s = (std: Float64Array) => std.map((v) => Math.max(0, v - STD_EPS) ** 2 * Math.max(0, k - 1));
    stats.set(g.key, {
      k,
      uMean: vec('u_mean'),
      uS: s(vec('u_std')),
      dMean: vec('v_mean'),
      dS: s(vec('v_std')),
    });
  }
  return {
    net: { layout, params, stats, innerLoss: config.inner_loss as InnerLoss },
    method: header.method,
    file,
    sha256: loaded.sha256,
    normalisation: header.normalisation.mode,
  };
}
