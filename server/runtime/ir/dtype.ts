// Element types of IR tensors and the host arrays that hold them.
// Owns the mapping from our dtype names to typed arrays; the ONNX codes live in onnx/proto.ts.

export const DTYPES = ['float32', 'float64', 'int64', 'bool'] as const;
export type DType = (typeof DTYPES)[number];
export type FloatDType = 'float32' | 'float64';

export function isFloat(dtype: DType): dtype is FloatDType {
  return dtype === 'float32' || dtype === 'float64';
}

/** The typed array that holds each dtype on the host. */
export interface HostArrays {
  float32: Float32Array;
  float64: Float64Array;
  int64: BigInt64Array;
  bool: Uint8Array;
}

export type HostArray = HostArrays[DType];

/** A tensor's values on the host, row-major. */
export interface HostTensor<D extends DType = DType> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: HostArrays[D];
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function allocate<D extends DType>(dtype: D, size: number): HostArrays[D] {
  switch (dtype) {
    case 'float32':
      return new Float32Array(size) as HostArrays[D];
    case 'float64':
      return new Float64Array(size) as HostArrays[D];
    case 'int64':
      return new BigInt64Array(size) as HostArrays[D];
    case 'bool':
      return new Uint8Array(size) as HostArrays[D];
    default:
      throw new Error(`unknown dtype ${String(dtype)}; valid: ${DTYPES.join(', ')}`);
  }
}

export function hostTensor<D extends DType>(
  dtype: D,
  shape: readonly number[],
  data?: HostArrays[D],
): HostTensor<D> {
  const size = elementCount(shape);
  const values = data ?? allocate(dtype, size);
  if (values.length !== size) {
    throw new Error(
      `tensor data has ${values.length} elements but shape [${shape.join(', ')}] needs ${size}`,
    );
  }
  return { dtype, shape: shape.slice(), data: values };
}

/** An int64 tensor from JS numbers (token ids, positions). */
export function int64Tensor(shape: readonly number[], values: ArrayLike<number>): HostTensor<'int64'> {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i] as number);
  return hostTensor('int64', shape, data);
}

export function floatTensor<D extends FloatDType>(
  dtype: D,
  shape: readonly number[],
  values: ArrayLike<number>,
): HostTensor<D> {
  const data = allocate(dtype, values.length) as Float32Array | Float64Array;
  data.set(values as ArrayLike<number>);
  return hostTensor(dtype, shape, data as HostArrays[D]);
}

export function scalarOf(t: HostTensor): number {
  if (t.data.length !== 1) throw new Error(`expected a scalar, got shape [${t.shape.join(', ')}]`);
  const v = t.data[0] as number | bigint;
  return typeof v === 'bigint' ? Number(v) : v;
}
