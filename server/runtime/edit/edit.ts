// One PropMEND/MEND edit: capture u and delta of the fact's inner loss, normalise, run the gradient
// transform, and return the update W~ = W + alpha * D~^T U~ as low-rank factors (alpha folded into d),
// the form runForward, generateGreedy and patch files take. Never builds a dense d_out x d_in matrix.

import type { FloatDType, HostTensor } from '../ir/dtype';
import { Graph } from '../ir/graph';
import type { LanguageModel } from '../models/language-model';
import type { LowRankEdit } from '../tasks/forward';
import { modelGraph } from '../tasks/graph-memo';
import { type CapturedFactors, captureFactors, type InnerExample, normalizers, paramFeeds } from './factors';
import type { HypernetLayout } from './hypernet';
import type { Hypernetwork } from './hypernetwork';
import type { Normalizer } from './statistics';
import { declareHypernetParams } from './transform';
import { declareGroupFactorInputs, groupFactorFeeds, transformGroups } from './transform-groups';

export function layoutKey(layout: HypernetLayout): string {
  return JSON.stringify({ targets: layout.spec.targets, rank: layout.spec.rank, shared: layout.spec.shared });
}

/**
 * The transform graph: factor inputs stacked per transform group and hypernetwork parameters in,
 * `edit.<target>.{u,d}` out. Each shared transform runs once over its members' stacked rows (transformGroups,
 * the meta graph's form too), not once per matrix.
 */
export function buildTransformGraph(layout: HypernetLayout, dtype: FloatDType): Graph {
  const g = new Graph('propmend_transform');
  const params = declareHypernetParams(g, layout, dtype);
  const inputs = declareGroupFactorInputs(g, layout, dtype);
  for (const [name, { u, d, scale }] of transformGroups(layout, params, inputs)) {
    g.output(`edit.${name}.u`, u);
    g.output(`edit.${name}.d`, d.mul(scale));
  }
  return g;
}

/** The transform graph's feeds: the hypernetwork's parameters and the captured factors stacked per group. */
export function transformFeeds(
  dtype: FloatDType,
  net: Hypernetwork,
  factors: CapturedFactors,
  norms: ReadonlyMap<string, Normalizer>,
): Record<string, HostTensor> {
  return { ...paramFeeds(dtype, net), ...groupFactorFeeds(dtype, net.layout, factors, norms) };
}

export interface EditResult {
  readonly edit: LowRankEdit;
  readonly innerLoss: number;
  readonly rows: number;
  readonly timingsMs: { readonly capture: number; readonly transform: number };
}

/** Runs the transform on captured factors (statistics updated first when `updateStats`). */
export async function transformFactors(
  model: LanguageModel,
  net: Hypernetwork,
  factors: CapturedFactors,
  updateStats: boolean,
): Promise<LowRankEdit> {
  const graph = await modelGraph(model, `propmend-transform:${layoutKey(net.layout)}`, () =>
    buildTransformGraph(net.layout, model.dtype),
  );
  const norms = normalizers(net, factors, updateStats);
  const out = await graph.run(transformFeeds(model.dtype, net, factors, norms));
  const edit = new Map<string, { u: HostTensor<FloatDType>; d: HostTensor<FloatDType> }>();
  for (const name of net.layout.spec.targets) {
    edit.set(name, {
      u: out[`edit.${name}.u`] as HostTensor<FloatDType>,
      d: out[`edit.${name}.d`] as HostTensor<FloatDType>,
    });
  }
  return edit;
}

/** Edits from the original weights with one inner example (the fact). */
export async function computeEdit(
  model: LanguageModel,
  net: Hypernetwork,
  inner: InnerExample,
  options: { updateStats?: boolean } = {},
): Promise<EditResult> {
  const t0 = performance.now();
  const factors = await captureFactors(model, net, inner);
  const t1 = performance.now();
  const edit = await transformFactors(model, net, factors, options.updateStats ?? false);
  const t2 = performance.now();
  return {
    edit,
    innerLoss: factors.loss,
    rows: factors.rows,
    timingsMs: { capture: t1 - t0, transform: t2 - t1 },
  };
}
