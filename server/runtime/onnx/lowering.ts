// Emission state for one ONNX model: the node list, initializers, graph inputs, unique tensor names, and the
// run-time computation of symbolic dimensions (Shape/Mul/Add/Concat, each built once per model).
// Knows ONNX wire messages but no IR op: which ONNX ops a primitive becomes is lower.ts.
import { type Dim, dimEq, dimTerms, isStatic } from '../ir/dim';
import type { DType, HostTensor } from '../ir/dtype';
import {
  ATTR_TYPE,
  type AttributeMsg,
  type NodeMsg,
  ONNX_DTYPE,
  type TensorMsg,
  type ValueInfoMsg,
} from './proto';

export class EmitError extends Error {
  override name = 'EmitError';
}

export interface GraphIO {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly Dim[];
}

export type GraphInput = GraphIO & { readonly kind: 'data' | 'param' };

export function tensorBytes(dtype: DType, values: ArrayLike<number> | ArrayLike<bigint>): Uint8Array {
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

export const attr = {
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

/** Emission state for one model: node list, initializers, inputs, shape-expression cache, unique names. */
export class Lowering {
  readonly nodes: NodeMsg[] = [];
  readonly initializers: TensorMsg[] = [];
  /** Inputs the session must be fed, in graph order, and their ONNX declarations. */
  readonly inputs: GraphInput[] = [];
  readonly inputInfos: ValueInfoMsg[] = [];
  private readonly dimCache = new Map<string, string>();
  private counter = 0;

  constructor(
    private readonly symbolSources: ReadonlyMap<string, { input: string; axis: number }>,
    /** Inputs baked in as initializers (frozen weights), by input name. */
    private readonly frozen: ReadonlyMap<string, HostTensor> = new Map(),
  ) {}

  /** Declares a graph input, or bakes it in as an initializer when a frozen value was given for it. */
  graphInput(input: GraphInput): void {
    const { name, dtype, shape } = input;
    const init = this.frozen.get(name);
    if (!init) {
      this.inputs.push(input);
      this.inputInfos.push(valueInfo(name, dtype, shape));
      return;
    }
    if (
      init.dtype !== dtype ||
      init.shape.length !== shape.length ||
      !init.shape.every((d, i) => dimEq(d, shape[i] as Dim) || !isStatic(shape[i] as Dim))
    ) {
      throw new EmitError(
        `initializer "${name}" is ${init.dtype}[${init.shape.join(', ')}], the graph declares ${dtype}[${shape.join(', ')}]`,
      );
    }
    this.initializers.push({
      name,
      dims: init.shape.slice(),
      dataType: ONNX_DTYPE[dtype],
      rawData: hostBytes(init),
    });
  }

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
    if (dims.every(isStatic)) return this.ints(dims);
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

/** An ONNX value declaration; the shape is left out for outputs (onnxruntime infers it). */
export function valueInfo(name: string, dtype: DType, shape?: readonly Dim[]): ValueInfoMsg {
  return {
    name,
    type: {
      tensorType: {
        elemType: ONNX_DTYPE[dtype],
        ...(shape
          ? { shape: { dim: shape.map((d) => (isStatic(d) ? { dimValue: d } : { dimParam: String(d) })) } }
          : {}),
      },
    },
  };
}
