// Test helper: checks one graph-building function against float64 finite differences through the real
// engine (IR → autodiff → ONNX → onnxruntime). Failures name "forward" or "backward input i".
// Test support only; product code never imports it.
import assert from 'node:assert/strict';
import { Rng } from '../../server/common/random';
import { grad } from '../../server/runtime/autodiff/grad';
import { type HostTensor, hostTensor, int64Tensor } from '../../server/runtime/ir/dtype';
import { Graph, type Tensor } from '../../server/runtime/ir/graph';
import type { Runtime } from '../../server/runtime/session/runtime';

export interface InputSpec {
  readonly shape: readonly number[];
  /** Value range of random float inputs: any ~ N(0,1), positive in [0.5, 2], unit in (-0.9, 0.9). */
  readonly domain?: 'any' | 'positive' | 'unit';
  /** Fixed int64 values (indices); such inputs are not differentiated. */
  readonly indices?: readonly number[];
  /** Fixed bool values (conditions); not differentiated. */
  readonly mask?: readonly boolean[];
  /** Fixed float values fed as data (not differentiated). */
  readonly fixed?: readonly number[];
}

export interface CheckOptions {
  /** Max norm-wise relative error of each input's gradient vs central differences. */
  readonly tolerance?: number;
  /** Independent forward reference over the float inputs (row-major values). */
  readonly forward?: (xs: Float64Array[]) => ArrayLike<number>;
  readonly seed?: number;
  readonly step?: number;
}

function randomValues(rng: Rng, n: number, domain: InputSpec['domain']): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (domain === 'positive') out[i] = 0.5 + 1.5 * rng.next();
    else if (domain === 'unit') out[i] = -0.9 + 1.8 * rng.next();
    else out[i] = rng.normal();
  }
  return out;
}

/** Max |a - b| / max(|b|_inf, 1e-12): an error relative to the reference vector's scale. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs((actual[i] as number) - (expected[i] as number)));
    scale = Math.max(scale, Math.abs(expected[i] as number));
  }
  return diff / Math.max(scale, 1e-12);
}

export async function checkOp(
  runtime: Runtime,
  name: string,
  specs: readonly InputSpec[],
  build: (g: Graph, xs: Tensor[]) => Tensor,
  options: CheckOptions = {},
): Promise<void> {
  const tolerance = options.tolerance ?? 1e-6;
  const step = options.step ?? 1e-5;
  const rng = new Rng(options.seed ?? 1234);
  const g = new Graph(`check_${name}`);
  const xs = specs.map((s, i) => {
    if (s.indices) return g.input(`x${i}`, 'int64', s.shape);
    if (s.mask) return g.input(`x${i}`, 'bool', s.shape);
    if (s.fixed) return g.input(`x${i}`, 'float64', s.shape);
    return g.param(`x${i}`, 'float64', s.shape);
  });
  const y = build(g, xs);
  const floatIdx = specs.flatMap((s, i) => (s.indices || s.mask || s.fixed ? [] : [i]));
  const cot = g.input('cotangent', 'float64', y.shape);
  const loss = y.mul(cot).sum();
  const grads = grad(
    loss,
    floatIdx.map((i) => xs[i] as Tensor),
  );
  g.output('y', y);
  g.output('loss', loss);
  for (const [k, t] of grads.entries()) g.output(`grad${k}`, t);
  const compiled = await runtime.compile(g);

  const feeds: Record<string, HostTensor> = {};
  const floats: Float64Array[] = [];
  specs.forEach((s, i) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (s.indices) feeds[`x${i}`] = int64Tensor(s.shape, s.indices);
    else if (s.mask)
      feeds[`x${i}`] = hostTensor(
        'bool',
        s.shape,
        Uint8Array.from(s.mask, (m) => (m ? 1 : 0)),
      );
    else if (s.fixed) feeds[`x${i}`] = hostTensor('float64', s.shape, Float64Array.from(s.fixed));
    else {
      const values = randomValues(rng, n, s.domain);
      floats.push(values);
      feeds[`x${i}`] = hostTensor('float64', s.shape, values);
    }
  });
  const yShape = y.shape.map((d) => {
    if (typeof d !== 'number') throw new Error(`checkOp needs static output shapes, got ${d}`);
    return d;
  });
  const yCount = yShape.reduce((a, b) => a * b, 1);
  feeds.cotangent = hostTensor('float64', yShape, randomValues(rng, yCount, 'any'));

  const base = await compiled.run(feeds);
  if (options.forward) {
    const expected = options.forward(floats);
    const err = relativeError(base.y!.data as Float64Array, expected);
    assert.ok(
      err < 1e-12,
      `${name}: forward differs from the reference (relative error ${err.toExponential(2)})`,
    );
  }
  const lossAt = async (k: number, j: number, delta: number): Promise<number> => {
    const values = Float64Array.from(floats[k] as Float64Array);
    values[j] = (values[j] as number) + delta;
    const run = await compiled.run({
      ...feeds,
      [`x${floatIdx[k]}`]: hostTensor('float64', specs[floatIdx[k] as number]!.shape ?? [], values),
    });
    return (run.loss!.data as Float64Array)[0] as number;
  };
  for (let k = 0; k < floatIdx.length; k++) {
    const analytic = base[`grad${k}`]!.data as Float64Array;
    const numeric = new Float64Array(analytic.length);
    for (let j = 0; j < numeric.length; j++) {
      numeric[j] = ((await lossAt(k, j, step)) - (await lossAt(k, j, -step))) / (2 * step);
    }
    const err = relativeError(analytic, numeric);
    assert.ok(
      err < tolerance,
      `${name}: backward input ${floatIdx[k]} differs from finite differences (relative error ${err.toExponential(2)} >= ${tolerance})`,
    );
  }
}
