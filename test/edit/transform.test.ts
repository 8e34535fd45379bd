// The PropMEND edit on an in-memory random decoder: the transform is the identity at initialisation (the edit
// equals alpha * sum_t delta^_t u^_t^T of the normalised factors), the factor-form edit equals the dense merged
// edit, Welford statistics equal a two-pass computation, the meta-gradient w.r.t. the hypernetwork and alpha
// equals float64 central differences, and at the identity initialisation U receives gradient (clamp at 0).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Rng } from '../../server/common/random';
import { buildTransformGraph, computeEdit, transformFeeds } from '../../server/runtime/edit/edit';
import {
  captureFactors,
  factorFeeds,
  type InnerExample,
  normalizers,
  paramFeeds,
} from '../../server/runtime/edit/factors';
import { EDIT_LRS, layerParam } from '../../server/runtime/edit/hypernet';
import {
  type Hypernetwork,
  newHypernetwork,
  withOwnStatistics,
} from '../../server/runtime/edit/hypernetwork';
import { presetLayers, targetLinears } from '../../server/runtime/edit/layers';
import { metaBatch } from '../../server/runtime/edit/meta-batch';
import { metaLoss } from '../../server/runtime/edit/meta-graph';
import { emptyWelford, normalizer, welfordUpdate } from '../../server/runtime/edit/statistics';
import {
  declareFactorInputs,
  declareHypernetParams,
  transformAll,
} from '../../server/runtime/edit/transform';
import type { FloatDType, HostTensor } from '../../server/runtime/ir/dtype';
import { Graph } from '../../server/runtime/ir/graph';
import type { LanguageModel } from '../../server/runtime/models/language-model';
import { Runtime } from '../../server/runtime/session/runtime';
import { padLeft } from '../../server/runtime/tasks/batch';
import { runForward } from '../../server/runtime/tasks/forward';
import { relativeError } from '../support/check-op';
import { randomModel } from '../support/random-model';

const FACT: InnerExample = { rows: [[1, 5, 9, 3, 7, 11, 4, 2]], scoredFrom: [1] };
const QUESTIONS = [
  { ids: [1, 6, 8, 10, 12, 2], answerLength: 2 },
  { ids: [1, 13, 14, 15, 2], answerLength: 2 },
];
const LOCALITY = [
  [1, 20, 21, 22, 23],
  [1, 30, 31],
];

function hypernet(model: LanguageModel, rank: number): Hypernetwork {
  const targets = targetLinears(presetLayers('all', model.config.numLayers));
  return newHypernetwork(
    model,
    { targets, rank, shared: true, editLrInit: 1e-4 },
    { seed: 3, innerLoss: 'clm' },
  );
}

/** Dense sum_r d_r^T u_r of a factor pair, [d_out, d_in]. */
function dense(u: HostTensor<FloatDType>, d: HostTensor<FloatDType>): Float64Array {
  const [r, dIn] = u.shape as [number, number];
  const dOut = d.shape[1] as number;
  const out = new Float64Array(dOut * dIn);
  for (let k = 0; k < r; k++)
    for (let o = 0; o < dOut; o++)
      for (let i = 0; i < dIn; i++)
        out[o * dIn + i] =
          (out[o * dIn + i] as number) + (d.data[k * dOut + o] as number) * (u.data[k * dIn + i] as number);
  return out;
}

describe('PropMEND edit on a random float64 decoder', () => {
  const runtime = new Runtime({ threads: 2 });
  after(() => runtime.dispose());
  const model = randomModel(runtime, { dtype: 'float64' });

  test('presets scale proportionally: the 4-layer model gets top [3], mid-upper [2], max [1-3]', () => {
    assert.deepEqual(presetLayers('top', 4), [3]);
    assert.deepEqual(presetLayers('mid-upper', 4), [2]);
    assert.deepEqual(presetLayers('max', 4), [1, 2, 3]);
    assert.deepEqual(presetLayers('max', 16), [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    assert.deepEqual(presetLayers('top', 28), [23, 24, 25, 26, 27]);
  });

  test('Welford statistics equal a two-pass mean and sample std', () => {
    const rng = new Rng(5);
    const rows = 37;
    const u = Float64Array.from({ length: rows * 3 }, () => rng.normal() * 2 + 1);
    const d = Float64Array.from({ length: rows * 2 }, () => rng.normal() * 1e-3);
    const state = emptyWelford(3, 2);
    welfordUpdate(state, u.subarray(0, 10 * 3), d.subarray(0, 10 * 2), 10);
    welfordUpdate(state, u.subarray(10 * 3), d.subarray(10 * 2), rows - 10);
    const n = normalizer(state);
    for (const [data, width, mean, std] of [
      [u, 3, n.uMean, n.uStd],
      [d, 2, n.dMean, n.dStd],
    ] as const) {
      for (let j = 0; j < width; j++) {
        let m = 0;
        for (let r = 0; r < rows; r++) m += data[r * width + j] as number;
        m /= rows;
        let v = 0;
        for (let r = 0; r < rows; r++) v += ((data[r * width + j] as number) - m) ** 2;
        const s = Math.sqrt(v / (rows - 1)) + 1e-7;
        assert.ok(Math.abs((mean[j] as number) - m) <= 1e-12 * Math.max(1, Math.abs(m)), `mean ${j}`);
        assert.ok(Math.abs((std[j] as number) - s) <= 1e-12 * s, `std ${j}`);
      }
    }
  });

  test('at initialisation the edit is alpha * sum_t delta^_t u^_t^T of the normalised factors', async () => {
    const net = hypernet(model, 8);
    const reference = withOwnStatistics(net, true);
    const { edit } = await computeEdit(model, net, FACT, { updateStats: true });
    const factors = await captureFactors(model, reference, FACT);
    const norms = normalizers(reference, factors, true);
    for (const name of net.layout.spec.targets) {
      const { u, delta } = factors.layers.get(name)!;
      const n = norms.get(name)!;
      const dIn = n.uMean.length;
      const dOut = n.dMean.length;
      const expected = new Float64Array(dOut * dIn);
      for (let r = 0; r < factors.rows; r++)
        for (let o = 0; o < dOut; o++) {
          const dh = ((delta[r * dOut + o] as number) - (n.dMean[o] as number)) / (n.dStd[o] as number);
          for (let i = 0; i < dIn; i++) {
            const uh = ((u[r * dIn + i] as number) - (n.uMean[i] as number)) / (n.uStd[i] as number);
            expected[o * dIn + i] = (expected[o * dIn + i] as number) + 1e-4 * dh * uh;
          }
        }
      const got = edit.get(name)!;
      const err = relativeError(dense(got.u, got.d), expected);
      assert.ok(err < 1e-6, `${name}: relative error ${err}`);
    }
  });

  test('the stacked transform of the edit graph equals the per-matrix transform', async () => {
    const net = hypernet(model, 8);
    const rng = new Rng('stacked-transform');
    for (const [name, data] of net.params)
      if (name !== EDIT_LRS) for (let i = 0; i < data.length; i++) data[i] = rng.normal() * 0.3;
    const factors = await captureFactors(model, net, FACT);
    const norms = normalizers(net, factors, true);
    const perMatrixFeeds = {
      ...paramFeeds(model.dtype, net),
      ...factorFeeds(model.dtype, net, factors, norms),
    };
    const perMatrix = new Graph('per_matrix');
    const params = declareHypernetParams(perMatrix, net.layout, model.dtype);
    const inputs = declareFactorInputs(perMatrix, net.layout, model.dtype);
    for (const [name, { u, d, scale }] of transformAll(net.layout, params, inputs)) {
      perMatrix.output(`edit.${name}.u`, u);
      perMatrix.output(`edit.${name}.d`, d.mul(scale));
    }
    const expected = await (await runtime.compile(perMatrix)).run(perMatrixFeeds);
    const got = await (await runtime.compile(buildTransformGraph(net.layout, model.dtype))).run(
      transformFeeds(model.dtype, net, factors, norms),
    );
    assert.ok(
      net.layout.groups.some((g) => g.members.length > 1),
      'a shared transform with several members',
    );
    for (const name of Object.keys(expected)) {
      const err = relativeError(got[name]!.data as Float64Array, expected[name]!.data as Float64Array);
      assert.ok(err < 1e-12, `${name}: relative error ${err}`);
    }
  });

  test('the factor-form edit gives the logits of the dense merged weights', async () => {
    const net = hypernet(model, 8);
    (net.params.get(EDIT_LRS) as Float32Array).fill(0.05);
    const { edit } = await computeEdit(model, net, FACT, { updateStats: true });
    const weights = new Map(model.weights);
    for (const [name, { u, d }] of edit) {
      const w = model.weights.get(`${name}.weight`)!;
      const delta = dense(u, d);
      weights.set(`${name}.weight`, {
        ...w,
        data: Float64Array.from(w.data, (v, i) => v + (delta[i] as number)),
      });
    }
    const merged: LanguageModel = { ...model, weights };
    const batch = padLeft(
      [
        [1, 6, 8, 10, 12],
        [1, 13, 14],
      ],
      0,
    );
    const factored = await runForward(model, batch, { edit });
    const full = await runForward(merged, batch);
    const base = await runForward(model, batch);
    assert.ok(relativeError(factored.logits.data, full.logits.data) < 1e-9);
    assert.ok(relativeError(base.logits.data, full.logits.data) > 1e-4, 'the edit changes the logits');
  });

  async function lossAt(net: Hypernetwork, withGradients: boolean) {
    const factors = await captureFactors(model, net, FACT);
    const norms = normalizers(net, factors, false);
    const batch = await metaBatch(model, QUESTIONS, LOCALITY);
    return metaLoss(model, net, factors, norms, batch, { cEdit: 0.7, cLoc: 1.3 }, withGradients);
  }

  test('the meta-gradient w.r.t. the hypernetwork and alpha equals central differences (float64)', async () => {
    const net = hypernet(model, 4);
    // Non-identity transform, float64 parameters, statistics from one earlier pass (then frozen).
    const rng = new Rng(17);
    for (const [name, p] of net.params) {
      const data = Float64Array.from(p, (v) =>
        name === EDIT_LRS
          ? 0.05 + 0.02 * rng.normal()
          : name.endsWith('.v')
            ? v * 0.5
            : v + 0.2 * rng.normal(),
      );
      net.params.set(name, data);
    }
    normalizers(net, await captureFactors(model, net, FACT), true);
    const { gradients } = await lossAt(net, true);
    // One random direction per parameter tensor: (L(p + e v) - L(p - e v)) / 2e must equal <grad, v>.
    const eps = 1e-7;
    for (const { name } of net.layout.params) {
      const p = net.params.get(name) as Float64Array;
      const g = gradients!.get(name)!;
      const keep = p.slice();
      const v = Float64Array.from(p, () => rng.normal());
      let expected = 0;
      for (let i = 0; i < p.length; i++) expected += (g.data[i] as number) * (v[i] as number);
      p.set(keep.map((x, i) => x + eps * (v[i] as number)));
      const plus = (await lossAt(net, false)).loss;
      p.set(keep.map((x, i) => x - eps * (v[i] as number)));
      const minus = (await lossAt(net, false)).loss;
      p.set(keep);
      const fd = (plus - minus) / (2 * eps);
      assert.ok(
        Math.abs(fd - expected) <= 1e-7 + 1e-5 * Math.abs(fd),
        `${name}: analytic ${expected}, finite difference ${fd}`,
      );
      assert.ok(Math.abs(expected) > 1e-9, `${name}: the check needs a non-zero directional derivative`);
    }
  });

  test("the outer batch's pre-edit locality log-probs equal those of the whole batch's forward", async () => {
    const batch = await metaBatch(model, QUESTIONS, LOCALITY);
    const padded = padLeft([...QUESTIONS.map((q) => q.ids), ...LOCALITY], model.tokens.pad);
    const whole = await runForward(model, padded);
    const vocab = model.config.vocabSize;
    const logp = batch.feeds.logp_pre!.data;
    const mask = batch.feeds.loc_mask!.data;
    let compared = 0;
    for (let row = 0; row < padded.batch * padded.length; row++) {
      const o = row * vocab;
      const logits = Array.from(whole.logits.data.subarray(o, o + vocab));
      const max = Math.max(...logits);
      const lse = max + Math.log(logits.reduce((a, v) => a + Math.exp(v - max), 0));
      const question = row < QUESTIONS.length * padded.length;
      if (!question && !mask[row]) continue; // padding: masked out of the KL
      for (let v = 0; v < vocab; v++) {
        const expected = question ? 0 : (logits[v] as number) - lse;
        // logp_pre is kept in float32 (as before), so compare at float32 precision.
        const diff = Math.abs((logp[o + v] as number) - expected);
        assert.ok(diff <= 1e-6 * Math.max(1, Math.abs(expected)), `row ${row} token ${v}: off by ${diff}`);
      }
      compared += mask[row] ? 1 : 0;
    }
    assert.equal(compared, LOCALITY.flat().length);
  });

  test('the grouped meta transform equals the per-target one (loss and every gradient, float64)', async () => {
    const net = hypernet(model, 4);
    const rng = new Rng(23);
    for (const [name, p] of net.params)
      net.params.set(
        name,
        Float64Array.from(p, (v) =>
          name === EDIT_LRS ? 0.05 : name.endsWith('.v') ? v : v + 0.2 * rng.normal(),
        ),
      );
    assert.ok(
      net.layout.groups.some((g) => g.members.length > 1),
      'a group with several modes',
    );
    const factors = await captureFactors(model, net, FACT);
    const norms = normalizers(net, factors, true);
    const batch = await metaBatch(model, QUESTIONS, LOCALITY);
    const run = (form: 'grouped' | 'per-target') =>
      metaLoss(model, net, factors, norms, batch, { cEdit: 0.7, cLoc: 1.3 }, true, form);
    const [grouped, perTarget] = [await run('grouped'), await run('per-target')];
    assert.ok(Math.abs(grouped.loss - perTarget.loss) <= 1e-12 * Math.abs(perTarget.loss));
    for (const { name } of net.layout.params) {
      const err = relativeError(grouped.gradients!.get(name)!.data, perTarget.gradients!.get(name)!.data);
      assert.ok(err < 1e-10, `${name}: relative error ${err}`);
    }
  });

  test('at the identity initialisation U, the bias and the mode shifts receive gradient (clamp passes it at 0)', async () => {
    const net = hypernet(model, 4);
    (net.params.get(EDIT_LRS) as Float32Array).fill(0.05);
    normalizers(net, await captureFactors(model, net, FACT), true);
    const { gradients } = await lossAt(net, true);
    const group = net.layout.groups[0]!;
    // V and the mode scales multiply U = 0 or h = 0 at init, so their gradient is exactly 0 there, as in PyTorch.
    for (const part of ['u', 'bias', 'mode_shift'] as const) {
      for (const l of [0, 1]) {
        const g = gradients!.get(layerParam(group, l, part))!;
        const max = Math.max(...Array.from(g.data, Math.abs));
        assert.ok(max > 1e-12, `${layerParam(group, l, part)} gets no gradient`);
      }
    }
  });
});
