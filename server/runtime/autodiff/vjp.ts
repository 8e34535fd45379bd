// Vector-Jacobian product rules: one entry per primitive op, the only place gradients are defined.
// The table is typed over OpName, so a primitive without a rule is a compile error.
// Each rule returns one cotangent per input (null where no gradient flows). The walker is grad.ts.
import { type Dim, dimAdd, dimProduct, dimSub, isStatic } from '../ir/dim';
import { isFloat } from '../ir/dtype';
import type { Graph, Node, Tensor } from '../ir/graph';
import type { OpAttrs, OpName } from '../ir/ops';

/** A gradient this rule cannot express; the walker raises it only if the input needs a gradient. */
export interface Unsupported {
  readonly unsupported: string;
}
export type Cotangent = Tensor | null | Unsupported;

export interface VjpContext<K extends OpName> {
  readonly graph: Graph;
  readonly node: Node<K>;
  readonly attrs: OpAttrs[K];
  /** The op's inputs, as tensors. */
  readonly x: readonly Tensor[];
  /** The op's output. */
  readonly y: Tensor;
  /** Cotangent of the output (same shape as y). */
  readonly g: Tensor;
}

type Rule<K extends OpName> = (c: VjpContext<K>) => Cotangent[];

/** Sums a broadcast gradient back down to `shape` (leading axes dropped, size-1 axes kept). */
export function unbroadcast(g: Tensor, shape: readonly Dim[]): Tensor {
  let t = g;
  const extra = t.rank - shape.length;
  if (extra > 0) t = t.sum(Array.from({ length: extra }, (_, i) => i));
  const axes = shape.flatMap((d, i) => (d === 1 && t.shape[i] !== 1 ? [i] : []));
  return axes.length ? t.sum(axes, true) : t;
}

/** Re-inserts reduced axes (when keepdims was false) and broadcasts back to the input's shape. */
function expandReduced(g: Tensor, x: Tensor, axes: readonly number[], keepdims: boolean): Tensor {
  const kept = keepdims ? g : g.unsqueeze(axes.slice().sort((a, b) => a - b));
  return kept.expand(x.shape);
}

/** Number of elements reduced over, as a scalar of x's dtype (a constant when static). */
function reducedCount(x: Tensor, axes: readonly number[]): Tensor {
  const count = dimProduct(axes.map((a) => x.dim(a)));
  return isStatic(count) ? x.graph.scalar(count, x.dtype) : x.graph.dimSize(count).cast(x.dtype);
}

/** d/dA and d/dB of C = alpha * op(A) op(B), all expressed as Gemm without materialised transposes. */
function gemmVjp(c: VjpContext<'Gemm'>): Cotangent[] {
  const [a, b] = c.x as [Tensor, Tensor];
  const { transA, transB, alpha } = c.attrs;
  const g = c.g;
  if (!transA && !transB) return [g.gemm(b, { transB: true, alpha }), a.gemm(g, { transA: true, alpha })];
  if (!transA && transB) return [g.gemm(b, { alpha }), g.gemm(a, { transA: true, alpha })];
  if (transA && !transB) return [b.gemm(g, { transB: true, alpha }), a.gemm(g, { alpha })];
  return [b.gemm(g, { transA: true, transB: true, alpha }), g.gemm(a, { transA: true, transB: true, alpha })];
}

/** Concat: each input receives its own slice of the output cotangent. */
function concatVjp(c: VjpContext<'Concat'>): Cotangent[] {
  let offset: Dim = 0;
  return c.x.map((input) => {
    const size = input.dim(c.attrs.axis);
    const piece = c.g.slice(c.attrs.axis, offset, dimAdd(offset, size));
    offset = dimAdd(offset, size);
    return piece;
  });
}

/** Slice: the cotangent is zero-padded back to the input's extent along the sliced axis. */
function sliceVjp(c: VjpContext<'Slice'>): Cotangent[] {
  const x = c.x[0] as Tensor;
  const { axis, start, end } = c.attrs;
  const zeros = (size: Dim) =>
    c.graph.fill(
      x.shape.map((d, i) => (i === axis ? size : d)),
      0,
      x.dtype,
    );
  const after = dimSub(x.dim(axis), end);
  const pieces = [...(start === 0 ? [] : [zeros(start)]), c.g, ...(after === 0 ? [] : [zeros(after)])];
  return [c.graph.concat(pieces, axis)];
}

/** ReduceMax: the cotangent goes to the maximal elements, split evenly between ties. */
function reduceMaxVjp(c: VjpContext<'ReduceMax'>): Cotangent[] {
  const x = c.x[0] as Tensor;
  const { axes, keepdims } = c.attrs;
  const mask = x.equal(expandReduced(c.y, x, axes, keepdims)).cast(x.dtype);
  const ties = mask.sum(axes, true).expand(x.shape);
  return [mask.mul(expandReduced(c.g, x, axes, keepdims)).div(ties)];
}

export const VJP: { readonly [K in OpName]: Rule<K> } = {
  Input: () => [],
  Constant: () => [],
  Fill: () => [],
  DimSize: () => [],

  Neg: ({ g }) => [g.neg()],
  Exp: ({ g, y }) => [g.mul(y)],
  Log: ({ g, x }) => [g.div(x[0] as Tensor)],
  Sqrt: ({ g, y }) => [g.div(y.mul(2))],
  Reciprocal: ({ g, y }) => [g.mul(y.mul(y)).neg()],
  Sigmoid: ({ g, y }) => [g.mul(y.mul(y.neg().add(1)))],
  Relu: ({ graph, g, x }) => [graph.where((x[0] as Tensor).greater(0), g, 0)],
  Tanh: ({ g, y }) => [g.mul(y.mul(y).neg().add(1))],
  StopGradient: () => [null],
  Cast: ({ g, x }) => [isFloat((x[0] as Tensor).dtype) ? g.cast((x[0] as Tensor).dtype) : null],

  Add: ({ g, x }) => [unbroadcast(g, (x[0] as Tensor).shape), unbroadcast(g, (x[1] as Tensor).shape)],
  Sub: ({ g, x }) => [unbroadcast(g, (x[0] as Tensor).shape), unbroadcast(g.neg(), (x[1] as Tensor).shape)],
  Mul: ({ g, x: [a, b] }) => [
    unbroadcast(g.mul(b as Tensor), (a as Tensor).shape),
    unbroadcast(g.mul(a as Tensor), (b as Tensor).shape),
  ],
  // y = a / b: da = g / b, db = -g * y / b
  Div: ({ g, y, x: [a, b] }) => [
    unbroadcast(g.div(b as Tensor), (a as Tensor).shape),
    unbroadcast(
      g
        .mul(y)
        .div(b as Tensor)
        .neg(),
      (b as Tensor).shape,
    ),
  ],
  // y = a ^ p: da = g * p * a^(p-1), dp = g * y * log(a)
  Pow: ({ g, y, x: [a, p] }) => [
    unbroadcast(g.mul(p as Tensor).mul((a as Tensor).pow((p as Tensor).sub(1))), (a as Tensor).shape),
    unbroadcast(g.mul(y).mul((a as Tensor).log()), (p as Tensor).shape),
  ],
  Equal: () => [null, null],
  Greater: () => [null, null],
  Where: ({ graph, g, x: [cond, a, b] }) => [
    null,
    unbroadcast(graph.where(cond as Tensor, g, 0), (a as Tensor).shape),
    unbroadcast(graph.where(cond as Tensor, 0, g), (b as Tensor).shape),
  ],

  ReduceSum: ({ g, x, attrs }) => [expandReduced(g, x[0] as Tensor, attrs.axes, attrs.keepdims)],
  ReduceMean: ({ g, x, attrs }) => [
    expandReduced(g, x[0] as Tensor, attrs.axes, attrs.keepdims).div(
      reducedCount(x[0] as Tensor, attrs.axes),
    ),
  ],
  ReduceMax: reduceMaxVjp,
  // y = softmax(x): dx = y * (g - sum(g * y))
  Softmax: ({ g, y, attrs }) => [y.mul(g.sub(g.mul(y).sum(attrs.axis, true)))],
  // y = log softmax(x): dx = g - exp(y) * sum(g)
  LogSoftmax: ({ g, y, attrs }) => [g.sub(y.exp().mul(g.sum(attrs.axis, true)))],

  // C = A @ B: dA = G @ B^T, dB = A^T @ G, summed over broadcast batch axes
  MatMul: ({ g, x: [a, b] }) => [
    unbroadcast(g.matmul((b as Tensor).mT()), (a as Tensor).shape),
    unbroadcast((a as Tensor).mT().matmul(g), (b as Tensor).shape),
  ],
  Gemm: gemmVjp,

  Reshape: ({ g, x }) => [g.reshape((x[0] as Tensor).shape)],
  Transpose: ({ g, attrs }) => {
    const inverse: number[] = [];
    attrs.perm.forEach((p, i) => {
      inverse[p] = i;
    });
    return [g.transpose(inverse)];
  },
  Expand: ({ g, x }) => [unbroadcast(g, (x[0] as Tensor).shape)],
  Unsqueeze: ({ g, x }) => [g.reshape((x[0] as Tensor).shape)],
  Squeeze: ({ g, x }) => [g.reshape((x[0] as Tensor).shape)],
  Concat: concatVjp,
  Slice: sliceVjp,

  Gather: ({ graph, g, x: [data, idx], attrs }) => {
    if (attrs.axis !== 0) return [{ unsupported: 'Gather is differentiable only along axis 0' }, null];
    const zeros = graph.fill((data as Tensor).shape, 0, (data as Tensor).dtype);
    return [graph.apply('ScatterNDAdd', [zeros, (idx as Tensor).unsqueeze(-1), g], {}), null];
  },
  GatherElements: ({ graph, g, x: [data, idx], attrs }) => {
    const zeros = graph.fill((data as Tensor).shape, 0, (data as Tensor).dtype);
    return [graph.apply('ScatterElementsAdd', [zeros, idx as Tensor, g], { axis: attrs.axis }), null];
  },
  ScatterNDAdd: ({ g }) => [
    g,
    null,
    { unsupported: 'ScatterNDAdd has no gradient for its updates (needs GatherND)' },
  ],
  ScatterElementsAdd: ({ g, x: [, idx], attrs }) => [g, null, g.gatherElements(idx as Tensor, attrs.axis)],
};
