// Type rules: the output dtype and symbolic shape of every primitive, or a ShapeError naming the op and shapes.
// Used by the builder (errors at build time) and by verify.ts (whole-graph check before emission).
// Pure functions over types; never sees tensor values.
import {
  type Dim,
  dimAdd,
  dimEq,
  dimProduct,
  dimSub,
  formatShape,
  isStatic,
  type Shape,
  shapeOf,
} from './dim';
import { type DType, isFloat } from './dtype';
import type { OpAttrs, OpName } from './ops';

export interface TensorType {
  readonly dtype: DType;
  readonly shape: Shape;
}

export class ShapeError extends Error {
  override name = 'ShapeError';
}

function fail(op: string, inputs: readonly TensorType[], why: string): never {
  const described = inputs.map((t) => `${t.dtype}${formatShape(t.shape)}`).join(', ');
  throw new ShapeError(`${op}: ${why} (inputs: ${described || 'none'})`);
}

function normAxis(op: string, inputs: readonly TensorType[], axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank)
    fail(op, inputs, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** numpy broadcasting of two shapes; symbolic dims must match exactly unless one side is 1. */
export function broadcastShapes(op: string, inputs: readonly TensorType[], a: Shape, b: Shape): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (dimEq(da, db)) out.push(da);
    else if (da === 1) out.push(db);
    else if (db === 1) out.push(da);
    else
      fail(
        op,
        inputs,
        `shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast (dim ${i}: ${da} vs ${db})`,
      );
  }
  return out;
}

function requireFloat(op: string, inputs: readonly TensorType[]): void {
  for (const t of inputs)
    if (!isFloat(t.dtype)) fail(op, inputs, `expects floating-point inputs, got ${t.dtype}`);
}

function requireSameDtype(op: string, inputs: readonly TensorType[]): void {
  const first = inputs[0]?.dtype;
  for (const t of inputs)
    if (t.dtype !== first) fail(op, inputs, `input dtypes differ (${first} vs ${t.dtype})`);
}

function reduceShape(
  op: string,
  inputs: readonly TensorType[],
  axes: readonly number[],
  keepdims: boolean,
): Dim[] {
  const x = inputs[0] as TensorType;
  const set = new Set(axes.map((a) => normAxis(op, inputs, a, x.shape.length)));
  if (set.size !== axes.length) fail(op, inputs, `repeated axes ${JSON.stringify(axes)}`);
  return x.shape.flatMap((d, i) => (set.has(i) ? (keepdims ? [1] : []) : [d]));
}

type Rule<K extends OpName> = (inputs: readonly TensorType[], attrs: OpAttrs[K], op: K) => TensorType;

const unaryFloat: Rule<OpName> = (inputs, _attrs, op) => {
  requireFloat(op, inputs);
  return inputs[0] as TensorType;
};

const binaryArith: Rule<OpName> = (inputs, _attrs, op) => {
  requireSameDtype(op, inputs);
  if ((inputs[0] as TensorType).dtype === 'bool') fail(op, inputs, 'arithmetic on bool tensors; Cast first');
  const [a, b] = inputs as [TensorType, TensorType];
  return { dtype: a.dtype, shape: broadcastShapes(op, inputs, a.shape, b.shape) };
};

const compare: Rule<OpName> = (inputs, _attrs, op) => {
  requireSameDtype(op, inputs);
  const [a, b] = inputs as [TensorType, TensorType];
  return { dtype: 'bool', shape: broadcastShapes(op, inputs, a.shape, b.shape) };
};

const reduce: Rule<'ReduceSum' | 'ReduceMean' | 'ReduceMax'> = (inputs, attrs, op) => {
  if ((inputs[0] as TensorType).dtype === 'bool') fail(op, inputs, 'cannot reduce a bool tensor; Cast first');
  return {
    dtype: (inputs[0] as TensorType).dtype,
    shape: reduceShape(op, inputs, attrs.axes, attrs.keepdims),
  };
};

const normalise: Rule<'Softmax' | 'LogSoftmax'> = (inputs, attrs, op) => {
  requireFloat(op, inputs);
  const x = inputs[0] as TensorType;
  normAxis(op, inputs, attrs.axis, x.shape.length);
  return x;
};

export const RULES: { readonly [K in OpName]: Rule<K> } = {
  Input: () => {
    throw new ShapeError('Input types are declared, not inferred');
  },
  Constant: () => {
    throw new ShapeError('Constant types are declared, not inferred');
  },
  Fill: () => {
    throw new ShapeError('Fill types are declared, not inferred');
  },
  DimSize: () => ({ dtype: 'int64', shape: [] }),
  Neg: binaryLikeUnary(),
  Exp: unaryFloat,
  Log: unaryFloat,
  Sqrt: unaryFloat,
  Reciprocal: unaryFloat,
  Sigmoid: unaryFloat,
  Relu: unaryFloat,
  Tanh: unaryFloat,
  StopGradient: (inputs) => inputs[0] as TensorType,
  Cast: (inputs, attrs) => ({ dtype: attrs.to, shape: (inputs[0] as TensorType).shape }),
  Add: binaryArith,
  Sub: binaryArith,
  Mul: binaryArith,
  Div: binaryArith,
  Pow: (inputs, attrs, op) => {
    requireFloat(op, inputs);
    return binaryArith(inputs, attrs, op);
  },
  Equal: compare,
  Greater: compare,
  Where: (inputs, _attrs, op) => {
    const [c, a, b] = inputs as [TensorType, TensorType, TensorType];
    if (c.dtype !== 'bool') fail(op, inputs, `condition must be bool, got ${c.dtype}`);
    if (a.dtype !== b.dtype) fail(op, inputs, `branch dtypes differ (${a.dtype} vs ${b.dtype})`);
    const ab = broadcastShapes(op, inputs, a.shape, b.shape);
    return { dtype: a.dtype, shape: broadcastShapes(op, inputs, c.shape, ab) };
  },
  ReduceSum: reduce,
  ReduceMean: reduce,
  ReduceMax: reduce,
  Softmax: normalise,
  LogSoftmax: normalise,
  MatMul: (inputs, _attrs, op) => {
    requireFloat(op, inputs);
    requireSameDtype(op, inputs);
    const [a, b] = inputs as [TensorType, TensorType];
    if (a.shape.length < 2 || b.shape.length < 2) fail(op, inputs, 'operands must have rank >= 2');
    const [m, k1] = a.shape.slice(-2) as [Dim, Dim];
    const [k2, n] = b.shape.slice(-2) as [Dim, Dim];
    if (!dimEq(k1, k2)) fail(op, inputs, `inner dimensions differ (${k1} vs ${k2})`);
    const batch = broadcastShapes(op, inputs, a.shape.slice(0, -2), b.shape.slice(0, -2));
    return { dtype: a.dtype, shape: [...batch, m, n] };
  },
  Gemm: (inputs, attrs, op) => {
    requireFloat(op, inputs);
    requireSameDtype(op, inputs);
    const [a, b] = inputs as [TensorType, TensorType];
    if (a.shape.length !== 2 || b.shape.length !== 2) fail(op, inputs, 'operands must have rank 2');
    const [m, k1] = (attrs.transA ? [a.shape[1], a.shape[0]] : a.shape) as [Dim, Dim];
    const [k2, n] = (attrs.transB ? [b.shape[1], b.shape[0]] : b.shape) as [Dim, Dim];
    if (!dimEq(k1, k2)) {
      fail(
        op,
        inputs,
        `inner dimensions differ (${k1} vs ${k2}; transA=${attrs.transA}, transB=${attrs.transB})`,
      );
    }
    return { dtype: a.dtype, shape: [m, n] };
  },
  Reshape: (inputs, attrs, op) => {
    const x = inputs[0] as TensorType;
    const target = shapeOf(attrs.shape);
    if (!dimEq(dimProduct(x.shape), dimProduct(target))) {
      fail(
        op,
        inputs,
        `cannot reshape ${formatShape(x.shape)} to ${formatShape(target)}: element counts differ`,
      );
    }
    return { dtype: x.dtype, shape: target };
  },
  Transpose: (inputs, attrs, op) => {
    const x = inputs[0] as TensorType;
    const perm = attrs.perm;
    const sorted = perm.slice().sort((p, q) => p - q);
    if (perm.length !== x.shape.length || sorted.some((p, i) => p !== i)) {
      fail(op, inputs, `perm ${JSON.stringify(perm)} is not a permutation of rank ${x.shape.length}`);
    }
    return { dtype: x.dtype, shape: perm.map((p) => x.shape[p] as Dim) };
  },
  Expand: (inputs, attrs, op) => {
    const x = inputs[0] as TensorType;
    const target = shapeOf(attrs.shape);
    if (target.length < x.shape.length)
      fail(op, inputs, `target ${formatShape(target)} has lower rank than the input`);
    const out = broadcastShapes(op, inputs, x.shape, target);
    if (!out.every((d, i) => dimEq(d, target[i] as Dim))) {
      fail(op, inputs, `cannot expand ${formatShape(x.shape)} to ${formatShape(target)}`);
    }
    return { dtype: x.dtype, shape: target };
  },
  Unsqueeze: (inputs, attrs, op) => {
    const x = inputs[0] as TensorType;
    const rank = x.shape.length + attrs.axes.length;
    const axes = new Set(attrs.axes.map((a) => normAxis(op, inputs, a, rank)));
    if (axes.size !== attrs.axes.length) fail(op, inputs, `repeated axes ${JSON.stringify(attrs.axes)}`);
    const out: Dim[] = [];
    let j = 0;
    for (let i = 0; i < rank; i++) out.push(axes.has(i) ? 1 : (x.shape[j++] as Dim));
    return { dtype: x.dtype, shape: out };
  },
  Squeeze: (inputs, attrs, op) => {
    const x = inputs[0] as TensorType;
    const axes = new Set(attrs.axes.map((a) => normAxis(op, inputs, a, x.shape.length)));
    for (const a of axes) if (x.shape[a] !== 1) fail(op, inputs, `axis ${a} has size ${x.shape[a]}, not 1`);
    return { dtype: x.dtype, shape: x.shape.filter((_, i) => !axes.has(i)) };
  },
  Concat: (inputs, attrs, op) => {
    if (inputs.length === 0) fail(op, inputs, 'needs at least one input');
    requireSameDtype(op, inputs);
    const first = inputs[0] as TensorType;
    const axis = normAxis(op, inputs, attrs.axis, first.shape.length);
    let total: Dim = 0;
    for (const t of inputs) {
      if (t.shape.length !== first.shape.length) fail(op, inputs, 'inputs have different ranks');
      t.shape.forEach((d, i) => {
        if (i !== axis && !dimEq(d, first.shape[i] as Dim))
          fail(op, inputs, `dim ${i} differs (${d} vs ${first.shape[i]})`);
      });
      total = dimAdd(total, t.shape[axis] as Dim);
    }
    return { dtype: first.dtype, shape: first.shape.map((d, i) => (i === axis ? total : d)) };
  },
  Slice: (inputs, attrs, op) => {
    const x = inputs[0] as TensorType;
    const axis = normAxis(op, inputs, attrs.axis, x.shape.length);
    const size = dimSub(attrs.end, attrs.start);
    const full = x.shape[axis] as Dim;
    if (isStatic(size) && size < 0) fail(op, inputs, `end ${attrs.end} is before start ${attrs.start}`);
    if (isStatic(attrs.start) && attrs.start < 0) fail(op, inputs, `start ${attrs.start} is negative`);
    if (isStatic(full) && isStatic(attrs.end) && attrs.end > full) {
      fail(op, inputs, `end ${attrs.end} is past the dimension size ${full}`);
    }
    return { dtype: x.dtype, shape: x.shape.map((d, i) => (i === axis ? size : d)) };
  },
  Gather: (inputs, attrs, op) => {
    const [data, idx] = inputs as [TensorType, TensorType];
    if (idx.dtype !== 'int64') fail(op, inputs, `indices must be int64, got ${idx.dtype}`);
    const axis = normAxis(op, inputs, attrs.axis, data.shape.length);
    return {
      dtype: data.dtype,
      shape: [...data.shape.slice(0, axis), ...idx.shape, ...data.shape.slice(axis + 1)],
    };
  },
  GatherElements: (inputs, attrs, op) => {
    const [data, idx] = inputs as [TensorType, TensorType];
    if (idx.dtype !== 'int64') fail(op, inputs, `indices must be int64, got ${idx.dtype}`);
    if (idx.shape.length !== data.shape.length) fail(op, inputs, 'indices and data must have the same rank');
    const axis = normAxis(op, inputs, attrs.axis, data.shape.length);
    idx.shape.forEach((d, i) => {
      if (i !== axis && !dimEq(d, data.shape[i] as Dim))
        fail(op, inputs, `dim ${i} differs (${d} vs ${data.shape[i]})`);
    });
    return { dtype: data.dtype, shape: idx.shape };
  },
  ScatterNDAdd: (inputs, _attrs, op) => {
    const [data, idx, upd] = inputs as [TensorType, TensorType, TensorType];
    if (idx.dtype !== 'int64') fail(op, inputs, `indices must be int64, got ${idx.dtype}`);
    if (upd.dtype !== data.dtype) fail(op, inputs, 'updates and data dtypes differ');
    const k = idx.shape[idx.shape.length - 1];
    // Index depth 1 only (rows of `data`): the only form autodiff needs, and the one the emitter lowers.
    if (k !== 1) fail(op, inputs, 'the last indices dim must be 1 (one row index per update)');
    const expected = [...idx.shape.slice(0, -1), ...data.shape.slice(k as number)];
    if (expected.length !== upd.shape.length || !expected.every((d, i) => dimEq(d, upd.shape[i] as Dim))) {
      fail(op, inputs, `updates must have shape ${formatShape(expected)}`);
    }
    return data;
  },
  ScatterElementsAdd: (inputs, attrs, op) => {
    const [data, idx, upd] = inputs as [TensorType, TensorType, TensorType];
    if (idx.dtype !== 'int64') fail(op, inputs, `indices must be int64, got ${idx.dtype}`);
    if (upd.dtype !== data.dtype) fail(op, inputs, 'updates and data dtypes differ');
    normAxis(op, inputs, attrs.axis, data.shape.length);
    if (idx.shape.length !== upd.shape.length || !idx.shape.every((d, i) => dimEq(d, upd.shape[i] as Dim))) {
      fail(op, inputs, 'indices and updates shapes differ');
    }
    return data;
  },
};

function binaryLikeUnary(): Rule<'Neg'> {
  return (inputs, _attrs, op) => {
    const x = inputs[0] as TensorType;
    if (x.dtype === 'bool') fail(op, inputs, 'arithmetic on bool tensors; Cast first');
    return x;
  };
}

/** Infers the output type of `op` applied to `inputs`, throwing ShapeError on a mismatch. */
export function inferType<K extends OpName>(
  op: K,
  inputs: readonly TensorType[],
  attrs: OpAttrs[K],
): TensorType {
  return (RULES[op] as Rule<K>)(inputs, attrs, op);
}
