// The graph IR and its builder: nodes in creation (hence topological) order, and Tensor handles whose
// methods add primitive nodes with their types inferred at once, so mistakes surface where they are made.
// Owns node storage and naming; type rules live in infer.ts, gradients in autodiff/, emission in onnx/.
import { type Dim, dimSub, isStatic, type Shape, shapeOf } from './dim';
import type { DType } from './dtype';
import { inferType, ShapeError, type TensorType } from './infer';
import { ARITY, type OpAttrs, type OpName } from './ops';

export interface Node<K extends OpName = OpName> {
  readonly id: number;
  readonly op: K;
  readonly inputs: readonly number[];
  readonly attrs: OpAttrs[K];
  readonly type: TensorType;
  /** A readable name used in emitted graphs and error messages. */
  label?: string;
}

type Operand = Tensor | number;

export class Graph {
  readonly nodes: Node[] = [];
  /** Graph inputs by name (data and parameters). */
  readonly inputs = new Map<string, Tensor>();
  /** Named graph outputs, in declaration order. */
  readonly outputs = new Map<string, Tensor>();

  constructor(readonly name = 'propmend') {}

  private push<K extends OpName>(
    op: K,
    inputs: readonly Tensor[],
    attrs: OpAttrs[K],
    type: TensorType,
  ): Tensor {
    for (const t of inputs) {
      if (t.graph !== this) throw new Error(`${op}: an input tensor belongs to another graph`);
    }
    const node: Node<K> = { id: this.nodes.length, op, inputs: inputs.map((t) => t.id), attrs, type };
    this.nodes.push(node as unknown as Node);
    return new Tensor(this, node.id);
  }

  /** Adds a primitive node; its output type is inferred (ShapeError on mismatch). */
  apply<K extends OpName>(op: K, inputs: readonly Tensor[], attrs: OpAttrs[K]): Tensor {
    const arity = ARITY[op];
    if (arity >= 0 && inputs.length !== arity) {
      throw new ShapeError(`${op}: expects ${arity} inputs, got ${inputs.length}`);
    }
    const type = inferType(
      op,
      inputs.map((t) => t.type),
      attrs,
    );
    return this.push(op, inputs, attrs, { dtype: type.dtype, shape: shapeOf(type.shape) });
  }

  /** A graph input fed at run time: `data` (ids, masks) or `param` (weights, differentiable leaves). */
  input(name: string, dtype: DType, shape: readonly Dim[], kind: 'data' | 'param' = 'data'): Tensor {
    if (this.inputs.has(name)) throw new Error(`graph input "${name}" is declared twice`);
    const t = this.push('Input', [], { name, kind }, { dtype, shape: shapeOf(shape) });
    this.inputs.set(name, t);
    return t.named(name);
  }

  param(name: string, dtype: DType, shape: readonly Dim[]): Tensor {
    return this.input(name, dtype, shape, 'param');
  }

  /** A constant tensor with static shape (a scalar by default). */
  constant(values: number | ArrayLike<number>, dtype: DType, shape: readonly number[] = []): Tensor {
    const array = typeof values === 'number' ? [values] : values;
    const size = shape.reduce((a, b) => a * b, 1);
    if (array.length !== size) {
      throw new ShapeError(`Constant: ${array.length} values do not fill shape [${shape.join(', ')}]`);
    }
    return this.push('Constant', [], { values: Array.from(array) }, { dtype, shape: shape.slice() });
  }

  scalar(value: number, dtype: DType): Tensor {
    return this.constant(value, dtype);
  }

  /** A tensor of `shape` (may be symbolic) filled with `value`. */
  fill(shape: readonly Dim[], value: number, dtype: DType): Tensor {
    const s = shapeOf(shape);
    return this.push('Fill', [], { shape: s, value }, { dtype, shape: s });
  }

  /** The run-time value of a (possibly symbolic) dimension, as an int64 scalar. */
  dimSize(d: Dim): Tensor {
    return this.apply('DimSize', [], { dim: d });
  }

  concat(tensors: readonly Tensor[], axis: number): Tensor {
    if (tensors.length === 1) return tensors[0] as Tensor;
    return this.apply('Concat', tensors, { axis });
  }

  where(cond: Tensor, a: Operand, b: Operand): Tensor {
    const ref = a instanceof Tensor ? a : b instanceof Tensor ? b : undefined;
    if (!ref) throw new ShapeError('Where: at least one branch must be a tensor');
    return this.apply('Where', [cond, this.lift(a, ref.dtype), this.lift(b, ref.dtype)], {});
  }

  lift(x: Operand, dtype: DType): Tensor {
    return x instanceof Tensor ? x : this.scalar(x, dtype);
  }

  /** Declares a named graph output. */
  output(name: string, t: Tensor): void {
    if (this.outputs.has(name)) throw new Error(`graph output "${name}" is declared twice`);
    if (t.graph !== this) throw new Error(`graph output "${name}" belongs to another graph`);
    this.outputs.set(name, t);
  }

  tensor(id: number): Tensor {
    if (!this.nodes[id]) throw new Error(`no node ${id} in graph ${this.name}`);
    return new Tensor(this, id);
  }

  node(id: number): Node {
    const n = this.nodes[id];
    if (!n) throw new Error(`no node ${id} in graph ${this.name}`);
    return n;
  }
}

/** A handle on one node's output; methods add nodes to the same graph. */
export class Tensor {
  constructor(
    readonly graph: Graph,
    readonly id: number,
  ) {}

  get node(): Node {
    return this.graph.node(this.id);
  }
  get type(): TensorType {
    return this.node.type;
  }
  get dtype(): DType {
    return this.node.type.dtype;
  }
  get shape(): Shape {
    return this.node.type.shape;
  }
  get rank(): number {
    return this.shape.length;
  }

  /** Size of axis `i` (negative counts from the end). */
  dim(i: number): Dim {
    const d = this.shape[i < 0 ? i + this.rank : i];
    if (d === undefined)
      throw new ShapeError(`axis ${i} is out of range for shape [${this.shape.join(', ')}]`);
    return d;
  }

  /** Sets a readable label for emitted graphs; returns this tensor. */
  named(label: string): Tensor {
    this.node.label = label;
    return this;
  }

  private bin(op: 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'Equal' | 'Greater', other: Operand): Tensor {
    return this.graph.apply(op, [this, this.graph.lift(other, this.dtype)], {});
  }

  add(o: Operand): Tensor {
    return this.bin('Add', o);
  }
  sub(o: Operand): Tensor {
    return this.bin('Sub', o);
  }
  mul(o: Operand): Tensor {
    return this.bin('Mul', o);
  }
  div(o: Operand): Tensor {
    return this.bin('Div', o);
  }
  pow(o: Operand): Tensor {
    return this.bin('Pow', o);
  }
  equal(o: Operand): Tensor {
    return this.bin('Equal', o);
  }
  greater(o: Operand): Tensor {
    return this.bin('Greater', o);
  }
  neg(): Tensor {
    return this.graph.apply('Neg', [this], {});
  }
  exp(): Tensor {
    return this.graph.apply('Exp', [this], {});
  }
  log(): Tensor {
    return this.graph.apply('Log', [this], {});
  }
  sqrt(): Tensor {
    return this.graph.apply('Sqrt', [this], {});
  }
  reciprocal(): Tensor {
    return this.graph.apply('Reciprocal', [this], {});
  }
  sigmoid(): Tensor {
    return this.graph.apply('Sigmoid', [this], {});
  }
  relu(): Tensor {
    return this.graph.apply('Relu', [this], {});
  }
  tanh(): Tensor {
    return this.graph.apply('Tanh', [this], {});
  }
  cast(to: DType): Tensor {
    return to === this.dtype ? this : this.graph.apply('Cast', [this], { to });
  }
  stopGradient(): Tensor {
    return this.graph.apply('StopGradient', [this], {});
  }

  private axes(axes?: number | readonly number[]): number[] {
    if (axes === undefined) return this.shape.map((_, i) => i);
    return (typeof axes === 'number' ? [axes] : axes).map((a) => (a < 0 ? a + this.rank : a));
  }

  sum(axes?: number | readonly number[], keepdims = false): Tensor {
    return this.graph.apply('ReduceSum', [this], { axes: this.axes(axes), keepdims });
  }
  mean(axes?: number | readonly number[], keepdims = false): Tensor {
    return this.graph.apply('ReduceMean', [this], { axes: this.axes(axes), keepdims });
  }
  max(axes?: number | readonly number[], keepdims = false): Tensor {
    return this.graph.apply('ReduceMax', [this], { axes: this.axes(axes), keepdims });
  }
  softmax(axis = -1): Tensor {
    return this.graph.apply('Softmax', [this], { axis: axis < 0 ? axis + this.rank : axis });
  }
  logSoftmax(axis = -1): Tensor {
    return this.graph.apply('LogSoftmax', [this], { axis: axis < 0 ? axis + this.rank : axis });
  }

  matmul(o: Tensor): Tensor {
    return this.graph.apply('MatMul', [this, o], {});
  }
  /** alpha * op(this) @ op(o) for rank-2 operands. */
  gemm(o: Tensor, opts: { transA?: boolean; transB?: boolean; alpha?: number } = {}): Tensor {
    return this.graph.apply('Gemm', [this, o], {
      transA: opts.transA ?? false,
      transB: opts.transB ?? false,
      alpha: opts.alpha ?? 1,
    });
  }

  reshape(shape: readonly Dim[]): Tensor {
    return this.graph.apply('Reshape', [this], { shape: shapeOf(shape) });
  }
  transpose(perm: readonly number[]): Tensor {
    return this.graph.apply('Transpose', [this], { perm: perm.slice() });
  }
  /** Swaps the last two axes. */
  mT(): Tensor {
    const perm = this.shape.map((_, i) => i);
    perm[this.rank - 1] = this.rank - 2;
    perm[this.rank - 2] = this.rank - 1;
    return this.transpose(perm);
  }
  expand(shape: readonly Dim[]): Tensor {
    return this.graph.apply('Expand', [this], { shape: shapeOf(shape) });
  }
  unsqueeze(axes: number | readonly number[]): Tensor {
    const list = typeof axes === 'number' ? [axes] : axes;
    const rank = this.rank + list.length;
    return this.graph.apply('Unsqueeze', [this], { axes: list.map((a) => (a < 0 ? a + rank : a)) });
  }
  squeeze(axes: number | readonly number[]): Tensor {
    const list = typeof axes === 'number' ? [axes] : axes;
    return this.graph.apply('Squeeze', [this], { axes: list.map((a) => (a < 0 ? a + this.rank : a)) });
  }
  /** Elements [start, end) along `axis`; negative static bounds count from the end. */
  slice(axis: number, start: Dim, end: Dim): Tensor {
    const a = axis < 0 ? axis + this.rank : axis;
    const size = this.dim(a);
    const resolve = (b: Dim): Dim => (isStatic(b) && b < 0 ? dimSub(size, -b) : b);
    return this.graph.apply('Slice', [this], { axis: a, start: resolve(start), end: resolve(end) });
  }
  gather(indices: Tensor, axis = 0): Tensor {
    return this.graph.apply('Gather', [this, indices], { axis: axis < 0 ? axis + this.rank : axis });
  }
  gatherElements(indices: Tensor, axis: number): Tensor {
    return this.graph.apply('GatherElements', [this, indices], { axis: axis < 0 ? axis + this.rank : axis });
  }
}
