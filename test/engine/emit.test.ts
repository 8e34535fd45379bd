// Engine behaviour beyond single-op gradients: symbolic shapes resolved at run time, leaf ops (Fill, DimSize,
// Constant), dead-node pruning, the session cache, and the error messages for bad graphs and bad feeds.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { AutodiffError, grad } from '../../server/runtime/autodiff/grad';
import { dimAdd, dimMul, dimSub } from '../../server/runtime/ir/dim';
import { floatTensor, int64Tensor } from '../../server/runtime/ir/dtype';
import { Graph } from '../../server/runtime/ir/graph';
import { ShapeError } from '../../server/runtime/ir/infer';
import { emitModel } from '../../server/runtime/onnx/emit';
import { FeedError, Runtime } from '../../server/runtime/session/runtime';

describe('symbolic dimensions', () => {
  test('canonical algebra', () => {
    assert.equal(dimAdd('T', 'B'), 'B+T');
    assert.equal(dimMul('T', 'B'), 'B*T');
    assert.equal(dimSub('T', 1), 'T-1');
    assert.equal(dimSub(dimAdd('T', 3), 'T'), 3);
    assert.equal(dimMul(dimAdd('P', 'T'), 2), '2*P+2*T');
  });
});

describe('emission and execution', () => {
  const runtime = new Runtime({ threads: 1 });
  after(() => runtime.dispose());

  test('one compiled graph runs at several batch and sequence sizes', async () => {
    const g = new Graph('dynamic');
    const ids = g.input('ids', 'int64', ['B', 'T']);
    const table = g.param('table', 'float32', [10, 4]);
    const x = table.gather(ids); // [B, T, 4]
    const flat = x.reshape([dimMul('B', 'T'), 4]);
    const back = flat.reshape(['B', 'T', 4]);
    const shifted = back.slice(1, 0, -1); // [B, T-1, 4]
    const padded = g.concat([shifted, g.fill(['B', 1, 4], 7, 'float32')], 1);
    g.output('padded', padded);
    g.output('count', g.dimSize(dimMul('B', 'T')));
    const compiled = await runtime.compile(g);
    const tableValues = floatTensor(
      'float32',
      [10, 4],
      Array.from({ length: 40 }, (_, i) => i),
    );
    for (const [b, t] of [
      [1, 3],
      [2, 5],
    ] as const) {
      const idValues = Array.from({ length: b * t }, (_, i) => i % 10);
      const out = await compiled.run({ ids: int64Tensor([b, t], idValues), table: tableValues });
      assert.deepEqual(out.padded!.shape, [b, t, 4]);
      assert.equal(Number((out.count!.data as BigInt64Array)[0]), b * t);
      const data = out.padded!.data as Float32Array;
      assert.equal(data[(t - 1) * 4], 7, 'the filled column is last');
      assert.equal(data[4], (idValues[1] as number) * 4, 'row 1 of batch 0 is table row ids[0,1]');
    }
    assert.equal(runtime.cachedSessions, 1);
  });

  test('identical graphs share one session; dead nodes are not emitted', async () => {
    const build = (extra: boolean) => {
      const g = new Graph('same');
      const x = g.input('x', 'float32', [3]);
      if (extra) x.exp().log().mul(3); // unused
      g.output('y', x.mul(2));
      return g;
    };
    const a = emitModel(build(false));
    const b = emitModel(build(true));
    assert.equal(a.hash, b.hash, 'unused nodes are pruned before emission');
    const before = runtime.cachedSessions;
    await runtime.compile(build(true));
    await runtime.compile(build(false));
    assert.equal(runtime.cachedSessions, before + 1);
  });

  test('gradients w.r.t. an intermediate tensor', async () => {
    const g = new Graph('intermediate');
    const x = g.param('x', 'float64', [3]);
    const h = x.mul(x); // dL/dh = 3 for L = sum(3h)
    const loss = h.mul(3).sum();
    const [dh, dx] = grad(loss, [h, x]);
    g.output('dh', dh as never);
    g.output('dx', dx as never);
    const out = await (await runtime.compile(g)).run({ x: floatTensor('float64', [3], [1, 2, 3]) });
    assert.deepEqual(Array.from(out.dh!.data as Float64Array), [3, 3, 3]);
    assert.deepEqual(Array.from(out.dx!.data as Float64Array), [6, 12, 18]);
  });

  test('feeds are checked against the declared inputs', async () => {
    const g = new Graph('feeds');
    const a = g.input('a', 'float32', ['N', 2]);
    const b = g.input('b', 'float32', ['N', 2]);
    g.output('c', a.add(b));
    const compiled = await runtime.compile(g);
    const ok = floatTensor('float32', [3, 2], [1, 2, 3, 4, 5, 6]);
    await assert.rejects(
      compiled.run({ a: ok }),
      (e: Error) => e instanceof FeedError && /missing inputs: b/.test(e.message),
    );
    await assert.rejects(
      compiled.run({ a: ok, b: floatTensor('float32', [2, 2], [1, 2, 3, 4]) }),
      (e: Error) => e instanceof FeedError && /"N" is 3/.test(e.message),
    );
    await assert.rejects(
      compiled.run({ a: ok, b: floatTensor('float64', [3, 2], [1, 2, 3, 4, 5, 6]) }),
      (e: Error) => e instanceof FeedError && /must be float32, got float64/.test(e.message),
    );
  });
});

describe('build-time errors name the op and the shapes', () => {
  test('matmul inner dimension mismatch', () => {
    const g = new Graph();
    const a = g.input('a', 'float32', ['B', 3]);
    const b = g.input('b', 'float32', [4, 5]);
    assert.throws(
      () => a.matmul(b),
      (e: Error) =>
        e instanceof ShapeError &&
        /^MatMul: inner dimensions differ \(3 vs 4\) \(inputs: float32\[B, 3\], float32\[4, 5\]\)$/.test(
          e.message,
        ),
    );
  });

  test('broadcasting a symbolic against a static dimension', () => {
    const g = new Graph();
    const a = g.input('a', 'float32', ['T', 4]);
    const b = g.input('b', 'float32', [3, 4]);
    assert.throws(() => a.add(b), /Add: shapes \[T, 4\] and \[3, 4\] do not broadcast \(dim 0: T vs 3\)/);
  });

  test('reshape that changes the element count', () => {
    const g = new Graph();
    const a = g.input('a', 'float32', ['B', 6]);
    assert.throws(
      () => a.reshape(['B', 4]),
      /Reshape: cannot reshape \[B, 6\] to \[B, 4\]: element counts differ/,
    );
  });

  test('gradient through an unsupported path names the op', () => {
    const g = new Graph();
    const table = g.param('table', 'float32', [4, 3]);
    const idx = g.input('idx', 'int64', [2]);
    assert.throws(
      () => grad(table.gather(idx, 1).sum(), [table]),
      (e: Error) =>
        e instanceof AutodiffError &&
        /Gather node \d+: Gather is differentiable only along axis 0/.test(e.message),
    );
  });

  test('a dimension with no run-time source', () => {
    const g = new Graph();
    g.output('z', g.fill(['K'], 0, 'float32'));
    assert.throws(() => emitModel(g), /dimension "K" is not the size of any graph input axis/);
  });
});
