// Whole-graph validation before emission: arity, topological order, and every node's recorded type
// re-derived from its inputs. Errors name the node index, op, dtype and input types.
// Reads the graph only; never mutates it.
import { formatShape, shapeEq } from './dim';
import type { Graph } from './graph';
import { inferType, type TensorType } from './infer';
import { ARITY, Leaf, type OpName } from './ops';

export class GraphError extends Error {
  override name = 'GraphError';
}

function show(t: TensorType): string {
  return `${t.dtype}${formatShape(t.shape)}`;
}

/** Throws GraphError at the first inconsistent node among `ids` (all nodes by default). */
export function verifyGraph(graph: Graph, ids?: Iterable<number>): void {
  for (const id of ids ?? graph.nodes.map((n) => n.id)) {
    const node = graph.node(id);
    const where = `node ${id} (${node.op}${node.label ? ` "${node.label}"` : ''})`;
    const arity = ARITY[node.op];
    if (arity >= 0 && node.inputs.length !== arity) {
      throw new GraphError(`${where}: has ${node.inputs.length} inputs, ${node.op} takes ${arity}`);
    }
    for (const i of node.inputs) {
      if (i >= id) throw new GraphError(`${where}: input ${i} is not defined before it`);
    }
    if (Leaf.has(node.op as never) && node.op !== 'DimSize') continue;
    const inputs = node.inputs.map((i) => graph.node(i).type);
    let expected: TensorType;
    try {
      expected = inferType(node.op as OpName, inputs, node.attrs as never);
    } catch (error) {
      throw new GraphError(`${where}: ${(error as Error).message}`);
    }
    if (expected.dtype !== node.type.dtype || !shapeEq(expected.shape, node.type.shape)) {
      throw new GraphError(
        `${where}: recorded type ${show(node.type)} but inputs (${inputs.map(show).join(', ')}) give ${show(expected)}`,
      );
    }
  }
}
