// The gradient transform batched per transform group, for the edit graph and the meta graph alike: the
// members of a group (the matrices one transform serves, in mode order) are stacked into one [M, N, width]
// tensor, so each residual layer is two Gemms over M*N rows instead of two per target (its weights read once),
// and the backward pass follows suit. It computes the same function as transform.ts's per-target
// transformTarget (the tests hold them equal). Also stacks the host-side factor feeds `factors.<group>.*`
// both graphs declare.
import { type Dim, dimMul } from '../ir/dim';
import type { FloatDType, HostTensor } from '../ir/dtype';
import type { Graph, Tensor } from '../ir/graph';
import type { CapturedFactors } from './factors';
import { EDIT_LRS, type HypernetLayout, layerParam, TRANSFORM_LAYERS, type TransformGroup } from './hypernet';
import type { Normalizer } from './statistics';
import { clampMin0, type FactorInputs } from './transform';

function groupInputName(group: TransformGroup, part: keyof FactorInputs): string {
  return `factors.${group.key}.${part}`;
}

/** Per group: u [M, N, d_in], delta [M, N, d_out] and their statistics [M, 1, d], members in mode order. */
export function declareGroupFactorInputs(
  g: Graph,
  layout: HypernetLayout,
  dtype: FloatDType,
): Map<string, FactorInputs> {
  const inputs = new Map<string, FactorInputs>();
  for (const group of layout.groups) {
    const m = group.members.length;
    const input = (part: keyof FactorInputs, rows: Dim, width: number) =>
      g.input(groupInputName(group, part), dtype, [m, rows, width]);
    inputs.set(group.key, {
      u: input('u', 'N', group.dIn),
      delta: input('delta', 'N', group.dOut),
      uMean: input('uMean', 1, group.dIn),
      uStd: input('uStd', 1, group.dIn),
      dMean: input('dMean', 1, group.dOut),
      dStd: input('dStd', 1, group.dOut),
    });
  }
  return inputs;
}

/** Every target's (u~, delta~, alpha) like transformAll, computed one stacked group at a time. */
export function transformGroups(
  layout: HypernetLayout,
  params: ReadonlyMap<string, Tensor>,
  inputs: ReadonlyMap<string, FactorInputs>,
): Map<string, { u: Tensor; d: Tensor; scale: Tensor }> {
  const p = (name: string): Tensor => {
    const t = params.get(name);
    if (!t) throw new Error(`hypernetwork parameter ${name} is missing`);
    return t;
  };
  const perTarget = new Map<string, { u: Tensor; d: Tensor }>();
  for (const group of layout.groups) {
    const input = inputs.get(group.key);
    if (!input) throw new Error(`no factor inputs for transform ${group.key}`);
    const g = input.u.graph;
    const m = group.members.length;
    const n = input.u.dim(1);
    const rows = dimMul(m, n);
    let z = g.concat(
      [input.u.sub(input.uMean).div(input.uStd), input.delta.sub(input.dMean).div(input.dStd)],
      2,
    );
    for (let l = 0; l < TRANSFORM_LAYERS; l++) {
      const h = z
        .reshape([rows, group.width])
        .gemm(p(layerParam(group, l, 'v')), { transB: true })
        .gemm(p(layerParam(group, l, 'u')), { transB: true })
        .add(p(layerParam(group, l, 'bias')))
        .reshape([m, n, group.width]);
      const scale = p(layerParam(group, l, 'mode_scale')).unsqueeze(1);
      const shift = p(layerParam(group, l, 'mode_shift')).unsqueeze(1);
      z = z.add(clampMin0(h.mul(scale).add(shift)));
    }
    group.members.forEach((name, mode) => {
      const member = z.slice(0, mode, mode + 1).reshape([n, group.width]);
      perTarget.set(name, { u: member.slice(1, 0, group.dIn), d: member.slice(1, group.dIn, group.width) });
    });
  }
  const alphas = p(EDIT_LRS);
  const out = new Map<string, { u: Tensor; d: Tensor; scale: Tensor }>();
  layout.spec.targets.forEach((name, i) => {
    const factors = perTarget.get(name) as { u: Tensor; d: Tensor };
    out.set(name, { ...factors, scale: alphas.slice(0, i, i + 1) });
  });
  return out;
}

/** Graph feeds `factors.<group>.*`: each member's captured rows and normaliser stacked in mode order. */
export function groupFactorFeeds(
  dtype: FloatDType,
  layout: HypernetLayout,
  factors: CapturedFactors,
  norms: ReadonlyMap<string, Normalizer>,
): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  const n = factors.rows;
  for (const group of layout.groups) {
    const m = group.members.length;
    const stack = (width: number, rows: number, pick: (name: string) => ArrayLike<number>) => {
      const out =
        dtype === 'float32' ? new Float32Array(m * rows * width) : new Float64Array(m * rows * width);
      group.members.forEach((name, i) => {
        out.set(pick(name), i * rows * width);
      });
      return { dtype, shape: [m, rows, width], data: out } as HostTensor;
    };
    const layer = (name: string) => factors.layers.get(name) as { u: Float32Array; delta: Float32Array };
    const norm = (name: string) => norms.get(name) as Normalizer;
    feeds[groupInputName(group, 'u')] = stack(group.dIn, n, (t) => layer(t).u);
    feeds[groupInputName(group, 'delta')] = stack(group.dOut, n, (t) => layer(t).delta);
    feeds[groupInputName(group, 'uMean')] = stack(group.dIn, 1, (t) => norm(t).uMean);
    feeds[groupInputName(group, 'uStd')] = stack(group.dIn, 1, (t) => norm(t).uStd);
    feeds[groupInputName(group, 'dMean')] = stack(group.dOut, 1, (t) => norm(t).dMean);
    feeds[groupInputName(group, 'dStd')] = stack(group.dOut, 1, (t) => norm(t).dStd);
  }
  return feeds;
}
