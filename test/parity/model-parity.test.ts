// Whole-model parity of our engine (float32, onnxruntime) against the PyTorch oracle (float64) on the random
// Llama and Qwen2 fixtures: logits within 1e-4, the loss, and the gradient of every parameter within a
// relative error of 1e-3 (max abs difference over the oracle tensor's max abs value).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadLanguageModel } from '../../server/runtime/models/load';
import { Runtime } from '../../server/runtime/session/runtime';
import { nextTokenTargets, padLeft } from '../../server/runtime/tasks/batch';
import { runForward } from '../../server/runtime/tasks/forward';
import { lossGradients } from '../../server/runtime/tasks/objectives';
import { relativeError } from '../support/check-op';
import { FIXTURE_NAMES, writeFixture } from '../support/fixtures';
import { type OracleRun, runOracleMany, torchAvailable } from '../support/oracle';

const IDS = [1, 87, 143, 89, 195, 94, 196, 4, 143, 89, 12, 250];

describe('parity with the PyTorch oracle', () => {
  const root = mkdtempSync(join(tmpdir(), 'propmend-parity-'));
  const runtime = new Runtime({ threads: 2 });
  after(async () => {
    await runtime.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  // Every fixture's oracle output comes from one Python process, started by the first test that needs it.
  let oracles: Map<string, OracleRun> | undefined;
  const oracleFor = (name: string): OracleRun => {
    if (!oracles) {
      const jobs = FIXTURE_NAMES.map((n) => {
        writeFixture(join(root, n), n);
        return { dir: join(root, n), ids: IDS, outFile: join(root, `${n}.safetensors`) };
      });
      const runs = runOracleMany(jobs, join(root, 'jobs.json'));
      oracles = new Map(FIXTURE_NAMES.map((n, i) => [n, runs[i] as OracleRun]));
    }
    return oracles.get(name) as OracleRun;
  };

  for (const name of FIXTURE_NAMES) {
    test(`${name}: logits, loss and every parameter gradient`, async (t) => {
      if (!torchAvailable(t)) return;
      const dir = join(root, name);
      const oracle = oracleFor(name);
      const model = loadLanguageModel(dir, { runtime });

      const batch = padLeft([IDS], model.tokens.pad);
      const { logits } = await runForward(model, batch);
      const expectedLogits = oracle.out.get('logits')?.data as Float64Array;
      let maxDiff = 0;
      for (let i = 0; i < expectedLogits.length; i++) {
        maxDiff = Math.max(maxDiff, Math.abs((logits.data[i] as number) - (expectedLogits[i] as number)));
      }
      assert.ok(maxDiff < 1e-4, `logits differ by up to ${maxDiff.toExponential(2)}`);

      const names = [...model.weights.keys()];
      const { loss, gradients } = await lossGradients(
        model,
        batch,
        nextTokenTargets('float32', batch),
        names,
      );
      assert.ok(
        Math.abs(loss - oracle.loss) < 1e-5 * Math.max(1, Math.abs(oracle.loss)),
        `loss ${loss} vs ${oracle.loss}`,
      );
      const failures: string[] = [];
      let worst = 0;
      for (const param of names) {
        const expected = oracle.out.get(`grad.${param}`);
        assert.ok(expected, `oracle has no gradient for ${param}`);
        const err = relativeError(gradients.get(param)?.data as Float32Array, expected.data);
        worst = Math.max(worst, err);
        if (!(err < 1e-3)) failures.push(`${param}: ${err.toExponential(2)}`);
      }
      t.diagnostic(
        `${name}: max logit diff ${maxDiff.toExponential(2)}, worst gradient relative error ${worst.toExponential(2)} over ${names.length} parameters`,
      );
      assert.deepEqual(failures, []);
    });
  }
});
