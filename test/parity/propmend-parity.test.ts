// Parity of one PropMEND edit with an independent PyTorch computation (test/parity/propmend_reference.py):
// on a random fixture checkpoint with a random, non-identity hypernetwork, the edit's low-rank factors
// (U~ and alpha * D~ per target) and the logits of the edited model agree within 1e-4.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Rng } from '../../server/common/random';
import { computeEdit } from '../../server/runtime/edit/edit';
import { EDIT_LRS } from '../../server/runtime/edit/hypernet';
import { newHypernetwork } from '../../server/runtime/edit/hypernetwork';
import { presetLayers, targetLinears } from '../../server/runtime/edit/layers';
import { readAllFloat } from '../../server/runtime/load/reader';
import { writeSafetensors } from '../../server/runtime/load/writer';
import { loadLanguageModel } from '../../server/runtime/models/load';
import { Runtime } from '../../server/runtime/session/runtime';
import { padLeft } from '../../server/runtime/tasks/batch';
import { runForward } from '../../server/runtime/tasks/forward';
import { writeFixture } from '../support/fixtures';
import { PYTHON, torchAvailable } from '../support/oracle';

const dir = mkdtempSync(join(tmpdir(), 'propmend-parity-'));
const runtime = new Runtime({ threads: 1 });
after(async () => {
  await runtime.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

test('a PropMEND edit with a random transform matches PyTorch (factors and edited logits within 1e-4)', (t) => {
  if (!torchAvailable(t)) return;
  return (async () => {
    const modelDir = join(dir, 'model');
    writeFixture(modelDir, 'llama-tiny-tied');
    const model = loadLanguageModel(modelDir, { runtime, dtype: 'float64' });
    const targets = targetLinears(presetLayers('max', model.config.numLayers));
    const net = newHypernetwork(
      model,
      { targets, rank: 6, shared: true, editLrInit: 1e-4 },
      { seed: 9, innerLoss: 'clm' },
    );
    const rng = new Rng(21);
    for (const [name, p] of net.params)
      for (let i = 0; i < p.length; i++)
        p[i] = name === EDIT_LRS ? 0.01 + 0.01 * rng.next() : (p[i] as number) + 0.1 * rng.normal();
    const hnetFile = join(dir, 'hnet.safetensors');
    writeSafetensors(
      hnetFile,
      net.layout.params.map(({ name, shape }) => ({
        name,
        shape,
        data: net.params.get(name) as Float32Array,
      })),
      'F32',
    );
    const ids = [1, 40, 41, 42, 43, 44, 45, 2];
    const evalIds = [1, 50, 51, 52, 53];
    const { edit } = await computeEdit(model, net, { rows: [ids], scoredFrom: [1] }, { updateStats: true });
    const outFile = join(dir, 'oracle.safetensors');
    const script = join(__dirname, 'propmend_reference.py');
    const r = spawnSync(
      PYTHON,
      [
        script,
        modelDir,
        '--ids',
        ids.join(','),
        '--eval-ids',
        evalIds.join(','),
        '--hypernet',
        hnetFile,
        '--targets',
        targets.join(','),
        '--out',
        outFile,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, `propmend_reference.py failed: ${r.stderr}`);
    const oracle = readAllFloat(outFile, 'float64').tensors;
    for (const name of targets) {
      const ours = edit.get(name)!;
      const du = maxAbsDiff(ours.u.data, oracle.get(`u.${name}`)!.data);
      const dd = maxAbsDiff(ours.d.data, oracle.get(`d.${name}`)!.data);
      assert.ok(du < 1e-4 && dd < 1e-4, `${name}: factors differ by ${du} (u) and ${dd} (alpha * d)`);
    }
    const { logits } = await runForward(model, padLeft([evalIds], model.tokens.pad), { edit });
    const base = await runForward(model, padLeft([evalIds], model.tokens.pad));
    const theirs = oracle.get('logits')!.data;
    assert.ok(
      maxAbsDiff(logits.data, theirs) < 1e-4,
      `edited logits differ by ${maxAbsDiff(logits.data, theirs)}`,
    );
    assert.ok(
      maxAbsDiff(base.logits.data, theirs) > 1e-3,
      'the edit must change the logits for the check to mean anything',
    );
  })();
});
