// Emits an IR graph as an ONNX model: prunes dead nodes, finds the graph input axis that gives each symbolic
// dimension its run-time value, names tensors in emission order, and encodes the model and its hash.
// Which ONNX ops each primitive becomes is the LOWER table (lower.ts); wire encoding is proto.ts.
import { createHash } from 'node:crypto';
import { type Dim, dimSymbols } from '../ir/dim';
import type { HostTensor } from '../ir/dtype';
import type { Graph, Node, Tensor } from '../ir/graph';
import type { OpName } from '../ir/ops';
import { verifyGraph } from '../ir/verify';
import { lowerNode } from './lower';
import { EmitError, type GraphInput, type GraphIO, Lowering, valueInfo } from './lowering';
import { encodeModel, type ValueInfoMsg } from './proto';

export { EmitError, type GraphInput, type GraphIO } from './lowering';

export interface EmittedModel {
  readonly bytes: Uint8Array;
  /** Inputs the session must be fed, in graph order. */
  readonly inputs: readonly GraphInput[];
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

function sanitize(label: string): string {
  return label.replace(/[^A-Za-z0-9_.:/-]/g, '_');
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

function isOp<K extends OpName>(node: Node, ...ops: K[]): node is Node<K> {
  return ops.some((op) => op === node.op);
}

/** Dimension symbols referenced by node attributes (they need run-time values). */
function attributeSymbols(node: Node): string[] {
  let dims: readonly Dim[] = [];
  if (isOp(node, 'Fill', 'Reshape', 'Expand')) dims = node.attrs.shape;
  else if (isOp(node, 'DimSize')) dims = [node.attrs.dim];
  else if (isOp(node, 'Slice')) dims = [node.attrs.start, node.attrs.end];
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

  const low = new Lowering(sources, options.initializers);
  const names = new Map<number, string>();
  // Names follow emission order, not node ids, so equal live computations give byte-identical models.
  order.forEach((id, position) => {
    const node = graph.node(id);
    const out = isOp(node, 'Input') ? node.attrs.name : `${sanitize(node.label ?? node.op)}_${position}`;
    names.set(id, out);
    const inputs = node.inputs.map((i) => names.get(i) as string);
    const input = (k: number): string => {
      const name = inputs[k];
      if (name === undefined) throw new EmitError(`${node.op} node ${id} has no input ${k}`);
      return name;
    };
    lowerNode({
      low,
      graph,
      node,
      attrs: node.attrs,
      dtype: node.type.dtype,
      shape: node.type.shape,
      inputs,
      input,
      out,
    });
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
      input: low.inputInfos,
      output: outputInfos,
    },
  });
  const hash = createHash('sha256').update(bytes).digest('hex');
  const usesFloat64 = order.some((id) => graph.node(id).type.dtype === 'float64');
  return { bytes, inputs: low.inputs, outputs: outputIO, hash, usesFloat64 };
}
