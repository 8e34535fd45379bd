// The per-model compiled-graph memo and the edit-factor declaration that every task shares: one build per
// model and key even for concurrent callers, a failed compile is retried, and edit factors get the widths
// of the edited weight, a symbolic rank, and an error naming an unknown linear.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { grad } from '../../server/runtime/autodiff/grad';
import { Graph } from '../../server/runtime/ir/graph';
import { mlpLinearName } from '../../server/runtime/models/transformer';
import { Runtime } from '../../server/runtime/session/runtime';
import { padLeft } from '../../server/runtime/tasks/batch';
import { editFeeds, editInputs } from '../../server/runtime/tasks/edit-inputs';
import { runForward } from '../../server/runtime/tasks/forward';
import { memoisedGraphs, modelGraph } from '../../server/runtime/tasks/graph-memo';
import { clmTargets, scoreTokens } from '../../server/runtime/tasks/objectives';
import { randomModel, TINY } from '../support/random-model';

describe('compiled-graph memo', () => {
  const runtime = new Runtime({ threads: 1 });
  after(() => runtime.dispose());

  function doubling(): Graph {
    const g = new Graph('double');
    g.output('y', g.input('x', 'float32', [2]).mul(2));
    return g;
  }

  test('one build per model and key, shared by concurrent callers', async () => {
    const model = randomModel(runtime);
    let builds = 0;
    const build = () => {
      builds++;
      return doubling();
    };
    const [a, b] = await Promise.all([
      modelGraph(model, 'test:a', build),
      modelGraph(model, 'test:a', build),
    ]);
    assert.equal(a, b);
    assert.equal(builds, 1);
    await modelGraph(model, 'test:b', build);
    assert.equal(builds, 2, 'another key builds again');
    await modelGraph(randomModel(runtime), 'test:a', build);
    assert.equal(builds, 3, 'another model builds again');
    assert.equal(memoisedGraphs(model), 2);
  });

  test('forward variants and objectives share the memo under task-prefixed keys', async () => {
    const model = randomModel(runtime);
    const batch = padLeft([[1, 4, 5]], 0);
    await runForward(model, batch);
    await runForward(model, batch);
    assert.equal(memoisedGraphs(model), 1);
    await runForward(model, batch, { lastOnly: true });
    assert.equal(memoisedGraphs(model), 2);
    await scoreTokens(model, batch, clmTargets(model, batch));
    assert.equal(memoisedGraphs(model), 3, 'a scoring graph is not mistaken for a forward variant');
  });

  test('a graph that fails to compile is forgotten, so the next call builds it again', async () => {
    const model = randomModel(runtime);
    let builds = 0;
    const broken = () => {
      builds++;
      return new Graph('no_outputs');
    };
    await assert.rejects(modelGraph(model, 'test:broken', broken), /has no outputs/);
    await assert.rejects(modelGraph(model, 'test:broken', broken), /has no outputs/);
    assert.equal(builds, 2);
    assert.equal(memoisedGraphs(model), 0);
  });
});

describe('edit factor inputs', () => {
  const runtime = new Runtime({ threads: 1 });
  after(() => runtime.dispose());
  const model = randomModel(runtime, { dtype: 'float64' });
  const down = mlpLinearName(0, 'down_proj');

  test('u is [R, d_in] and d is [R, d_out] of the edited weight; gradients reach both', async () => {
    const g = new Graph('factors');
    const factors = editInputs(model, g, [down]);
    const { u, d } = factors.get(down)!;
    assert.deepEqual(u.shape, ['R', TINY.intermediateSize]);
    assert.deepEqual(d.shape, ['R', TINY.hiddenSize]);
    assert.deepEqual([...g.inputs.keys()], [`edit.${down}.u`, `edit.${down}.d`]);
    const loss = u.sum().mul(d.sum());
    g.output('loss', loss);
    grad(loss, [u, d]).forEach((t, i) => {
      g.output(`grad.${i}`, t);
    });
    const feeds = editFeeds(
      new Map([
        [
          down,
          {
            u: {
              dtype: 'float64',
              shape: [1, TINY.intermediateSize],
              data: new Float64Array(TINY.intermediateSize).fill(1),
            },
            d: {
              dtype: 'float64',
              shape: [1, TINY.hiddenSize],
              data: new Float64Array(TINY.hiddenSize).fill(2),
            },
          },
        ],
      ]),
    );
    const out = await (await runtime.compile(g)).run(feeds);
    assert.equal(out.loss!.data[0], TINY.intermediateSize * 2 * TINY.hiddenSize);
    assert.equal(out['grad.0']!.data[0], 2 * TINY.hiddenSize, 'dL/du = sum(d)');
    assert.equal(out['grad.1']!.data[0], TINY.intermediateSize, 'dL/dd = sum(u)');
  });

  test('an unknown linear is named in the error', () => {
    assert.throws(() => editInputs(model, new Graph('bad'), ['model.layers.0.mlp.nope_proj']), {
      message:
        'cannot edit "model.layers.0.mlp.nope_proj": the model has no parameter model.layers.0.mlp.nope_proj.weight',
    });
  });
});
