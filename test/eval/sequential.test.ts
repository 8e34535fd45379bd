// Sequential (multi-edit) evaluation on the shipped model and hypernetworks with K = 3: the checkpoints, the
// weights after K edits equal the originals plus exactly the stacked low-rank edits (each computed on the
// already-edited model), restoring gives the original checksum back, and the job's curve (n and bootstrap
// intervals per point) with its input errors. MEMIT's curve runs in the README's command, not here.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { shippedAssets } from '../../server/common/paths';
import { loadTokenizer, type TextTokenizer } from '../../server/common/tokenizer';
import { quietContext } from '../../server/jobs/context';
import { shippedHypernet } from '../../server/jobs/hypernet';
import { sequentialEvalJob } from '../../server/jobs/sequential-eval';
import { weightsChecksum } from '../../server/runtime/baselines/weights';
import { computeEdit } from '../../server/runtime/edit/edit';
import { innerExample } from '../../server/runtime/edit/episode';
import { loadHypernet } from '../../server/runtime/edit/hypernet-checkpoint';
import type { Hypernetwork } from '../../server/runtime/edit/hypernetwork';
import { type EditInstance, readInstances } from '../../server/runtime/edit/instances';
import {
  AccumulatedEdits,
  addLowRankInPlace,
  checkpointsFor,
  editNorm,
  runSequential,
} from '../../server/runtime/eval/sequential';
import type { LanguageModel } from '../../server/runtime/models/language-model';
import { loadLanguageModel } from '../../server/runtime/models/load';
import { Runtime } from '../../server/runtime/session/runtime';
import type { LowRankEdit } from '../../server/runtime/tasks/edit-inputs';
import { runCliCaptured } from '../support/cli';

const K = 3;

test('checkpoints are 1, 2, 5, 10, 20, 50, 100 up to K, and K', () => {
  assert.deepEqual(checkpointsFor(1), [1]);
  assert.deepEqual(checkpointsFor(3), [1, 2, 3]);
  assert.deepEqual(checkpointsFor(7), [1, 2, 5, 7]);
  assert.deepEqual(checkpointsFor(100), [1, 2, 5, 10, 20, 50, 100]);
  assert.deepEqual(checkpointsFor(150), [1, 2, 5, 10, 20, 50, 100, 150]);
  assert.throws(() => checkpointsFor(0), /K must be a whole number >= 1/);
});

/** d^T u as a dense [dOut, dIn] matrix in float64. */
function dense(edit: LowRankEdit, linear: string, dOut: number, dIn: number): Float64Array {
  const { u, d } = edit.get(linear) as NonNullable<ReturnType<LowRankEdit['get']>>;
  const out = new Float64Array(dOut * dIn);
  const rank = u.shape[0] as number;
  for (let r = 0; r < rank; r++)
    for (let o = 0; o < dOut; o++)
      for (let i = 0; i < dIn; i++)
        out[o * dIn + i] =
          (out[o * dIn + i] as number) + (d.data[r * dOut + o] as number) * (u.data[r * dIn + i] as number);
  return out;
}

describe('sequential edits on the shipped model', () => {
  const runtime = new Runtime({ threads: 1 });
  const { model: modelDir, world } = shippedAssets();
  const dataset = join(world, 'splits', 'validation.ripple.jsonl');
  let model: LanguageModel;
  let tokenizer: TextTokenizer;
  let net: Hypernetwork;
  let instances: EditInstance[];
  before(async () => {
    model = loadLanguageModel(modelDir, { runtime });
    tokenizer = await loadTokenizer(modelDir);
    net = loadHypernet(shippedHypernet('propmend'), model).net;
    instances = readInstances(dataset).slice(0, K);
  });
  after(() => runtime.dispose());

  const editOf = async (instance: EditInstance) =>
    (await computeEdit(model, net, innerExample(model, tokenizer, instance, net.innerLoss))).edit;

  test('after K edits the weights are the originals plus the stacked edits; restoring gives them back', async () => {
    const original = new Map([...model.weights].map(([n, t]) => [n, Float64Array.from(t.data)]));
    const checksum = weightsChecksum(model);
    const firstOnBase = await editOf(instances[1] as EditInstance);
    const acc = new AccumulatedEdits(model);
    const edits: LowRankEdit[] = [];
    for (const instance of instances) {
      const edit = await editOf(instance);
      edits.push(edit);
      acc.apply(edit);
    }
    assert.equal(acc.count, K);
    // The second edit was computed on the model the first edit left: it differs from the same fact's edit on
    // the original weights.
    const linear = net.layout.spec.targets[0] as string;
    const onEdited = (edits[1] as LowRankEdit).get(linear)?.d.data as Float32Array;
    const onBase = firstOnBase.get(linear)?.d.data as Float32Array;
    assert.equal(onEdited.length, onBase.length);
    assert.ok(
      onEdited.some((v, i) => v !== onBase[i]),
      'the second edit sees the first',
    );
    assert.deepEqual(acc.touched(), net.layout.spec.targets.map((t) => `${t}.weight`).sort());
    for (const target of net.layout.spec.targets) {
      const w = model.weights.get(`${target}.weight`);
      assert.ok(w);
      const [dOut, dIn] = w.shape as [number, number];
      const expected = Float64Array.from(original.get(`${target}.weight`) as Float64Array);
      for (const edit of edits) {
        const delta = dense(edit, target, dOut, dIn);
        for (let i = 0; i < expected.length; i++)
          expected[i] = (expected[i] as number) + (delta[i] as number);
      }
      let maxDiff = 0;
      let maxDelta = 0;
      for (let i = 0; i < expected.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs((w.data[i] as number) - (expected[i] as number)));
        maxDelta = Math.max(
          maxDelta,
          Math.abs((expected[i] as number) - (original.get(`${target}.weight`)?.[i] as number)),
        );
      }
      assert.ok(maxDelta > 1e-5, `${target} changed (${maxDelta})`);
      assert.ok(maxDiff <= 1e-6 + 1e-4 * maxDelta, `${target}: ${maxDiff} off the stacked edits`);
    }
    let squared = 0;
    for (const target of net.layout.spec.targets) {
      const [dOut = 0, dIn = 0] = model.weights.get(`${target}.weight`)?.shape ?? [];
      for (const v of dense(edits[0] as LowRankEdit, target, dOut, dIn)) squared += v * v;
    }
    const norm = editNorm(edits[0] as LowRankEdit);
    assert.ok(Math.abs(norm - Math.sqrt(squared)) <= 1e-4 * norm, `${norm} vs ${Math.sqrt(squared)}`);
    // Weights outside the edited linears did not move.
    for (const [name, t] of model.weights)
      if (!acc.touched().includes(name))
        assert.ok(
          t.data.every((v, i) => v === (original.get(name)?.[i] as number)),
          `${name} unchanged`,
        );
    const restored = acc.restore();
    assert.equal(restored.checksum, checksum);
    assert.ok(restored.restored);
  });

  test('independent stacking computes every edit on the original weights; sequential on the edited ones', async () => {
    const two = instances.slice(0, 2);
    const onBase = [];
    for (const instance of two) onBase.push(editNorm(await editOf(instance)));
    const editor = (i: number) => editOf(two[i] as EditInstance);
    const bootstrap = { resamples: 10, seed: 1 };
    const independent = await runSequential(model, tokenizer, two, editor, {
      bootstrap,
      stacking: 'independent',
    });
    assert.deepEqual(independent.edit_norms, onBase);
    assert.ok(independent.checksum.restored);
    const sequential = await runSequential(model, tokenizer, two, editor, { bootstrap });
    assert.equal(sequential.edit_norms[0], onBase[0]);
    assert.notEqual(sequential.edit_norms[1], onBase[1]);
  });

  test('addLowRankInPlace refuses factors of the wrong width', () => {
    const linear = net.layout.spec.targets[0] as string;
    const bad: LowRankEdit = new Map([
      [
        linear,
        {
          u: { dtype: 'float32', shape: [1, 3], data: new Float32Array(3) },
          d: { dtype: 'float32', shape: [1, 3], data: new Float32Array(3) },
        },
      ],
    ]);
    const checksum = weightsChecksum(model);
    assert.throws(() => addLowRankInPlace(model, bad), /edit factors of .* are \[1,3\]/);
    assert.equal(weightsChecksum(model), checksum);
  });

  test('the job returns a curve per method with n and intervals, and restores the weights', async () => {
    const checksum = weightsChecksum(model);
    const result = await sequentialEvalJob(
      { dataset, modelDir, methods: ['propmend', 'mend'], k: K, bootstrap: { resamples: 200, seed: 1 } },
      runtime,
      quietContext(),
    );
    assert.equal(weightsChecksum(model), checksum, 'the test model is untouched (the job loads its own)');
    assert.deepEqual(result.checkpoints, [1, 2, 3]);
    assert.equal(result.instances.length, K);
    assert.deepEqual(
      result.curves.map((c) => c.method),
      ['propmend', 'mend'],
    );
    for (const curve of result.curves) {
      assert.ok(curve.checksum.restored);
      assert.equal(curve.checksum.before, curve.checksum.after);
      assert.deepEqual(
        curve.points.map((p) => p.edits),
        [1, 2, 3],
      );
      const nonverbatim = (k: number) =>
        instances.slice(0, k).flatMap((i) => i.questions.filter((q) => q.kind === 'nonverbatim')).length;
      const locality = instances.flatMap((i) => i.questions.filter((q) => q.kind === 'locality')).length;
      for (const p of curve.points) {
        assert.equal(p.efficacy_nonverbatim.exact_match.n, nonverbatim(p.edits));
        assert.equal(p.specificity.exact_match.n, locality);
        for (const cell of [p.efficacy_verbatim, p.efficacy_nonverbatim, p.specificity]) {
          const { mean, low, high } = cell.exact_match;
          assert.ok(low <= mean && mean <= high && low >= 0 && high <= 1, JSON.stringify(cell.exact_match));
        }
      }
      assert.equal(curve.before.specificity.exact_match.n, locality);
      assert.equal(curve.edit_norms.length, K);
      assert.ok(curve.edit_norms.every((n) => n > 0));
    }
  });

  test('bad input: K beyond the dataset, a hypernetwork of the other method', async () => {
    await assert.rejects(
      sequentialEvalJob({ dataset, modelDir, methods: ['mend'], k: 10_000 }, runtime, quietContext()),
      (e: Error) =>
        e.name === 'JobInputError' && /holds 200 instances; --sequential 10000 needs/.test(e.message),
    );
    await assert.rejects(
      sequentialEvalJob(
        { dataset, modelDir, methods: ['mend'], k: 1, hypernets: { mend: shippedHypernet('propmend') } },
        runtime,
        quietContext(),
      ),
      (e: Error) => e.name === 'JobInputError' && /is a propmend hypernetwork, not mend/.test(e.message),
    );
  });
});

test('propmend eval --sequential: bad flags and a missing dataset are one-line errors', async () => {
  let run = await runCliCaptured(['eval', '--sequential', '0', '--dataset', 'x.ripple.jsonl']);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /^propmend eval: --sequential must be >= 1, got 0\n/);
  run = await runCliCaptured([
    'eval',
    '--sequential',
    '2',
    '--dataset',
    'x.ripple.jsonl',
    '--method',
    'cpt-full',
  ]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--sequential runs propmend, mend, memit; got method "cpt-full"/);
  run = await runCliCaptured([
    'eval',
    '--sequential',
    '2',
    '--dataset',
    '/nonexistent/x.ripple.jsonl',
    '--method',
    'mend',
  ]);
  assert.equal(run.code, 1);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  assert.match(run.stderr, /\/nonexistent\/x\.ripple\.jsonl/);
});
