// Reverse-mode autodiff over the graph IR: walks nodes in reverse topological order from a loss,
// applies the VJP table, accumulates cotangents, and returns gradient tensors added to the same graph.
// Gradients may be taken w.r.t. parameters or any intermediate tensor; StopGradient and non-float values block flow.
import { formatShape, shapeEq } from '../ir/dim';
import { isFloat } from '../ir/dtype';
import type { Graph, Tensor } from '../ir/graph';
import { NonDifferentiable, type OpName } from '../ir/ops';
import { type Cotangent, VJP, type VjpContext } from './vjp';

export class AutodiffError extends Error {
  override name = 'AutodiffError';
}

function describe(graph: Graph, id: number): string {
  const node = graph.node(id);
  return `${node.op} node ${id}${node.label ? ` "${node.label}"` : ''}`;
}

/** Node ids on a path from any of `sources` to `target` along float edges that carry gradient. */
function relevantNodes(graph: Graph, sources: readonly Tensor[], target: Tensor): Set<number> {
  const forward = new Set<number>();
  for (const s of sources) if (isFloat(s.dtype)) forward.add(s.id);
  for (let id = 0; id <= target.id; id++) {
    if (forward.has(id)) continue;
    const node = graph.node(id);
    if (NonDifferentiable.has(node.op as never) || !isFloat(node.type.dtype)) continue;
    if (node.inputs.some((i) => forward.has(i))) forward.add(id);
  }
  const relevant = new Set<number>();
  if (!forward.has(target.id)) return relevant;
  relevant.add(target.id);
  for (let id = target.id; id >= 0; id--) {
    if (!relevant.has(id)) continue;
    for (const i of graph.node(id).inputs) if (forward.has(i)) relevant.add(i);
  }
  return relevant;
}

/** A scatter-add into a zero fill (the cotangent of Gather/GatherElements): its scatter op and operands. */
function scatterIntoZeros(t: Tensor): { op: 'ScatterNDAdd' | 'ScatterElementsAdd'; node: number } | null {
  const node = t.graph.node(t.id);
  if (node.op !== 'ScatterNDAdd' && node.op !== 'ScatterElementsAdd') return null;
  const data = t.graph.node(node.inputs[0] as number);
  if (data.op !== 'Fill' || (data.attrs as { value: number }).value !== 0) return null;
  return { op: node.op, node: t.id };
}

/**
 * a + b for two cotangents of one tensor. When one is a scatter-add into zeros, the other becomes the
 * scatter's base instead: one pass over the tensor (the scatter's copy) replaces a zero fill and an Add,
 * which for a tied embedding ([vocab, d]: the LM head's dense gradient plus the lookup's rows) are two
 * full-size passes. Row sums are taken in another order, so results move within float rounding.
 */
function accumulate(a: Tensor, b: Tensor): Tensor {
  for (const [base, other] of [
    [a, b],
    [b, a],
  ] as const) {
    const scatter = scatterIntoZeros(other);
    if (!scatter) continue;
    const node = other.graph.node(scatter.node);
    const [, indices, updates] = node.inputs.map((i) => other.graph.tensor(i)) as [Tensor, Tensor, Tensor];
    return other.graph.apply(scatter.op, [base, indices, updates], node.attrs as never);
  }
  return a.add(b);
}

/**
 * Gradients of `output` w.r.t. each tensor in `wrt`. A non-scalar output needs a `seed` cotangent of its shape.
 * Tensors the output does not depend on get a zero gradient.
 */
export function grad(output: Tensor, wrt: readonly Tensor[], seed?: Tensor): Tensor[] {
  const graph = output.graph;
  if (!isFloat(output.dtype)) throw new AutodiffError(`cannot differentiate a ${output.dtype} output`);
  for (const w of wrt) {
    if (w.graph !== graph)
      throw new AutodiffError('a tensor to differentiate against belongs to another graph');
    if (!isFloat(w.dtype))
      throw new AutodiffError(`cannot differentiate w.r.t. a ${w.dtype} tensor (${describe(graph, w.id)})`);
  }
  let start = seed;
  if (!start) {
    if (output.rank !== 0) {
      throw new AutodiffError(
        `output has shape ${formatShape(output.shape)}; pass a seed cotangent or reduce it to a scalar`,
      );
    }
    start = graph.scalar(1, output.dtype);
  } else if (!shapeEq(start.shape, output.shape) || start.dtype !== output.dtype) {
    throw new AutodiffError(
      `seed ${start.dtype}${formatShape(start.shape)} does not match output ${output.dtype}${formatShape(output.shape)}`,
    );
  }

  const relevant = relevantNodes(graph, wrt, output);
  const cotangents = new Map<number, Tensor>([[output.id, start]]);
  const lastForwardId = output.id;
  for (let id = lastForwardId; id >= 0; id--) {
    const g = cotangents.get(id);
    if (!g || !relevant.has(id)) continue;
    const node = graph.node(id);
    if (node.inputs.every((i) => !relevant.has(i))) continue;
    const x = node.inputs.map((i) => graph.tensor(i));
    const rule = VJP[node.op] as (c: VjpContext<OpName>) => Cotangent[];
    const results = rule({ graph, node, attrs: node.attrs, x, y: graph.tensor(id), g });
    if (results.length !== node.inputs.length) {
      throw new AutodiffError(
        `VJP rule of ${describe(graph, id)} returned ${results.length} cotangents for ${node.inputs.length} inputs`,
      );
    }
    results.forEach((result, k) => {
      const inputId = node.inputs[k] as number;
      if (!relevant.has(inputId)) return;
      if (result === null) return;
      if (!('graph' in result)) throw new AutodiffError(`${describe(graph, id)}: ${result.unsupported}`);
      const input = graph.node(inputId).type;
      if (!shapeEq(result.shape, input.shape) || result.dtype !== input.dtype) {
        throw new AutodiffError(
          `VJP rule of ${describe(graph, id)} gave input ${k} a cotangent ${result.dtype}${formatShape(result.shape)}; expected ${input.dtype}${formatShape(input.shape)}`,
        );
      }
      const previous = cotangents.get(inputId);
      cotangents.set(inputId, previous ? accumulate(previous, result) : result);
    });
  }
  return wrt.map((w) => cotangents.get(w.id) ?? graph.fill(w.shape, 0, w.dtype));
}
