// Lowers an IR graph to an ONNX model: prunes dead nodes, names tensors, turns symbolic dimensions into
// run-time shape computations (Shape/Mul/Add/Concat), and maps each primitive to ONNX ops of the pinned opset.
// Owns the IR→ONNX mapping only; wire encoding is proto.ts, execution is backend/.
import { createHash } from 'node:crypto';
import { type Dim, dimEq, dimProduct, dimSymbols, dimTerms, isStatic } from '../ir/dim';
import type { DType, HostTensor } from '../ir/dtype';
import type { Graph, Node, Tensor } from '../ir/graph';
import type { OpAttrs, OpName } from '../ir/ops';
import { verifyGraph } from '../ir/verify';
import {
  ATTR_TYPE,
  type AttributeMsg,
  encodeModel,
  type NodeMsg,
  ONNX_DTYPE,
  type TensorMsg,
  type ValueInfoMsg,
} from './proto';

export interface GraphIO {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly Dim[];
}

export interface EmittedModel {
  readonly bytes: Uint8Array;
  /** Inputs the session must be fed, in graph order. */
  readonly inputs: readonly (GraphIO & { kind: 'data' | 'param' })[];
  readonly outputs: readonly GraphIO[];
  /** SHA-256 of the bytes: the compile-cache key. */
  readonly hash: string;
  /** Any float64 value in the live graph (onnxruntime's contrib fusions are float32-only). */
  readonly usesFloat64: boolean;
}

export interface EmitOptions {
  /** Outputs to compute (default: every declared graph output). */
  outputs?: ReadonlyMap<string, Tensor>;
  /** Inputs baked into the model as initializers instead of being fed at run time (frozen weights). */
  initializers?: ReadonlyMap<string, HostTensor>;
}

export class EmitError extends Error {
  override name = 'EmitError';
}

function tensorBytes(dtype: DType, values: ArrayLike<number> | ArrayLike<bigint>): Uint8Array {
  switch (dtype) {
    case 'float32':
      return new Uint8Array(Float32Array.from(values as ArrayLike<number>).buffer);
    case 'float64':
      return new Uint8Array(Float64Array.from(values as ArrayLike<number>).buffer);
    case 'int64': {
      const out = new BigInt64Array(values.length);
      for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i] as number | bigint);
      return new Uint8Array(out.buffer);
    }
    case 'bool':
      return Uint8Array.from(values as ArrayLike<number>, (v) => (v ? 1 : 0));
  }
}

function hostBytes(t: HostTensor): Uint8Array {
  const d = t.data;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

function sanitize(label: string): string {
  return label.replace(/[^A-Za-z0-9_.:/-]/g, '_');
}

const attr = {
  int: (name: string, i: number): AttributeMsg => ({ name, type: ATTR_TYPE.INT, i }),
  float: (name: string, f: number): AttributeMsg => ({ name, type: ATTR_TYPE.FLOAT, f }),
  ints: (name: string, ints: readonly number[]): AttributeMsg => ({
    name,
    type: ATTR_TYPE.INTS,
    ints: ints.slice(),
  }),
  string: (name: string, s: string): AttributeMsg => ({
    name,
    type: ATTR_TYPE.STRING,
    s: Buffer.from(s, 'utf8'),
  }),
  tensor: (name: string, t: TensorMsg): AttributeMsg => ({ name, type: ATTR_TYPE.TENSOR, t }),
};

/** Emission state for one model: node list, initializers, shape-expression cache, unique names. */
class Lowering {
  readonly nodes: NodeMsg[] = [];
  readonly initializers: TensorMsg[] = [];
  private readonly dimCache = new Map<string, string>();
  private counter = 0;

  constructor(private readonly symbolSources: ReadonlyMap<string, { input: string; axis: number }>) {}

  fresh(prefix: string): string {
    return `${prefix}__${this.counter++}`;
  }

  add(opType: string, input: string[], output: string[], attribute: AttributeMsg[] = []): void {
    this.nodes.push({ opType, input, output, attribute, name: output[0] as string });
  }

  constant(
    dtype: DType,
    dims: readonly number[],
    values: ArrayLike<number> | ArrayLike<bigint>,
    name?: string,
  ): string {
    const tensorName = name ?? this.fresh('const');
    this.initializers.push({
      name: tensorName,
      dims: dims.slice(),
      dataType: ONNX_DTYPE[dtype],
      rawData: tensorBytes(dtype, values),
    });
    return tensorName;
  }

  ints(values: readonly number[]): string {
    return this.constant('int64', [values.length], values);
  }

  /** A 1-D int64 tensor of length 1 holding the run-time value of `d`. */
  dimVector(d: Dim): string {
    const key = String(d);
    const cached = this.dimCache.get(key);
    if (cached) return cached;
    let result: string;
    if (isStatic(d)) {
      result = this.ints([d]);
    } else {
      let acc: string | undefined;
      for (const { coeff, symbols } of dimTerms(d)) {
        let term: string | undefined;
        for (const symbol of symbols) {
          const factor = this.symbol(symbol);
          if (term) {
            const product = this.fresh('dim_mul');
            this.add('Mul', [term, factor], [product]);
            term = product;
          } else term = factor;
        }
        if (!term) term = this.ints([coeff]);
        else if (coeff !== 1) {
          const scaled = this.fresh('dim_scale');
          this.add('Mul', [term, this.ints([coeff])], [scaled]);
          term = scaled;
        }
        if (acc) {
          const sum = this.fresh('dim_add');
          this.add('Add', [acc, term], [sum]);
          acc = sum;
        } else acc = term;
      }
      result = acc ?? this.ints([0]);
    }
    this.dimCache.set(key, result);
    return result;
  }

  private symbol(name: string): string {
    const key = `sym:${name}`;
    const cached = this.dimCache.get(key);
    if (cached) return cached;
    const source = this.symbolSources.get(name);
    if (!source) {
      throw new EmitError(
        `dimension "${name}" is not the size of any graph input axis, so its run-time value is unknown`,
      );
    }
    const out = this.fresh(`dim_${name}`);
    this.add(
      'Shape',
      [source.input],
      [out],
      [attr.int('start', source.axis), attr.int('end', source.axis + 1)],
    );
    this.dimCache.set(key, out);
    return out;
  }

  /** A 1-D int64 shape tensor for `dims`; runs of static dims become one constant. */
  shapeVector(dims: readonly Dim[]): string {
    if (dims.every(isStatic)) return this.ints(dims as number[]);
    const parts: string[] = [];
    let run: number[] = [];
    for (const d of dims) {
      if (isStatic(d)) run.push(d);
      else {
        if (run.length) parts.push(this.ints(run));
        run = [];
        parts.push(this.dimVector(d));
      }
    }
    if (run.length) parts.push(this.ints(run));
    if (parts.length === 1) return parts[0] as string;
    const out = this.fresh('shape');
    this.add('Concat', parts, [out], [attr.int('axis', 0)]);
    return out;
  }
}

/** Reshape target as an ONNX shape tensor, using 0 (copy) and -1 (infer) to avoid run-time shape math. */
function reshapeTarget(low: Lowering, input: readonly Dim[], target: readonly Dim[]): string {
  if (target.every(isStatic) && target.every((d) => d !== 0)) return low.ints(target as number[]);
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

function liveNodes(graph: Graph, roots: Iterable<Tensor>): Set<number> {
  const live = new Set<number>();
  const stack = [...roots].map((t) => t.id);
  while (stack.length) {
    const id = stack.pop() as number;
    if (live.has(id)) continue;
    live.add(id);
    for (const i of graph.node(id).inputs) stack.push(i);
  }
  return live;
}

/** Dimension symbols referenced by node attributes (they need run-time values). */
function attributeSymbols(node: Node): string[] {
  const a = node.attrs as Partial<OpAttrs['Fill'] & OpAttrs['DimSize'] & OpAttrs['Slice']>;
  const dims: Dim[] = [...(a.shape ?? []), ...(a.dim !== undefined ? [a.dim] : [])];
  if (node.op === 'Slice') dims.push(a.start as Dim, a.end as Dim);
  return dims.flatMap(dimSymbols);
}

export function emitModel(graph: Graph, options: EmitOptions = {}): EmittedModel {
  const outputs = options.outputs ?? graph.outputs;
  if (outputs.size === 0) throw new EmitError(`graph ${graph.name} has no outputs to compute`);
  const live = liveNodes(graph, outputs.values());

  // Every symbol used in an attribute needs a graph input axis of that exact size.
  const sources = new Map<string, { input: string; axis: number }>();
  for (const [name, t] of graph.inputs) {
    if (options.initializers?.has(name)) continue;
    t.shape.forEach((d, axis) => {
      if (typeof d === 'string' && dimSymbols(d).length === 1 && dimSymbols(d)[0] === d && !sources.has(d)) {
        sources.set(d, { input: name, axis });
      }
    });
  }
  for (const id of [...live]) {
    for (const symbol of attributeSymbols(graph.node(id))) {
      const source = sources.get(symbol);
      if (source) live.add((graph.inputs.get(source.input) as Tensor).id);
    }
  }
  const order = [...live].sort((a, b) => a - b);
  verifyGraph(graph, order);

  const low = new Lowering(sources);
  const names = new Map<number, string>();
  const inputs: Array<GraphIO & { kind: 'data' | 'param' }> = [];
  const inputInfos: ValueInfoMsg[] = [];
  const valueInfo = (name: string, dtype: DType, shape?: readonly Dim[]): ValueInfoMsg => ({
    name,
    type: {
      tensorType: {
        elemType: ONNX_DTYPE[dtype],
        ...(shape
          ? { shape: { dim: shape.map((d) => (isStatic(d) ? { dimValue: d } : { dimParam: String(d) })) } }
          : {}),
      },
    },
  });

  // Names follow emission order, not node ids, so equal live computations give byte-identical models.
  order.forEach((id, position) => {
    const node = graph.node(id);
    const input = (k: number) => names.get(node.inputs[k] as number) as string;
    const out =
      node.op === 'Input'
        ? (node.attrs as OpAttrs['Input']).name
        : `${sanitize(node.label ?? node.op)}_${position}`;
    names.set(id, out);
    lower(low, graph, node as Node<OpName>, out, input, inputs, inputInfos, valueInfo, options.initializers);
  });

  const outputInfos: ValueInfoMsg[] = [];
  const outputIO: GraphIO[] = [];
  for (const [name, t] of outputs) {
    low.add('Identity', [names.get(t.id) as string], [name]);
    outputInfos.push(valueInfo(name, t.dtype));
    outputIO.push({ name, dtype: t.dtype, shape: t.shape });
  }

  const bytes = encodeModel({
    graph: {
      name: graph.name,
      node: low.nodes,
      initializer: low.initializers,
      input: inputInfos,
      output: outputInfos,
    },
  });
  const hash = createHash('sha256').update(bytes).digest('hex');
  const usesFloat64 = order.some((id) => graph.node(id).type.dtype === 'float64');
  return { bytes, inputs, outputs: outputIO, hash, usesFloat64 };
}

function lower(
  low: Lowering,
  graph: Graph,
  node: Node<OpName>,
  out: string,
  input: (k: number) => string,
  inputs: Array<GraphIO & { kind: 'data' | 'param' }>,
  inputInfos: ValueInfoMsg[],
  valueInfo: (name: string, dtype: DType, shape?: readonly Dim[]) => ValueInfoMsg,
  initializers?: ReadonlyMap<string, HostTensor>,
): void {
  const { dtype, shape } = node.type;
  const a = node.attrs as never;
  switch (node.op) {
    case 'Input': {
      const { name, kind } = a as OpAttrs['Input'];
      const init = initializers?.get(name);
      if (init) {
        if (
          init.dtype !== dtype ||
          init.shape.length !== shape.length ||
          !init.shape.every((d, i) => dimEq(d, shape[i] as Dim) || !isStatic(shape[i] as Dim))
        ) {
          throw new EmitError(
            `initializer "${name}" is ${init.dtype}[${init.shape.join(', ')}], the graph declares ${dtype}[${shape.join(', ')}]`,
          );
        }
        low.initializers.push({
          name,
          dims: init.shape.slice(),
          dataType: ONNX_DTYPE[dtype],
          rawData: hostBytes(init),
        });
      } else {
        inputs.push({ name, dtype, shape, kind });
        inputInfos.push(valueInfo(name, dtype, shape));
      }
      return;
    }
    case 'Constant':
      low.constant(dtype, shape as number[], (a as OpAttrs['Constant']).values, out);
      return;
    case 'Fill': {
      const valueTensor: TensorMsg = {
        name: '',
        dims: [1],
        dataType: ONNX_DTYPE[dtype],
        rawData: tensorBytes(dtype, [(a as OpAttrs['Fill']).value]),
      };
      low.add('ConstantOfShape', [low.shapeVector(shape)], [out], [attr.tensor('value', valueTensor)]);
      return;
    }
    case 'DimSize':
      low.add('Squeeze', [low.dimVector((a as OpAttrs['DimSize']).dim), low.ints([0])], [out]);
      return;
    case 'StopGradient':
      low.add('Identity', [input(0)], [out]);
      return;
    case 'Cast':
      low.add('Cast', [input(0)], [out], [attr.int('to', ONNX_DTYPE[(a as OpAttrs['Cast']).to])]);
      return;
    case 'Neg':
    case 'Exp':
    case 'Log':
    case 'Sqrt':
    case 'Reciprocal':
    case 'Sigmoid':
    case 'Relu':
    case 'Tanh':
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div':
    case 'Pow':
    case 'Equal':
    case 'Greater':
    case 'Where':
    case 'MatMul':
      low.add(
        node.op,
        node.inputs.map((_, k) => input(k)),
        [out],
      );
      return;
    case 'ReduceSum':
    case 'ReduceMean':
    case 'ReduceMax': {
      const { axes, keepdims } = a as OpAttrs['ReduceSum'];
      if (axes.length === 0) low.add('Identity', [input(0)], [out]);
      else low.add(node.op, [input(0), low.ints(axes)], [out], [attr.int('keepdims', keepdims ? 1 : 0)]);
      return;
    }
    case 'Softmax':
    case 'LogSoftmax':
      low.add(node.op, [input(0)], [out], [attr.int('axis', (a as OpAttrs['Softmax']).axis)]);
      return;
    case 'Gemm': {
      const { transA, transB, alpha } = a as OpAttrs['Gemm'];
      low.add(
        'Gemm',
        [input(0), input(1)],
        [out],
        [attr.int('transA', transA ? 1 : 0), attr.int('transB', transB ? 1 : 0), attr.float('alpha', alpha)],
      );
      return;
    }
    case 'Reshape': {
      const source = graph.node(node.inputs[0] as number).type.shape;
      low.add('Reshape', [input(0), reshapeTarget(low, source, shape)], [out]);
      return;
    }
    case 'Transpose':
      low.add('Transpose', [input(0)], [out], [attr.ints('perm', (a as OpAttrs['Transpose']).perm)]);
      return;
    case 'Expand': {
      const source = graph.node(node.inputs[0] as number).type.shape;
      const offset = shape.length - source.length;
      const target = shape.map((d, i) => (i >= offset && dimEq(source[i - offset] as Dim, d) ? 1 : d));
      low.add('Expand', [input(0), low.shapeVector(target)], [out]);
      return;
    }
    case 'Unsqueeze':
    case 'Squeeze':
      low.add(node.op, [input(0), low.ints((a as OpAttrs['Unsqueeze']).axes)], [out]);
      return;
    case 'Concat':
      low.add(
        'Concat',
        node.inputs.map((_, k) => input(k)),
        [out],
        [attr.int('axis', (a as OpAttrs['Concat']).axis)],
      );
      return;
    case 'Slice': {
      const { axis, start, end } = a as OpAttrs['Slice'];
      low.add('Slice', [input(0), low.dimVector(start), low.dimVector(end), low.ints([axis])], [out]);
      return;
    }
    case 'Gather':
    case 'GatherElements':
      low.add(node.op, [input(0), input(1)], [out], [attr.int('axis', (a as OpAttrs['Gather']).axis)]);
      return;
    case 'ScatterNDAdd': {
      // Not ScatterND(reduction=add): onnxruntime's CPU kernel splits the updates across threads and adds
      // without atomics, so repeated indices (token ids) lose updates at random. ScatterElements(add) walks
      // the updates in order on one thread: exact, deterministic sums. Rows of width P = prod(data[1:]).
      const data = graph.node(node.inputs[0] as number).type.shape;
      const width = dimProduct(data.slice(1));
      const rowsShape = isStatic(width) ? low.ints([-1, width]) : low.shapeVector([-1, width]);
      const rowIds = low.fresh('scatter_rows');
      low.add('Reshape', [input(1), low.ints([-1, 1])], [rowIds]);
      const elementIds = low.fresh('scatter_ids');
      low.add(
        'Expand',
        [rowIds, isStatic(width) ? low.ints([1, width]) : low.shapeVector([1, width])],
        [elementIds],
      );
      const updates = low.fresh('scatter_updates');
      low.add('Reshape', [input(2), rowsShape], [updates]);
      const table = low.fresh('scatter_table');
      low.add('Reshape', [input(0), rowsShape], [table]);
      const summed = low.fresh('scatter_sum');
      low.add(
        'ScatterElements',
        [table, elementIds, updates],
        [summed],
        [attr.int('axis', 0), attr.string('reduction', 'add')],
      );
      const dataShape = low.fresh('scatter_shape');
      low.add('Shape', [input(0)], [dataShape]);
      low.add('Reshape', [summed, dataShape], [out]);
      return;
    }
    case 'ScatterElementsAdd':
      low.add(
        'ScatterElements',
        [input(0), input(1), input(2)],
        [out],
        [attr.int('axis', (a as OpAttrs['ScatterElementsAdd']).axis), attr.string('reduction', 'add')],
      );
      return;
    default: {
      const exhaustive: never = node.op;
      throw new EmitError(`no ONNX lowering for op ${String(exhaustive)}`);
    }
  }
}
