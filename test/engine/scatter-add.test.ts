// Scatter-add, the backward pass of Gather (embedding gradients), must be exact and deterministic with a
// multi-threaded session: heavily repeated indices, as real token ids are, summed in update order with no
// update lost. onnxruntime's CPU ScatterND(reduction=add) splits updates across threads without atomics,
// so the engine must not lower to it; this test fails if it ever does again.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Rng } from '../../server/common/random';
import { floatTensor, int64Tensor } from '../../server/runtime/ir/dtype';
import { Graph } from '../../server/runtime/ir/graph';
import { Runtime } from '../../server/runtime/session/runtime';

/** Sequential float32 accumulation in update order: what a correct single pass computes. */
function expectedScatterAdd(
  rows: number,
  width: number,
  indices: number[],
  updates: Float32Array,
): Float32Array {
  const out = new Float32Array(rows * width);
  indices.forEach((row, i) => {
    for (let j = 0; j < width; j++) {
      const k = row * width + j;
      out[k] = Math.fround((out[k] as number) + (updates[i * width + j] as number));
    }
  });
  return out;
}

describe('scatter-add under a multi-threaded session', () => {
  const runtime = new Runtime({ threads: 2 });
  after(() => runtime.dispose());

  test('the Gather VJP (ScatterNDAdd) sums repeated indices exactly and identically on every run', async () => {
    // An embedding-gradient shape (the tiny-world model: vocabulary 596, width 192, a batch of 2,560 tokens)
    // with token-like ids: a BOS row every 40 updates and a long-tailed rest. With ScatterND(add) on two
    // threads about four runs in five lost updates.
    const rows = 596;
    const width = 192;
    const n = 2560;
    const rng = new Rng(3);
    const indices = Array.from({ length: n }, (_, i) =>
      i % 40 === 0 ? 2 : Math.min(rows - 1, Math.floor(Math.exp(rng.next() * Math.log(rows)))),
    );
    const updates = Float32Array.from({ length: n * width }, () => rng.next() * 2 - 1);

    const g = new Graph('scatter-add');
    const idx = g.input('idx', 'int64', ['N']);
    const upd = g.input('upd', 'float32', ['N', width]);
    const zeros = g.fill([rows, width], 0, 'float32');
    g.output('sum', g.apply('ScatterNDAdd', [zeros, idx.unsqueeze(-1), upd], {}));
    const compiled = await runtime.compile(g);

    const expected = expectedScatterAdd(rows, width, indices, updates);
    const feeds = { idx: int64Tensor([n], indices), upd: floatTensor('float32', [n, width], updates) };
    for (let run = 0; run < 10; run++) {
      const out = (await compiled.run(feeds)).sum!.data as Float32Array;
      assert.deepEqual(Array.from(out), Array.from(expected), `run ${run}`);
    }
  });
});
