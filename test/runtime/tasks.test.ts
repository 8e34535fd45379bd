// Engine tasks on an in-memory random decoder: cached greedy decoding equals uncached argmax decoding,
// padding does not change results, captured u/delta reproduce the weight gradient, and low-rank edits
// equal the same edit merged into the weights; gated before/after rows of one batch equal their own runs.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { stackEdits } from '../../server/runtime/edit/edit-stack';
import { type FloatDType, type HostTensor, hostTensor } from '../../server/runtime/ir/dtype';
import type { LanguageModel } from '../../server/runtime/models/language-model';
import { mlpLinearName } from '../../server/runtime/models/transformer';
import { Runtime } from '../../server/runtime/session/runtime';
import { nextTokenTargets, padLeft } from '../../server/runtime/tasks/batch';
import { beforeAfterGates } from '../../server/runtime/tasks/edit-inputs';
import { type LowRankEdit, runForward } from '../../server/runtime/tasks/forward';
import { argmaxRow, generateGreedy } from '../../server/runtime/tasks/generate';
import { capture, gradientBuffers, lossGradients, scoreTokens } from '../../server/runtime/tasks/objectives';
import { relativeError } from '../support/check-op';
import { randomModel } from '../support/random-model';

async function uncachedGreedy(model: LanguageModel, prompt: number[], steps: number): Promise<number[]> {
  const seq = prompt.slice();
  const out: number[] = [];
  for (let i = 0; i < steps; i++) {
    const { logits } = await runForward(model, padLeft([seq], model.tokens.pad));
    const next = argmaxRow(logits, 0);
    if (model.tokens.eos.includes(next)) break;
    out.push(next);
    seq.push(next);
  }
  return out;
}

describe('decoder tasks on a random model', () => {
  const runtime = new Runtime({ threads: 2 });
  after(() => runtime.dispose());
  const model = randomModel(runtime, { dtype: 'float64' });

  test('greedy generation with a KV cache equals argmax decoding without one', async () => {
    const prompts = [
      [1, 5, 9, 3],
      [1, 7],
      [1, 11, 12, 13, 14, 15],
    ];
    const cached = await generateGreedy(model, prompts, { maxNewTokens: 8 });
    for (const [i, prompt] of prompts.entries()) {
      assert.deepEqual(cached[i]!.ids, await uncachedGreedy(model, prompt, 8), `prompt ${i}`);
    }
  });

  test("left padding does not change a sequence's logits", async () => {
    const alone = await runForward(model, padLeft([[1, 4, 6, 8]], 0));
    const padded = await runForward(
      model,
      padLeft(
        [
          [1, 4, 6, 8],
          [1, 2, 3, 4, 5, 6, 7],
        ],
        0,
      ),
    );
    const vocab = model.config.vocabSize;
    const aloneRow = Array.from(alone.logits.data).slice(0, 4 * vocab);
    const paddedRow = Array.from(padded.logits.data).slice(3 * vocab, 7 * vocab);
    assert.ok(relativeError(paddedRow, aloneRow) < 1e-12);
  });

  test('capture: sum over tokens of delta u^T equals the weight gradient', async () => {
    const batch = padLeft([[1, 3, 5, 7, 9, 2]], 0);
    const targets = nextTokenTargets(model.dtype, batch);
    const names = [mlpLinearName(0, 'gate_proj'), mlpLinearName(1, 'down_proj')];
    const cap = await capture(model, batch, targets, names);
    const { gradients, loss } = await lossGradients(
      model,
      batch,
      targets,
      names.map((n) => `${n}.weight`),
    );
    assert.ok(Math.abs(cap.loss - loss) < 1e-12);
    assert.deepEqual(cap.rows, [0, 1, 2, 3, 4], 'the last position predicts nothing, so its delta is zero');
    for (const name of names) {
      const { u, delta } = cap.layers.get(name) as { u: HostTensor; delta: HostTensor };
      const [rows, dIn] = u.shape as [number, number];
      const dOut = delta.shape[1] as number;
      const outer = new Float64Array(dOut * dIn);
      for (let t = 0; t < rows; t++) {
        for (let o = 0; o < dOut; o++) {
          for (let i = 0; i < dIn; i++) {
            outer[o * dIn + i] =
              (outer[o * dIn + i] as number) +
              (delta.data[t * dOut + o] as number) * (u.data[t * dIn + i] as number);
          }
        }
      }
      const g = gradients.get(`${name}.weight`)!.data as Float64Array;
      assert.ok(relativeError(outer, g) < 1e-10, `${name}: ${relativeError(outer, g)}`);
    }
  });

  test('gradients written into reused buffers equal fresh ones, step after step', async () => {
    const names = [...model.weights.keys()];
    const into = gradientBuffers(model, names);
    for (const rows of [
      [[1, 3, 5, 7]],
      [
        [2, 4, 6, 8, 10],
        [3, 5, 9],
      ],
    ]) {
      const batch = padLeft(rows, 0);
      const targets = nextTokenTargets(model.dtype, batch);
      const fresh = await lossGradients(model, batch, targets, names);
      const reused = await lossGradients(model, batch, targets, names, { into });
      assert.equal(reused.loss, fresh.loss);
      for (const n of names) {
        assert.equal(reused.gradients.get(n), into.get(n), `${n} is returned as its buffer`);
        assert.deepEqual(Array.from(into.get(n)!.data), Array.from(fresh.gradients.get(n)!.data), n);
      }
    }
    const batch = padLeft([[1, 2, 3]], 0);
    const first = names[0] as string;
    const wrong = new Map([[first, hostTensor(model.dtype, [1])]]);
    await assert.rejects(
      lossGradients(model, batch, nextTokenTargets(model.dtype, batch), names, { into: wrong }),
      /output "grad\..*" is \[[0-9, ]+\], its buffer \[1\]/,
    );
  });

  test('a low-rank edit equals the same update merged into the weights', async () => {
    const name = mlpLinearName(1, 'up_proj');
    const weight = model.weights.get(`${name}.weight`) as HostTensor<FloatDType>;
    const [dOut, dIn] = weight.shape as [number, number];
    const rank = 3;
    const u = Float64Array.from({ length: rank * dIn }, (_, i) => Math.sin(i + 1) * 0.5);
    const d = Float64Array.from({ length: rank * dOut }, (_, i) => Math.cos(i * 0.7) * 0.5);
    const edit: LowRankEdit = new Map([
      [
        name,
        {
          u: { dtype: 'float64', shape: [rank, dIn], data: u },
          d: { dtype: 'float64', shape: [rank, dOut], data: d },
        },
      ],
    ]);
    const merged = Float64Array.from(weight.data);
    for (let o = 0; o < dOut; o++) {
      for (let i = 0; i < dIn; i++) {
        for (let r = 0; r < rank; r++) {
          merged[o * dIn + i] =
            (merged[o * dIn + i] as number) + (d[r * dOut + o] as number) * (u[r * dIn + i] as number);
        }
      }
    }
    const mergedModel: LanguageModel = {
      ...model,
      weights: new Map([
        ...model.weights,
        [`${name}.weight`, { dtype: 'float64', shape: weight.shape, data: merged }],
      ]),
    };
    const batch = padLeft(
      [
        [1, 8, 6, 4],
        [1, 2],
      ],
      0,
    );
    const viaFactors = await runForward(model, batch, { edit });
    const viaMerge = await runForward(mergedModel, batch);
    const base = await runForward(model, batch);
    assert.ok(relativeError(viaFactors.logits.data, viaMerge.logits.data) < 1e-12);
    assert.ok(relativeError(base.logits.data, viaMerge.logits.data) > 1e-3, 'the edit changes the output');
    const targets = nextTokenTargets(model.dtype, batch);
    const scoredEdit = await scoreTokens(model, batch, targets, edit);
    const scoredMerge = await scoreTokens(mergedModel, batch, targets);
    assert.ok(relativeError(scoredEdit.logprob, scoredMerge.logprob) < 1e-12);
  });
});

describe('before/after rows of one batch (gated edit ranks)', () => {
  const runtime = new Runtime({ threads: 2 });
  after(() => runtime.dispose());
  const model = randomModel(runtime, { dtype: 'float32' });

  function factors(name: string, rank: number, seed: number): LowRankEdit {
    const weight = model.weights.get(`${name}.weight`) as HostTensor<FloatDType>;
    const [dOut, dIn] = weight.shape as [number, number];
    const wave = (n: number, f: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * f + seed));
    return new Map([
      [
        name,
        {
          u: { dtype: 'float32', shape: [rank, dIn], data: wave(rank * dIn, 0.37) },
          d: { dtype: 'float32', shape: [rank, dOut], data: wave(rank * dOut, 0.71) },
        },
      ],
    ]);
  }

  test('each row equals its own run: none or a base stack before, base + edit after', async () => {
    const up = mlpLinearName(1, 'up_proj');
    const down = mlpLinearName(0, 'down_proj');
    const base = factors(up, 2, 1);
    const edit = new Map([...factors(up, 3, 2), ...factors(down, 3, 3)]);
    const prompts = [
      [1, 8, 6, 4],
      [1, 2],
      [1, 9, 9, 5, 7],
    ];
    const n = prompts.length;
    for (const b of [undefined, base]) {
      const stacked = stackEdits(b ? [b, edit] : [edit]) as LowRankEdit;
      const gates = beforeAfterGates(stacked, b, n, n);
      const both = await generateGreedy(model, [...prompts, ...prompts], {
        maxNewTokens: 5,
        edit: stacked,
        gates,
      });
      const alone = [
        ...(await generateGreedy(model, prompts, { maxNewTokens: 5, ...(b ? { edit: b } : {}) })),
        ...(await generateGreedy(model, prompts, { maxNewTokens: 5, edit: stacked })),
      ];
      assert.deepEqual(both, alone);
      const batch = padLeft([...prompts, ...prompts], model.tokens.pad);
      const targets = nextTokenTargets(model.dtype, batch);
      const gated = await scoreTokens(model, batch, targets, stacked, gates);
      const half = padLeft(prompts, model.tokens.pad);
      const halfTargets = nextTokenTargets(model.dtype, half);
      const beforeAlone = await scoreTokens(model, half, halfTargets, b);
      const afterAlone = await scoreTokens(model, half, halfTargets, stacked);
      const cells = half.batch * half.length;
      assert.deepEqual(Array.from(gated.logprob.subarray(0, cells)), Array.from(beforeAlone.logprob));
      assert.deepEqual(Array.from(gated.logprob.subarray(cells)), Array.from(afterAlone.logprob));
      assert.notDeepEqual(
        Array.from(beforeAlone.logprob),
        Array.from(afterAlone.logprob),
        'the edit matters',
      );
    }
  });
});
