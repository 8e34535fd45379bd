// Finite-difference checks (float64, relative error < 1e-6) of every primitive op's VJP rule, run through
// the real engine. The case table is keyed by op name, so a new primitive without a case fails to compile.
// Leaf ops have no gradient and are covered by the emission tests.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { grad } from '../../server/runtime/autodiff/grad';
import { floatTensor } from '../../server/runtime/ir/dtype';
import type { Graph, Tensor } from '../../server/runtime/ir/graph';
import { Graph as GraphClass } from '../../server/runtime/ir/graph';
import type { OpName } from '../../server/runtime/ir/ops';
import { Runtime } from '../../server/runtime/session/runtime';
import { checkOp, type InputSpec } from '../support/check-op';

interface Case {
  readonly name: string;
  readonly inputs: readonly InputSpec[];
  readonly build: (g: Graph, xs: Tensor[]) => Tensor;
  readonly forward?: (xs: Float64Array[]) => ArrayLike<number>;
}

const map = (f: (v: number) => number) => (xs: Float64Array[]) => (xs[0] as Float64Array).map(f);
const S23: InputSpec = { shape: [2, 3] };
const P23: InputSpec = { shape: [2, 3], domain: 'positive' };
const x0 = (xs: Tensor[]) => xs[0] as Tensor;
const x1 = (xs: Tensor[]) => xs[1] as Tensor;
const x2 = (xs: Tensor[]) => xs[2] as Tensor;

/** 'leaf': no inputs, no gradient (emission tests cover them); 'special': checked by its own test below. */
const CASES: { readonly [K in OpName]: readonly Case[] | 'leaf' | 'special' } = {
  Input: 'leaf',
  Constant: 'leaf',
  Fill: 'leaf',
  DimSize: 'leaf',
  Neg: [{ name: 'neg', inputs: [S23], build: (_, xs) => x0(xs).neg(), forward: map((v) => -v) }],
  Exp: [{ name: 'exp', inputs: [S23], build: (_, xs) => x0(xs).exp(), forward: map(Math.exp) }],
  Log: [{ name: 'log', inputs: [P23], build: (_, xs) => x0(xs).log(), forward: map(Math.log) }],
  Sqrt: [{ name: 'sqrt', inputs: [P23], build: (_, xs) => x0(xs).sqrt(), forward: map(Math.sqrt) }],
  Reciprocal: [
    { name: 'reciprocal', inputs: [P23], build: (_, xs) => x0(xs).reciprocal(), forward: map((v) => 1 / v) },
  ],
  Sigmoid: [
    {
      name: 'sigmoid',
      inputs: [S23],
      build: (_, xs) => x0(xs).sigmoid(),
      forward: map((v) => 1 / (1 + Math.exp(-v))),
    },
  ],
  Relu: [
    {
      name: 'relu',
      inputs: [{ shape: [3, 4] }],
      build: (_, xs) => x0(xs).relu(),
      forward: map((v) => Math.max(v, 0)),
    },
  ],
  Tanh: [{ name: 'tanh', inputs: [S23], build: (_, xs) => x0(xs).tanh(), forward: map(Math.tanh) }],
  StopGradient: 'special',
  Cast: [
    {
      name: 'cast-f64',
      inputs: [S23],
      build: (g, xs) => g.apply('Cast', [x0(xs).mul(x0(xs))], { to: 'float64' }),
    },
  ],
  Add: [
    { name: 'add-broadcast', inputs: [S23, { shape: [3] }], build: (_, xs) => x0(xs).add(x1(xs)) },
    {
      name: 'add-outer',
      inputs: [{ shape: [2, 1, 3] }, { shape: [4, 1] }],
      build: (_, xs) => x0(xs).add(x1(xs)),
    },
  ],
  Sub: [{ name: 'sub-broadcast', inputs: [{ shape: [3] }, S23], build: (_, xs) => x0(xs).sub(x1(xs)) }],
  Mul: [{ name: 'mul-broadcast', inputs: [S23, { shape: [2, 1] }], build: (_, xs) => x0(xs).mul(x1(xs)) }],
  Div: [
    {
      name: 'div-broadcast',
      inputs: [S23, { shape: [3], domain: 'positive' }],
      build: (_, xs) => x0(xs).div(x1(xs)),
    },
  ],
  Pow: [
    { name: 'pow', inputs: [P23, { shape: [2, 3], domain: 'unit' }], build: (_, xs) => x0(xs).pow(x1(xs)) },
    { name: 'pow-const', inputs: [P23], build: (_, xs) => x0(xs).pow(-0.5) },
  ],
  Equal: [
    {
      name: 'equal-in-where',
      inputs: [S23, { shape: [2, 3], fixed: [0, 1, 0, 2, 0, 3] }],
      build: (g, xs) => g.where(x1(xs).equal(0), x0(xs).mul(x0(xs)), x0(xs)),
    },
  ],
  Greater: [
    {
      name: 'greater-in-where',
      inputs: [S23, S23],
      build: (g, xs) => g.where(x0(xs).greater(x1(xs)), x0(xs), x1(xs).mul(2)),
    },
  ],
  Where: [
    {
      name: 'where-broadcast',
      inputs: [{ shape: [2, 1], mask: [true, false] }, S23, { shape: [3] }],
      build: (g, xs) => g.where(x0(xs), x1(xs), x2(xs)),
    },
  ],
  ReduceSum: [
    { name: 'sum-all', inputs: [{ shape: [2, 3, 4] }], build: (_, xs) => x0(xs).sum() },
    { name: 'sum-axis', inputs: [{ shape: [2, 3, 4] }], build: (_, xs) => x0(xs).sum([0, 2]) },
    { name: 'sum-keep', inputs: [{ shape: [2, 3, 4] }], build: (_, xs) => x0(xs).sum(1, true) },
  ],
  ReduceMean: [
    { name: 'mean-axis', inputs: [{ shape: [2, 3, 4] }], build: (_, xs) => x0(xs).mean(-1) },
    { name: 'mean-keep', inputs: [{ shape: [2, 3, 4] }], build: (_, xs) => x0(xs).mean([0, 1], true) },
  ],
  ReduceMax: [
    { name: 'max-axis', inputs: [{ shape: [3, 5] }], build: (_, xs) => x0(xs).max(1) },
    { name: 'max-keep', inputs: [{ shape: [3, 5] }], build: (_, xs) => x0(xs).max(0, true) },
  ],
  Softmax: [
    { name: 'softmax-last', inputs: [{ shape: [2, 5] }], build: (_, xs) => x0(xs).softmax(-1) },
    { name: 'softmax-first', inputs: [{ shape: [3, 2, 2] }], build: (_, xs) => x0(xs).softmax(0) },
  ],
  LogSoftmax: [{ name: 'log-softmax', inputs: [{ shape: [2, 5] }], build: (_, xs) => x0(xs).logSoftmax(-1) }],
  MatMul: [
    { name: 'matmul-2d', inputs: [S23, { shape: [3, 4] }], build: (_, xs) => x0(xs).matmul(x1(xs)) },
    {
      name: 'matmul-batch',
      inputs: [{ shape: [2, 2, 3] }, { shape: [3, 4] }],
      build: (_, xs) => x0(xs).matmul(x1(xs)),
    },
    {
      name: 'matmul-broadcast',
      inputs: [{ shape: [2, 1, 3, 4] }, { shape: [3, 4, 2] }],
      build: (_, xs) => x0(xs).matmul(x1(xs)),
    },
  ],
  Gemm: [
    {
      name: 'gemm-nn',
      inputs: [S23, { shape: [3, 4] }],
      build: (_, xs) => x0(xs).gemm(x1(xs), { alpha: 0.5 }),
    },
    {
      name: 'gemm-nt',
      inputs: [S23, { shape: [4, 3] }],
      build: (_, xs) => x0(xs).gemm(x1(xs), { transB: true }),
    },
    {
      name: 'gemm-tn',
      inputs: [{ shape: [3, 2] }, { shape: [3, 4] }],
      build: (_, xs) => x0(xs).gemm(x1(xs), { transA: true }),
    },
    {
      name: 'gemm-tt',
      inputs: [{ shape: [3, 2] }, { shape: [4, 3] }],
      build: (_, xs) => x0(xs).gemm(x1(xs), { transA: true, transB: true, alpha: 2 }),
    },
  ],
  Reshape: [
    {
      name: 'reshape',
      inputs: [{ shape: [2, 6] }],
      build: (_, xs) =>
        x0(xs)
          .reshape([3, 4])
          .mul(x0(xs).reshape([3, 4])),
    },
  ],
  Transpose: [
    { name: 'transpose', inputs: [{ shape: [2, 3, 4] }], build: (_, xs) => x0(xs).transpose([1, 2, 0]) },
  ],
  Expand: [{ name: 'expand', inputs: [{ shape: [3, 1] }], build: (_, xs) => x0(xs).expand([2, 3, 4]) }],
  Unsqueeze: [{ name: 'unsqueeze', inputs: [S23], build: (_, xs) => x0(xs).unsqueeze([0, 2]) }],
  Squeeze: [{ name: 'squeeze', inputs: [{ shape: [2, 1, 3, 1] }], build: (_, xs) => x0(xs).squeeze([1, 3]) }],
  Concat: [
    {
      name: 'concat',
      inputs: [S23, { shape: [2, 1] }, { shape: [2, 2] }],
      build: (g, xs) => g.concat([x0(xs), x1(xs), x2(xs).mul(x2(xs))], 1),
    },
  ],
  Slice: [
    { name: 'slice-middle', inputs: [{ shape: [2, 6] }], build: (_, xs) => x0(xs).slice(1, 1, 4) },
    { name: 'slice-negative', inputs: [{ shape: [5, 2] }], build: (_, xs) => x0(xs).slice(0, 0, -1) },
  ],
  Gather: [
    {
      name: 'gather-rows-repeated',
      inputs: [{ shape: [5, 3] }, { shape: [2, 2], indices: [4, 0, 4, 2] }],
      build: (_, xs) => x0(xs).gather(x1(xs), 0),
    },
  ],
  GatherElements: [
    {
      name: 'gather-elements',
      inputs: [{ shape: [3, 4] }, { shape: [3, 2], indices: [0, 3, 1, 1, 2, 0] }],
      build: (_, xs) => x0(xs).gatherElements(x1(xs), 1),
    },
  ],
  ScatterNDAdd: [
    {
      name: 'scatter-nd-add-data',
      inputs: [
        { shape: [4, 2] },
        { shape: [3, 1], indices: [1, 3, 1] },
        { shape: [3, 2], fixed: [1, 2, 3, 4, 5, 6] },
      ],
      build: (g, xs) => g.apply('ScatterNDAdd', [x0(xs).mul(x0(xs)), x1(xs), x2(xs)], {}),
    },
    {
      name: 'scatter-nd-add-rank3-data',
      inputs: [
        { shape: [4, 2, 3] },
        { shape: [2, 2, 1], indices: [3, 0, 3, 1] },
        { shape: [2, 2, 2, 3], fixed: Array.from({ length: 24 }, (_, i) => i / 7) },
      ],
      build: (g, xs) => g.apply('ScatterNDAdd', [x0(xs).mul(x0(xs)), x1(xs), x2(xs)], {}).tanh(),
    },
  ],
  ScatterElementsAdd: [
    {
      name: 'scatter-elements-add',
      inputs: [{ shape: [3, 4] }, { shape: [3, 2], indices: [0, 3, 1, 1, 2, 0] }, { shape: [3, 2] }],
      build: (g, xs) => g.apply('ScatterElementsAdd', [x0(xs), x1(xs), x2(xs).mul(x2(xs))], { axis: 1 }),
    },
  ],
};

describe('VJP rules match float64 finite differences', () => {
  const runtime = new Runtime({ threads: 1 });
  after(() => runtime.dispose());
  for (const [op, cases] of Object.entries(CASES)) {
    if (cases === 'leaf' || cases === 'special') continue;
    for (const c of cases) {
      test(`${op}: ${c.name}`, () =>
        checkOp(runtime, c.name, c.inputs, c.build, c.forward ? { forward: c.forward } : {}));
    }
  }
});

describe('StopGradient', () => {
  const runtime = new Runtime({ threads: 1 });
  after(() => runtime.dispose());
  // Finite differences see d/dx [x * stop(x)] = 2x; the gradient with the stop must be stop(x) = x.
  test('blocks the gradient through its input but keeps the forward value', async () => {
    const g = new GraphClass('stop');
    const x = g.param('x', 'float64', [4]);
    const y = x.mul(x.stopGradient()).sum();
    const [dx] = grad(y, [x]);
    g.output('y', y);
    g.output('dx', dx as Tensor);
    const values = [0.5, -1.5, 2, 3];
    const out = await (await runtime.compile(g)).run({ x: floatTensor('float64', [4], values) });
    assert.deepEqual(Array.from(out.dx!.data as Float64Array), values);
    assert.equal(
      (out.y!.data as Float64Array)[0],
      values.reduce((a, v) => a + v * v, 0),
    );
  });
});
