// The primitive operations of the graph IR: one table of names with their attributes, grouped by kind.
// Everything else (RMSNorm, SiLU, attention, RoPE, cross-entropy) is a composition in compose.ts.
// Names follow ONNX where an ONNX op exists. No shape logic here (infer.ts) and no gradients (autodiff/).
import type { Dim } from './dim';
import type { DType } from './dtype';

/** Attributes of each primitive, keyed by op name. `{}` means none. */
export interface OpAttrs {
  // Leaves: values that come from outside the computation.
  Input: { name: string; kind: 'data' | 'param' };
  Constant: { values: ArrayLike<number>; name?: string };
  /** A tensor of the given shape filled with one value (ONNX ConstantOfShape). */
  Fill: { shape: readonly Dim[]; value: number };
  /** The run-time value of a dimension as an int64 scalar. */
  DimSize: { dim: Dim };

  // Unary elementwise (same shape and dtype out).
  Neg: Record<string, never>;
  Exp: Record<string, never>;
  Log: Record<string, never>;
  Sqrt: Record<string, never>;
  Reciprocal: Record<string, never>;
  Sigmoid: Record<string, never>;
  Relu: Record<string, never>;
  Tanh: Record<string, never>;
  /** Identity in the forward pass; blocks gradients. */
  StopGradient: Record<string, never>;
  Cast: { to: DType };

  // Binary elementwise with numpy broadcasting.
  Add: Record<string, never>;
  Sub: Record<string, never>;
  Mul: Record<string, never>;
  Div: Record<string, never>;
  Pow: Record<string, never>;
  Equal: Record<string, never>;
  Greater: Record<string, never>;
  Where: Record<string, never>;

  // Reductions over axes.
  ReduceSum: { axes: readonly number[]; keepdims: boolean };
  ReduceMean: { axes: readonly number[]; keepdims: boolean };
  ReduceMax: { axes: readonly number[]; keepdims: boolean };
  Softmax: { axis: number };
  LogSoftmax: { axis: number };

  // Contractions.
  /** numpy matmul on rank >= 2 operands, batch dims broadcast. */
  MatMul: Record<string, never>;
  /** alpha * op(A) @ op(B) on rank-2 operands, op = transpose when the flag is set. */
  Gemm: { transA: boolean; transB: boolean; alpha: number };

  // Movement: change layout, not values.
  Reshape: { shape: readonly Dim[] };
  Transpose: { perm: readonly number[] };
  Expand: { shape: readonly Dim[] };
  Unsqueeze: { axes: readonly number[] };
  Squeeze: { axes: readonly number[] };
  Concat: { axis: number };
  Slice: { axis: number; start: Dim; end: Dim };

  // Indexing.
  Gather: { axis: number };
  GatherElements: { axis: number };
  /**
   * out = data; out[indices[i]] += updates[i], one row index per update (ScatterND-add semantics). Emitted as
   * ONNX ScatterElements(add) over rows, never ScatterND: its CPU kernel races on repeated indices (onnx/lower.ts).
   */
  ScatterNDAdd: Record<string, never>;
  /** out = data; out[... indices ...] += updates along axis (ONNX ScatterElements, reduction "add"). */
  ScatterElementsAdd: { axis: number };
}

export type OpName = keyof OpAttrs;

function group<const T extends readonly OpName[]>(ops: T): ReadonlySet<T[number]> {
  return new Set(ops);
}

/** Ops with no tensor inputs. */
export const Leaf = group(['Input', 'Constant', 'Fill', 'DimSize'] as const);
/** One input, output has the input's shape; dtype kept except for Cast. */
export const Unary = group([
  'Neg',
  'Exp',
  'Log',
  'Sqrt',
  'Reciprocal',
  'Sigmoid',
  'Relu',
  'Tanh',
  'StopGradient',
  'Cast',
] as const);
/** Two inputs broadcast numpy-style (Where takes three); comparisons output bool. */
export const Binary = group(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Equal', 'Greater', 'Where'] as const);
/** Reduce over axes; Softmax/LogSoftmax normalise along one axis and keep the shape. */
export const Reduce = group(['ReduceSum', 'ReduceMean', 'ReduceMax', 'Softmax', 'LogSoftmax'] as const);
/** Only rearrange or replicate elements: the gradient is the inverse movement (plus a sum for Expand). */
export const Movement = group([
  'Reshape',
  'Transpose',
  'Expand',
  'Unsqueeze',
  'Squeeze',
  'Concat',
  'Slice',
] as const);
/** Index-driven reads and accumulating writes. */
export const Indexing = group(['Gather', 'GatherElements', 'ScatterNDAdd', 'ScatterElementsAdd'] as const);
/** Ops whose outputs never carry gradient. */
export const NonDifferentiable = group([
  'Input',
  'Constant',
  'Fill',
  'DimSize',
  'Equal',
  'Greater',
  'StopGradient',
] as const);

/** Number of tensor inputs each op takes. */
export const ARITY: { readonly [K in OpName]: number } = {
  Input: 0,
  Constant: 0,
  Fill: 0,
  DimSize: 0,
  Neg: 1,
  Exp: 1,
  Log: 1,
  Sqrt: 1,
  Reciprocal: 1,
  Sigmoid: 1,
  Relu: 1,
  Tanh: 1,
  StopGradient: 1,
  Cast: 1,
  Add: 2,
  Sub: 2,
  Mul: 2,
  Div: 2,
  Pow: 2,
  Equal: 2,
  Greater: 2,
  Where: 3,
  ReduceSum: 1,
  ReduceMean: 1,
  ReduceMax: 1,
  Softmax: 1,
  LogSoftmax: 1,
  MatMul: 2,
  Gemm: 2,
  Reshape: 1,
  Transpose: 1,
  Expand: 1,
  Unsqueeze: 1,
  Squeeze: 1,
  Concat: -1,
  Slice: 1,
  Gather: 2,
  GatherElements: 2,
  ScatterNDAdd: 3,
  ScatterElementsAdd: 3,
};
