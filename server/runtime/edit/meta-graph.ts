// The meta-training objective as one graph: the decoder run with the hypernetwork's edit applied as factors
// inside the graph, the outer edit loss (token-mean NLL of answers + EOS, right-aligned under left padding),
// the locality loss KL(p_pre || p_post) over every real token of unrelated rows, and gradients of
// c_edit * L_e + c_loc * L_loc w.r.t. the hypernetwork's parameters and alpha only (u and delta are inputs,
// hence constants). The transform runs once per stacked group (transform-groups.ts). Host-side batch building
// is in meta-batch.ts.
import { grad } from '../autodiff/grad';
import type { FloatDType, HostTensor } from '../ir/dtype';
import { scalarOf } from '../ir/dtype';
import { Graph, type Tensor } from '../ir/graph';
import { type LanguageModel, weightFeeds } from '../models/language-model';
import { buildDecoder } from '../models/transformer';
import { lowRankHook } from '../tasks/forward';
import { modelGraph } from '../tasks/graph-memo';
import { layoutKey, transformFeeds } from './edit';
import { type CapturedFactors, factorFeeds, paramFeeds } from './factors';
import type { HypernetLayout } from './hypernet';
import type { Hypernetwork } from './hypernetwork';
import type { MetaBatchFeeds } from './meta-batch';
import type { Normalizer } from './statistics';
import { declareFactorInputs, declareHypernetParams, transformAll } from './transform';
import { declareGroupFactorInputs, transformGroups } from './transform-groups';

/**
 * 'grouped' (default) stacks each transform group's members and runs the transform once per group
 * (transform-groups.ts); 'per-target' is transform.ts's form, kept so a test can hold the two equal.
 */
export type MetaTransformForm = 'grouped' | 'per-target';

export function buildMetaGraph(
  model: LanguageModel,
  layout: HypernetLayout,
  withGradients: boolean,
  form: MetaTransformForm = 'grouped',
): Graph {
  const { config, dtype } = model;
  const g = new Graph('propmend_meta_loss');
  const ids = g.input('input_ids', 'int64', ['B', 'T']);
  const attnBias = g.input('attn_bias', dtype, ['B', 1, 'T', 'T']);
  const cos = g.input('rope_cos', dtype, ['B', 'T', config.headDim]);
  const sin = g.input('rope_sin', dtype, ['B', 'T', config.headDim]);
  const targets = g.input('targets', 'int64', ['B', 'T']);
  const editMask = g.input('edit_mask', dtype, ['B', 'T']);
  const locMask = g.input('loc_mask', dtype, ['B', 'T']);
  const logpPre = g.input('logp_pre', dtype, ['B', 'T', config.vocabSize]);
  const cEdit = g.input('c_edit', dtype, []);
  const cLoc = g.input('c_loc', dtype, []);
  const hparams = declareHypernetParams(g, layout, dtype);
  const patches =
    form === 'grouped'
      ? transformGroups(layout, hparams, declareGroupFactorInputs(g, layout, dtype))
      : transformAll(layout, hparams, declareFactorInputs(g, layout, dtype));
  // alpha scales delta~ [N, d_out] once (as the edit path folds it into d), not every token's [rows, d_out] update.
  const folded = new Map([...patches].map(([name, { u, d, scale }]) => [name, { u, d: d.mul(scale) }]));
  const out = buildDecoder(g, config, { ids, attnBias, cos, sin }, { dtype, hook: lowRankHook(folded) });
  const logp = out.logits.logSoftmax(-1);
  const nll = logp.gatherElements(targets.unsqueeze(-1), -1).squeeze(-1).neg();
  const editLoss = nll.mul(editMask).sum().div(editMask.sum());
  const kl = logpPre.exp().mul(logpPre.sub(logp)).sum(-1);
  const locLoss = kl.mul(locMask).sum().div(locMask.sum());
  const loss = editLoss.mul(cEdit).add(locLoss.mul(cLoc));
  g.output('loss', loss);
  g.output('edit_loss', editLoss);
  g.output('loc_loss', locLoss);
  if (withGradients) {
    const names = layout.params.map((p) => p.name);
    const grads = grad(
      loss,
      names.map((n) => hparams.get(n) as Tensor),
    );
    grads.forEach((t, i) => {
      g.output(`grad.${names[i]}`, t);
    });
  }
  return g;
}

export interface MetaLoss {
  readonly loss: number;
  readonly editLoss: number;
  readonly locLoss: number;
  /** Gradients by hypernetwork parameter name (absent without gradients). */
  readonly gradients?: Map<string, HostTensor<FloatDType>>;
}

/** Runs the meta objective for one edit instance. */
export async function metaLoss(
  model: LanguageModel,
  net: Hypernetwork,
  factors: CapturedFactors,
  norms: ReadonlyMap<string, Normalizer>,
  batch: MetaBatchFeeds,
  coefficients: { cEdit: number; cLoc: number },
  withGradients: boolean,
  form: MetaTransformForm = 'grouped',
): Promise<MetaLoss> {
  const graph = await modelGraph(
    model,
    `propmend-meta:${form}:${withGradients}:${layoutKey(net.layout)}`,
    () => buildMetaGraph(model, net.layout, withGradients, form),
  );
  const dtype = model.dtype;
  const scalar = (v: number): HostTensor => ({
    dtype,
    shape: [],
    data: dtype === 'float32' ? Float32Array.of(v) : Float64Array.of(v),
  });
  const out = await graph.run({
    ...weightFeeds(model),
    ...batch.feeds,
    c_edit: scalar(coefficients.cEdit),
    c_loc: scalar(coefficients.cLoc),
    // The grouped form takes the edit's transform inputs (one stacked transform for both graphs).
    ...(form === 'grouped'
      ? transformFeeds(dtype, net, factors, norms)
      : { ...paramFeeds(dtype, net), ...factorFeeds(dtype, net, factors, norms) }),
  });
  const result: MetaLoss = {
    loss: scalarOf(out.loss as HostTensor),
    editLoss: scalarOf(out.edit_loss as HostTensor),
    locLoss: scalarOf(out.loc_loss as HostTensor),
  };
  if (!withGradients) return result;
  const gradients = new Map<string, HostTensor<FloatDType>>();
  for (const { name } of net.layout.params)
    gradients.set(name, out[`grad.${name}`] as HostTensor<FloatDType>);
  return { ...result, gradients };
}
