// Low-rank weight edits as graph inputs: the one declaration of the factor inputs `edit.<linear>.u` [R, d_in]
// and `edit.<linear>.d` [R, d_out], their feeds, and the linear hook that adds x u^T d to a layer's output.
// A gated variant adds `edit.<linear>.gate` [B, R]: per batch row, which ranks apply (before/after rows of one
// batch). Every graph that applies or differentiates an edit (forward, scoring, PropMEND) declares its factors here;
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

/**
 * Per edited linear, a [B, R] 0/1 mask of the ranks each batch row applies: one batch can then answer under
 * the edit and without it (or under a base stack only), each row exactly as if run alone.
 */
export type EditGates = ReadonlyMap<string, HostTensor<FloatDType>>;

/** The factor tensors of one edited linear inside a graph; `scale` multiplies the update when present. */
export interface EditFactors {
  readonly u: Tensor;
  readonly d: Tensor;
  readonly scale?: Tensor;
  /** [B, R]: which ranks apply per batch row (x of rank 3 only). */
  readonly gate?: Tensor;
}

/** Graph input names of a linear's factors. */
export function editInputName(linear: string, factor: 'u' | 'd' | 'gate'): string {
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
  options: { gated?: boolean } = {},
): Map<string, EditFactors> {
  const factors = new Map<string, EditFactors>();
  for (const name of linears) {
    const weight = model.weights.get(`${name}.weight`);
    if (!weight) throw new Error(`cannot edit "${name}": the model has no parameter ${name}.weight`);
    const [dOut, dIn] = weight.shape as [number, number];
    factors.set(name, {
      u: graph.input(editInputName(name, 'u'), model.dtype, ['R', dIn]),
      d: graph.input(editInputName(name, 'd'), model.dtype, ['R', dOut]),
      ...(options.gated ? { gate: graph.input(editInputName(name, 'gate'), model.dtype, ['B', 'R']) } : {}),
    });
  }
  return factors;
}

/** Feeds for the factor inputs editInputs declares (none without an edit), with the gates when given. */
export function editFeeds(edit: LowRankEdit | undefined, gates?: EditGates): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  for (const [name, { u, d }] of edit ?? []) {
    feeds[editInputName(name, 'u')] = u;
    feeds[editInputName(name, 'd')] = d;
    const gate = gates?.get(name);
    if (gates && !gate) throw new Error(`no gate for the edited linear ${name}`);
    if (gate) feeds[editInputName(name, 'gate')] = gate;
  }
  return feeds;
}

/** Rows [from, to) of each gate, for a batch that takes those rows of a larger prompt list. */
export function gateRows(gates: EditGates, from: number, to: number): EditGates {
  const out = new Map<string, HostTensor<FloatDType>>();
  for (const [name, g] of gates) {
    const rank = g.shape[1] as number;
    out.set(name, {
      dtype: g.dtype,
      shape: [to - from, rank],
      data: g.data.subarray(from * rank, to * rank),
    } as HostTensor<FloatDType>);
  }
  return out;
}

/**
 * One edit and its gates for a batch of `before` rows then `after` rows: `base` (or nothing) on the first,
 * base + `edit` on the second. The stacked factors are stackEdits([base, edit]) (base ranks first, zero rows
 * to one R); a before row's gate keeps each linear's base ranks only.
 */
export function beforeAfterGates(
  stacked: LowRankEdit,
  base: LowRankEdit | undefined,
  before: number,
  after: number,
): EditGates {
  const gates = new Map<string, HostTensor<FloatDType>>();
  for (const [name, { u }] of stacked) {
    const rank = u.shape[0] as number;
    const baseRank = (base?.get(name)?.u.shape[0] as number | undefined) ?? 0;
    const data =
      u.dtype === 'float64'
        ? new Float64Array((before + after) * rank)
        : new Float32Array((before + after) * rank);
    for (let b = 0; b < before; b++) data.fill(1, b * rank, b * rank + baseRank);
    data.fill(1, before * rank);
    gates.set(name, { dtype: u.dtype, shape: [before + after, rank], data } as HostTensor<FloatDType>);
  }
  return gates;
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
    let low = flat.gemm(patch.u, { transB: true });
    if (patch.gate) {
      if (x.rank !== 3) throw new Error(`a gated edit needs [B, T, d] inputs at ${name}`);
      const rank = low.dim(-1);
      low = low
        .reshape([x.dim(0), x.dim(1), rank])
        .mul(patch.gate.unsqueeze(1))
        .reshape([rows, rank]);
    }
    let delta = low.gemm(patch.d);
    if (patch.scale) delta = delta.mul(patch.scale);
    return y.add(x.rank === 2 ? delta : delta.reshape([...lead, y.dim(-1)]));
  };
}
