// TEMPORARY local hypernetwork checkpoint writer/reader until the shared container
// (server/runtime/edit/hypernet-file.ts, patches branch) lands: parameters as F32 safetensors, and a JSON
// header in the metadata key "propmend" holding the method, this area's config, statistics and the base
// model's shape. Owns the mapping between a Hypernetwork and the file; written atomically by the writer.
import { readAllFloat } from '../load/reader';
import { writeSafetensors } from '../load/writer';
import type { LanguageModel } from '../models/language-model';
import { type HypernetSpec, hypernetLayout, targetShapes } from './hypernet';
import type { Hypernetwork, InnerLoss } from './hypernetwork';
import { type WelfordJson, welfordFromJson, welfordToJson } from './statistics';

export interface HypernetConfigJson {
  readonly targets: string[];
  readonly rank: number;
  readonly shared: boolean;
  readonly edit_lr_init: number;
  readonly inner_loss: InnerLoss;
}

export interface HypernetHeader {
  readonly format_version: 1;
  readonly method: string;
  readonly config: HypernetConfigJson;
  readonly statistics: Record<string, WelfordJson>;
  readonly base_model: Record<string, number | string>;
  readonly metrics: Record<string, unknown>;
}

function baseModel(model: LanguageModel): Record<string, number | string> {
  const c = model.config;
  return {
    model_type: c.modelType,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_layers: c.numLayers,
    vocab_size: c.vocabSize,
  };
}

export function saveHypernet(
  file: string,
  model: LanguageModel,
  net: Hypernetwork,
  extra: { method: string; metrics: Record<string, unknown> },
): void {
  const header: HypernetHeader = {
    format_version: 1,
    method: extra.method,
    config: {
      targets: [...net.layout.spec.targets],
      rank: net.layout.spec.rank,
      shared: net.layout.spec.shared,
      edit_lr_init: net.layout.spec.editLrInit,
      inner_loss: net.innerLoss,
    },
    statistics: Object.fromEntries([...net.stats].map(([k, s]) => [k, welfordToJson(s)])),
    base_model: baseModel(model),
    metrics: extra.metrics,
  };
  const tensors = net.layout.params.map(({ name, shape }) => ({
    name,
    shape: shape.slice(),
    data: net.params.get(name) as Float32Array,
  }));
  writeSafetensors(file, tensors, 'F32', { metadata: { propmend: JSON.stringify(header) } });
}

/** Loads a hypernetwork for `model`; an Error names the file and the mismatch. */
export function loadHypernet(
  file: string,
  model: LanguageModel,
): { net: Hypernetwork; header: HypernetHeader } {
  const { tensors, metadata } = readAllFloat(file, 'float32');
  const raw = (metadata as Record<string, string> | undefined)?.propmend;
  if (!raw) throw new Error(`${file} is not a PropMEND hypernetwork (no "propmend" header)`);
  const header = JSON.parse(raw) as HypernetHeader;
  const expected = baseModel(model);
  for (const [k, v] of Object.entries(expected)) {
    if (header.base_model[k] !== v)
      throw new Error(
        `${file} was trained for a model with ${k} = ${header.base_model[k]}, but ${model.source} has ${v}; use a hypernetwork trained for this model`,
      );
  }
  const spec: HypernetSpec = {
    targets: header.config.targets,
    rank: header.config.rank,
    shared: header.config.shared,
    editLrInit: header.config.edit_lr_init,
  };
  const layout = hypernetLayout(spec, targetShapes(model.weights, spec.targets));
  const params = new Map<string, Float32Array>();
  for (const { name, shape } of layout.params) {
    const t = tensors.get(name);
    const n = shape.reduce((a, b) => a * b, 1);
    if (!t || t.data.length !== n)
      throw new Error(`${file}: tensor ${name} is missing or not of shape [${shape.join(', ')}]`);
    params.set(name, t.data as Float32Array);
  }
  const stats = new Map(
    layout.groups.map((g) => {
      const json = header.statistics[g.key];
      if (!json) throw new Error(`${file}: no statistics for transform ${g.key}`);
      return [g.key, welfordFromJson(json, g.dIn, g.dOut, `${file} statistics.${g.key}`)];
    }),
  );
  return { net: { layout, params, stats, innerLoss: header.config.inner_loss }, header };
}
