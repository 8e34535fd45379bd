// Lowering rules: one entry per primitive op saying which ONNX nodes of the pinned opset compute it, the only
// place IR ops meet ONNX ops. The table is typed over OpName, so a primitive without a lowering is a compile
// error. Rules append to the emission state (lowering.ts); pruning, naming and encoding are emit.ts.
import { type Dim, dimEq, dimProduct, isStatic } from '../ir/dim';
import type { DType } from '../ir/dtype';
import type { Graph, Node } from '../ir/graph';
import type { OpAttrs, OpName } from '../ir/ops';
import { attr, EmitError, type Lowering, tensorBytes } from './lowering';
import { ONNX_DTYPE, type TensorMsg } from './proto';

export interface LowerContext<K extends OpName> {
  readonly low: Lowering;
  readonly graph: Graph;
  readonly node: Node<K>;
  readonly attrs: OpAttrs[K];
  /** The node's output type. */
  readonly dtype: DType;
  readonly shape: readonly Dim[];
  /** ONNX names of the node's inputs, in order. */
  readonly inputs: readonly string[];
  /** ONNX name of input k (the graph verifier has checked the arity). */
  readonly input: (k: number) => string;
  /** The ONNX name the node's value must be written to. */
  readonly out: string;
}

type Rule<K extends OpName> = (c: LowerContext<K>) => void;

/** The op of the same name, same inputs, no attributes (the IR names follow ONNX). */
const same: Rule<OpName> = ({ low, node, inputs, out }) => low.add(node.op, inputs.slice(), [out]);

/** The op of the same name with an `axis` attribute (Softmax, LogSoftmax, Concat, Gather, GatherElements). */
const sameWithAxis: Rule<'Softmax' | 'LogSoftmax' | 'Concat' | 'Gather' | 'GatherElements'> = ({
  low,
  node,
  attrs,
  inputs,
  out,
}) => low.add(node.op, inputs.slice(), [out], [attr.int('axis', attrs.axis)]);

/** Unsqueeze/Squeeze with axes as an input (opset 13). */
const sameWithAxes: Rule<'Unsqueeze' | 'Squeeze'> = ({ low, node, attrs, input, out }) =>
  low.add(node.op, [input(0), low.ints(attrs.axes)], [out]);

/** ReduceSum/Mean/Max with axes as an input (opset 18); no axes means identity, not "reduce all". */
const reduce: Rule<'ReduceSum' | 'ReduceMean' | 'ReduceMax'> = ({ low, node, attrs, input, out }) => {
  const { axes, keepdims } = attrs;
  if (axes.length === 0) low.add('Identity', [input(0)], [out]);
  else low.add(node.op, [input(0), low.ints(axes)], [out], [attr.int('keepdims', keepdims ? 1 : 0)]);
};

/** The shape of the node's k-th input. */
function inputShape(c: LowerContext<OpName>, k: number): readonly Dim[] {
  return c.graph.node(c.node.inputs[k] as number).type.shape;
}

/** Reshape target as an ONNX shape tensor, using 0 (copy) and -1 (infer) to avoid run-time shape math. */
function reshapeTarget(low: Lowering, input: readonly Dim[], target: readonly Dim[]): string {
  if (target.every(isStatic) && target.every((d) => d !== 0)) return low.ints(target);
  const spec: number[] = [];
  const unresolved: number[] = [];
  target.forEach((d, i) => {
    if (isStatic(d) && d !== 0) spec.push(d);
    else if (!isStatic(d) && i < input.length && dimEq(input[i] as Dim, d)) spec.push(0);
    else {
      spec.push(-1);
      unresolved.push(i);
    }
  });
  if (unresolved.length <= 1) return low.ints(spec);
  return low.shapeVector(target);
}

/** Expand with 1 on every axis the input already has at full size, so fewer dims need run-time values. */
function lowerExpand(c: LowerContext<'Expand'>): void {
  const source = inputShape(c, 0);
  const offset = c.shape.length - source.length;
  const target = c.shape.map((d, i) => (i >= offset && dimEq(source[i - offset] as Dim, d) ? 1 : d));
  c.low.add('Expand', [c.input(0), c.low.shapeVector(target)], [c.out]);
}

/**
 * Not ScatterND(reduction=add): onnxruntime's CPU kernel splits the updates across threads and adds without
 * atomics, so repeated indices (token ids) lose updates at random. ScatterElements(add) walks the updates in
 * order on one thread: exact, deterministic sums. Rows of width P = prod(data[1:]).
 */
function lowerScatterNDAdd(c: LowerContext<'ScatterNDAdd'>): void {
  const { low } = c;
  const [data, indices, updates] = [c.input(0), c.input(1), c.input(2)];
  const width = dimProduct(inputShape(c, 0).slice(1));
  const rowsShape = isStatic(width) ? low.ints([-1, width]) : low.shapeVector([-1, width]);
  const rowIds = low.fresh('scatter_rows');
  low.add('Reshape', [indices, low.ints([-1, 1])], [rowIds]);
  const elementIds = low.fresh('scatter_ids');
  low.add(
    'Expand',
    [rowIds, isStatic(width) ? low.ints([1, width]) : low.shapeVector([1, width])],
    [elementIds],
  );
  const rows = low.fresh('scatter_updates');
  low.add('Reshape', [updates, rowsShape], [rows]);
  const table = low.fresh('scatter_table');
  low.add('Reshape', [data, rowsShape], [table]);
  const summed = low.fresh('scatter_sum');
  low.add(
    'ScatterElements',
    [table, elementIds, rows],
    [summed],
    [attr.int('axis', 0), attr.string('reduction', 'add')],
  );
  const dataShape = low.fresh('scatter_shape');
  low.add('Shape', [data], [dataShape]);
  low.add('Reshape', [summed, dataShape], [c.out]);
}

export const LOWER: { readonly [K in OpName]: Rule<K> } = {
  Input: ({ low, attrs, dtype, shape }) =>
    low.graphInput({ name: attrs.name, dtype, shape, kind: attrs.kind }),
  Constant: ({ low, attrs, dtype, shape, out }) => {
    if (!shape.every(isStatic))
      throw new EmitError(`Constant ${out} has a symbolic shape [${shape.join(', ')}]`);
    low.constant(dtype, shape, attrs.values, out);
  },
  Fill: ({ low, attrs, dtype, shape, out }) => {
    const value: TensorMsg = {
      name: '',
      dims: [1],
      dataType: ONNX_DTYPE[dtype],
      rawData: tensorBytes(dtype, [attrs.value]),
    };
    low.add('ConstantOfShape', [low.shapeVector(shape)], [out], [attr.tensor('value', value)]);
  },
  DimSize: ({ low, attrs, out }) => low.add('Squeeze', [low.dimVector(attrs.dim), low.ints([0])], [out]),

  Neg: same,
  Exp: same,
  Log: same,
  Sqrt: same,
  Reciprocal: same,
  Sigmoid: same,
  Relu: same,
  Tanh: same,
  StopGradient: ({ low, inputs, out }) => low.add('Identity', inputs.slice(), [out]),
  Cast: ({ low, attrs, inputs, out }) =>
    low.add('Cast', inputs.slice(), [out], [attr.int('to', ONNX_DTYPE[attrs.to])]),

  Add: same,
  Sub: same,
  Mul: same,
  Div: same,
  Pow: same,
  Equal: same,
  Greater: same,
  Where: same,

  ReduceSum: reduce,
  ReduceMean: reduce,
  ReduceMax: reduce,
  Softmax: sameWithAxis,
  LogSoftmax: sameWithAxis,

  MatMul: same,
  Gemm: ({ low, attrs, inputs, out }) =>
    low.add(
      'Gemm',
      inputs.slice(),
      [out],
      [
        attr.int('transA', attrs.transA ? 1 : 0),
        attr.int('transB', attrs.transB ? 1 : 0),
        attr.float('alpha', attrs.alpha),
      ],
    ),

  Reshape: (c) =>
    c.low.add('Reshape', [c.input(0), reshapeTarget(c.low, inputShape(c, 0), c.shape)], [c.out]),
  Transpose: ({ low, attrs, inputs, out }) =>
    low.add('Transpose', inputs.slice(), [out], [attr.ints('perm', attrs.perm)]),
  Expand: lowerExpand,
  Unsqueeze: sameWithAxes,
  Squeeze: sameWithAxes,
  Concat: sameWithAxis,
  Slice: ({ low, attrs, input, out }) =>
    low.add(
      'Slice',
      [input(0), low.dimVector(attrs.start), low.dimVector(attrs.end), low.ints([attrs.axis])],
      [out],
    ),

  Gather: sameWithAxis,
  GatherElements: sameWithAxis,
  ScatterNDAdd: lowerScatterNDAdd,
  ScatterElementsAdd: ({ low, attrs, inputs, out }) =>
    low.add(
      'ScatterElements',
      inputs.slice(),
      [out],
      [attr.int('axis', attrs.axis), attr.string('reduction', 'add')],
    ),
};

/** Appends the ONNX nodes computing `node` into `out`. */
export function lowerNode<K extends OpName>(c: LowerContext<K>): void {
  LOWER[c.node.op](c);
}
