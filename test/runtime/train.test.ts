// Training building blocks: AdamW matches a hand-computed step, clipping and non-finite skips behave,
// the schedule has the promised shape, and a few AdamW steps on a random decoder drive its loss down.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { Runtime } from '../../server/runtime/session/runtime';
import { nextTokenTargets, padLeft } from '../../server/runtime/tasks/batch';
import { lossGradients } from '../../server/runtime/tasks/objectives';
import { adamwStep, DEFAULT_ADAMW, newAdamWState } from '../../server/runtime/train/adamw';
import { learningRate } from '../../server/runtime/train/schedule';
import { randomModel } from '../support/random-model';

describe('AdamW', () => {
  test('first step equals the hand-computed update', () => {
    const params = new Map([['w', Float32Array.from([1, -2])]]);
    const grads = new Map([['w', Float32Array.from([0.5, 0.25])]]);
    const state = newAdamWState(params);
    const config = { ...DEFAULT_ADAMW, weightDecay: 0.1, clipNorm: Number.POSITIVE_INFINITY };
    adamwStep(state, params, grads, 0.01, config);
    // Bias-corrected first step: m_hat = g, v_hat = g^2, so the step is lr * g / (|g| + eps) = lr * sign(g).
    const expected = [1 * (1 - 0.01 * 0.1) - 0.01, -2 * (1 - 0.01 * 0.1) - 0.01];
    const w = params.get('w') as Float32Array;
    assert.ok(Math.abs((w[0] as number) - (expected[0] as number)) < 1e-6);
    assert.ok(Math.abs((w[1] as number) - (expected[1] as number)) < 1e-6);
    assert.equal(state.step, 1);
  });

  test('norm and bias parameters get no weight decay; a non-finite gradient skips the step', () => {
    const params = new Map([['model.norm.weight', Float32Array.from([1])]]);
    const state = newAdamWState(params);
    const norm = adamwStep(
      state,
      params,
      new Map([['model.norm.weight', Float32Array.from([Number.NaN])]]),
      0.1,
    );
    assert.ok(Number.isNaN(norm));
    assert.equal(state.step, 0);
    assert.equal((params.get('model.norm.weight') as Float32Array)[0], 1);
    adamwStep(state, params, new Map([['model.norm.weight', Float32Array.from([0])]]), 0.1, {
      ...DEFAULT_ADAMW,
      weightDecay: 1,
    });
    assert.equal(
      (params.get('model.norm.weight') as Float32Array)[0],
      1,
      'zero gradient and no decay leaves it unchanged',
    );
  });
});

describe('cosine schedule', () => {
  const s = { peak: 1e-3, warmupSteps: 10, totalSteps: 110, floorRatio: 0.1 };
  test('warms up linearly, peaks, and decays to the floor', () => {
    assert.ok(Math.abs(learningRate(s, 0) - 1e-4) < 1e-12);
    assert.ok(Math.abs(learningRate(s, 9) - 1e-3) < 1e-12);
    assert.ok(Math.abs(learningRate(s, 10) - 1e-3) < 1e-12);
    assert.ok(Math.abs(learningRate(s, 60) - 5.5e-4) < 1e-12);
    assert.ok(Math.abs(learningRate(s, 110) - 1e-4) < 1e-12);
    assert.ok(Math.abs(learningRate(s, 500) - 1e-4) < 1e-12);
  });
});

describe('training a random decoder', () => {
  const runtime = new Runtime({ threads: 2 });
  after(() => runtime.dispose());
  test('twenty AdamW steps on two sequences cut the loss by more than half', async () => {
    const model = randomModel(runtime, { std: 0.05 });
    const batch = padLeft(
      [
        [1, 5, 9, 13, 17, 21, 25, 2],
        [1, 6, 10, 14, 18, 2],
      ],
      0,
    );
    const targets = nextTokenTargets(model.dtype, batch);
    const names = [...model.weights.keys()];
    const params = new Map([...model.weights].map(([n, t]) => [n, t.data as Float32Array]));
    const state = newAdamWState(params);
    const first = (await lossGradients(model, batch, targets, names)).loss;
    let last = first;
    for (let i = 0; i < 20; i++) {
      const { loss, gradients } = await lossGradients(model, batch, targets, names);
      last = loss;
      const grads = new Map([...gradients].map(([n, t]) => [n, t.data as Float32Array]));
      adamwStep(state, params, grads, 1e-2);
    }
    assert.ok(last < first / 2, `loss went from ${first} to ${last}`);
  });
});
