// The gradient transform as graph nodes: normalise [u ; delta] with the given statistics, run two residual
// low-rank layers with per-mode scale and shift and a clamp at 0, split back into (u~, delta~). Declares
// the hypernetwork's parameters and the per-target factor inputs of a graph. Shared by the edit graph and
// the meta-training graph so both compute exactly the same function; host-side state lives elsewhere.
import type { FloatDType } from '../ir/dtype';
import type { Graph, Tensor } from '../ir/graph';
import { EDIT_LRS, type HypernetLayout, layerParam, TRANSFORM_LAYERS } from './hypernet';

/**
 * max(x, 0) with derivative 1 at x = 0, PyTorch's clamp(min=0) convention. At the identity initialisation
 * every pre-activation is exactly 0; the Relu primitive's derivative 0 there would stop all gradient to U, V,
 * the bias and the modes (only alpha would train).
 */
export function clampMin0(x: Tensor): Tensor {
  return x.graph.where(x.neg().greater(0), 0, x);
}

/** One target's captured factors (kept rows only, constants) and its normalisation statistics. */
export interface FactorInputs {
  readonly u: Tensor;
  readonly delta: Tensor;
  readonly uMean: Tensor;
  readonly uStd: Tensor;
  readonly dMean: Tensor;
  readonly dStd: Tensor;
}

/** Graph parameter inputs for every hypernetwork tensor, by name. */
export function declareHypernetParams(
  g: Graph,
  layout: HypernetLayout,
  dtype: FloatDType,
): Map<string, Tensor> {
  const params = new Map<string, Tensor>();
  for (const { name, shape } of layout.params) params.set(name, g.param(name, dtype, shape));
  return params;
}

/** Data inputs `factors.<target>.{u,delta,u_mean,u_std,d_mean,d_std}`; all targets share the row count N. */
export function declareFactorInputs(
  g: Graph,
  layout: HypernetLayout,
  dtype: FloatDType,
): Map<string, FactorInputs> {
  const inputs = new Map<string, FactorInputs>();
  for (const name of layout.spec.targets) {
    const { group } = layout.placement.get(name) as { group: { dIn: number; dOut: number } };
    const p = `factors.${name}`;
    inputs.set(name, {
      u: g.input(`${p}.u`, dtype, ['N', group.dIn]),
      delta: g.input(`${p}.delta`, dtype, ['N', group.dOut]),
      uMean: g.input(`${p}.u_mean`, dtype, [group.dIn]),
      uStd: g.input(`${p}.u_std`, dtype, [group.dIn]),
      dMean: g.input(`${p}.d_mean`, dtype, [group.dOut]),
      dStd: g.input(`${p}.d_std`, dtype, [group.dOut]),
    });
  }
  return inputs;
}

/** u~ [N, d_in] and delta~ [N, d_out] for one target (without alpha). */
export function transformTarget(
  layout: HypernetLayout,
  params: ReadonlyMap<string, Tensor>,
  target: string,
  input: FactorInputs,
): { u: Tensor; d: Tensor } {
  const place = layout.placement.get(target);
  if (!place) throw new Error(`"${target}" is not a target of this hypernetwork`);
  const { group, mode } = place;
  const p = (name: string): Tensor => {
    const t = params.get(name);
    if (!t) throw new Error(`hypernetwork parameter ${name} is missing`);
    return t;
  };
  const g = input.u.graph;
  let z = g.concat(
    [input.u.sub(input.uMean).div(input.uStd), input.delta.sub(input.dMean).div(input.dStd)],
    1,
  );
  for (let l = 0; l < TRANSFORM_LAYERS; l++) {
    const h = z
      .gemm(p(layerParam(group, l, 'v')), { transB: true })
      .gemm(p(layerParam(group, l, 'u')), { transB: true })
      .add(p(layerParam(group, l, 'bias')));
    const scale = p(layerParam(group, l, 'mode_scale')).slice(0, mode, mode + 1);
    const shift = p(layerParam(group, l, 'mode_shift')).slice(0, mode, mode + 1);
    z = z.add(clampMin0(h.mul(scale).add(shift)));
  }
  return { u: z.slice(1, 0, group.dIn), d: z.slice(1, group.dIn, group.width) };
}

/** Every target's edit factors with its alpha as a [1] tensor: W~ = W + alpha * d^T u. */
export function transformAll(
  layout: HypernetLayout,
  params: ReadonlyMap<string, Tensor>,
  inputs: ReadonlyMap<string, FactorInputs>,
): Map<string, { u: Tensor; d: Tensor; scale: Tensor }> {
  const alphas = params.get(EDIT_LRS);
  if (!alphas) throw new Error(`hypernetwork parameter ${EDIT_LRS} is missing`);
  const out = new Map<string, { u: Tensor; d: Tensor; scale: Tensor }>();
  layout.spec.targets.forEach((name, i) => {
    const { u, d } = transformTarget(layout, params, name, inputs.get(name) as FactorInputs);
    out.set(name, { u, d, scale: alphas.slice(0, i, i + 1) });
  });
  return out;
}
