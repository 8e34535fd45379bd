// `propmend edit SPEC --save-patch P`: the saved patch carries the fact, the method, the hypernetwork's sha256
// and α per target, and applies the edit the edit job computed (bit for bit; within one unit in the last
// place when edit_lr_scale adds a second rounding); bad targets are refused before any work, and raw gradient steps are not saved.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { savePatchFromEdit } from '../../server/cli/commands/patch';
import { editJob } from '../../server/jobs/edit';
import { sha256File } from '../../server/runtime/edit/edit-file-common';
import { saveHypernet } from '../../server/runtime/edit/hypernet-checkpoint';
import { newHypernetwork } from '../../server/runtime/edit/hypernetwork';
import { loadPatch, patchToLowRankEdit } from '../../server/runtime/edit/patch-file';
import { loadLanguageModel } from '../../server/runtime/models/load';
import { Runtime } from '../../server/runtime/session/runtime';
import { runCliCaptured as cli } from '../support/cli';
import { writeFixture } from '../support/fixtures';
import { mlpTargets } from './patch-fixtures';

describe('propmend edit --save-patch on a random fixture', () => {
  const dir = mkdtempSync(join(tmpdir(), 'propmend-edit-patch-'));
  const runtime = new Runtime({ threads: 1 });
  after(async () => {
    await runtime.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  writeFixture(join(dir, 'model'), 'llama-tiny');
  const model = loadLanguageModel(join(dir, 'model'), { runtime });
  const net = newHypernetwork(
    model,
    { targets: mlpTargets([1]), rank: 8, shared: true, editLrInit: 1e-4 },
    { seed: 3, innerLoss: 'clm' },
  );
  // Statistics as if ten rows had been seen: mean 0, std 1.
  for (const s of net.stats.values()) {
    s.k = 10;
    s.uS.fill(9);
    s.dS.fill(9);
  }
  const hypernetFile = saveHypernet(join(dir, 'hypernet'), model, net, { method: 'propmend', training: {} });
  const spec = (hypernetwork: string | null, scale = 1) => {
    const file = join(dir, `spec-${hypernetwork === null ? 'raw' : scale}.edit.json`);
    writeFileSync(
      file,
      JSON.stringify({
        model: 'model',
        hypernetwork,
        layers: [1],
        edit_lr_scale: scale,
        fact: 'the cat sat on the mat',
        subject: 'the cat',
        propagation: [
          { question: 'where did the cat sit', answer: 'the mat', path: ['sat_on'], verbatim: true },
        ],
      }),
    );
    return file;
  };
  const ctx = { signal: new AbortController().signal, progress: () => {}, log: () => {} };

  test("the saved patch folds back to the edit job's factors: bit for bit, within an ulp with edit_lr_scale", async () => {
    for (const scale of [1, 3]) {
      const result = await editJob({ specFile: spec('hypernet', scale) }, runtime, ctx);
      const file = savePatchFromEdit(join(dir, `scale-${scale}.edit.safetensors`), result, false);
      const patch = loadPatch(file);
      assert.equal(patch.header.fact, 'the cat sat on the mat');
      assert.equal(patch.header.subject, 'the cat');
      assert.equal(patch.header.method, 'propmend');
      assert.deepEqual(patch.header.hypernet, { path: hypernetFile, sha256: sha256File(hypernetFile) });
      for (const t of patch.header.targets)
        assert.equal(t.alpha, Math.fround(Math.fround(1e-4) * scale), t.param);
      const back = patchToLowRankEdit([patch]);
      assert.deepEqual([...back.keys()], [...result.edit.keys()]);
      for (const [name, { u, d }] of result.edit) {
        assert.deepEqual(back.get(name)!.u.data, u.data, `${name} u`);
        const got = back.get(name)!.d.data;
        if (scale === 1) assert.deepEqual(got, d.data, `${name} d`);
        else {
          // α and then the scale were folded in two roundings: back within one unit in the last place.
          for (let i = 0; i < d.data.length; i++) {
            const want = d.data[i] as number;
            assert.ok(Math.abs((got[i] as number) - want) <= Math.abs(want) * 2 ** -23, `${name} d[${i}]`);
          }
        }
      }
    }
  });

  test('the CLI saves with --save-patch, refuses bad targets before work, and never saves a raw step', async () => {
    const out = join(dir, 'cli.edit.safetensors');
    let r = await cli(['edit', spec('hypernet'), '--save-patch', out, '--json', '--threads', '1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /saved the edit as .*cli\.edit\.safetensors/);
    assert.equal(JSON.parse(r.stdout).fact, 'the cat sat on the mat', 'stdout stays the JSON report');
    assert.equal(loadPatch(out).header.targets.length, 3);
    r = await cli(['edit', spec('hypernet'), '--save-patch', out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--save-patch .* already exists; choose another file or pass --force/);
    assert.doesNotMatch(r.stderr, /editing/, 'refused before the edit ran');
    r = await cli(['edit', spec('hypernet'), '--save-patch', join(dir, 'p.safetensors')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /patch files are named \*\.edit\.safetensors/);
    const raw = join(dir, 'raw.edit.safetensors');
    r = await cli(['edit', spec(null), '--save-patch', raw, '--threads', '1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--save-patch needs a hypernetwork edit/);
    assert.ok(!existsSync(raw));
  });
});
