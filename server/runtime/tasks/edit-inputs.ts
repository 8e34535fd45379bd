// Low-rank weight edits as graph inputs: the one declaration of the factor inputs `edit.<linear>.u` [R, d_in]
// and `edit.<linear>.d` [R, d_out], their feeds, and the linear hook that adds x u^T d to a layer's output.
// Every graph that applies or differentiates an edit (forward, scoring, PropMEND) declares its factors here;
// where the factors come from (a hypernetwork, a fine-tuning step) is not this module's business.
import { type Dim, dimMul } from '../ir/dim';
import type { FloatDType, HostTensor } from '../ir/dtype';
import type { Graph, Tensor } from '../ir/graph';
import type { LanguageModel } from '../models/language-model';
import type { LinearHook } from '../models/transformer';

/**
 * A weight edit as low-rank factors per linear layer: W' = W + d^T u, with u [R, d_in] and d [R, d_out]
 * (any step size already folded into d). Never materialised as a d_out x d_in matrix in a forward pass.
 */
export type LowRankEdit = ReadonlyMap<
  string,
  { readonly u: HostTensor<FloatDType>; readonly d: HostTensor<FloatDType> }
>;

/** The factor tensors of one edited linear inside a graph; `scale` multiplies the update when present. */
export interface EditFactors {
  readonly u: Tensor;
  readonly d: Tensor;
  readonly scale?: Tensor;
}

/** Graph input names of a linear's factors. */
export function editInputName(linear: string, factor: 'u' | 'd'): string {
  return `edit.${linear}.${factor}`;
}

/** The linears an edit touches, sorted: with the variant, the part of an edited graph's memo key. */
export function editedLinears(edit: LowRankEdit | undefined): string[] {
  return [...(edit?.keys() ?? [])].sort();
}

/**
 * Declares the factor inputs of each named linear on `graph` (in the given order, u before d), with the
 * rank R symbolic and the widths taken from the model's `<linear>.weight`. Throws for an unknown linear.
 */
export function editInputs(
  model: LanguageModel,
  graph: Graph,
  linears: readonly string[],
): Map<string, { u: Tensor; d: Tensor }> {
  const factors = new Map<string, { u: Tensor; d: Tensor }>();
  for (const name of linears) {
    const weight = model.weights.get(`${name}.weight`);
    if (!weight) throw new Error(`cannot edit "${name}": the model has no parameter ${name}.weight`);
    const [dOut, dIn] = weight.shape as [number, number];
    factors.set(name, {
      u: graph.input(editInputName(name, 'u'), model.dtype, ['R', dIn]),
      d: graph.input(editInputName(name, 'd'), model.dtype, ['R', dOut]),
    });
  }
  return factors;
}

/** Feeds for the factor inputs editInputs declares (none without an edit). */
export function editFeeds(edit: LowRankEdit | undefined): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  for (const [name, { u, d }] of edit ?? []) {
    feeds[editInputName(name, 'u')] = u;
    feeds[editInputName(name, 'd')] = d;
  }
  return feeds;
}

/** y + (x u^T) d for each patched linear: the edit costs memory in tokens x width, not width^2. */
export function lowRankHook(patches: ReadonlyMap<string, EditFactors>): LinearHook {
  return (name, x, base) => {
    const y = base();
    const patch = patches.get(name);
    if (!patch) return y;
    const lead = x.shape.slice(0, -1);
    const rows = lead.reduce<Dim>((acc, d) => dimMul(acc, d), 1);
    const flat = x.rank === 2 ? x : x.reshape([rows, x.dim(-1)]);
    let delta = flat.gemm(patch.u, { transB: true }).gemm(patch.d);
    if (patch.scale) delta = delta.mul(patch.scale);
    return y.add(x.rank === 2 ? delta : delta.reshape([...lead, y.dim(-1)]));
  };
}
