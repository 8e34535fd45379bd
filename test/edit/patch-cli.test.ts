// `propmend patch apply|revert|list` and `propmend export` on a random fixture: the stacked model scores like
// the exported merged folder, reverting restores the unedited outputs bit for bit and the model folder is
// never touched, and incompatible, changed or misplaced files are refused with the reason.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { saveEditPatch } from '../../server/runtime/edit/patch-file';
import { loadCheckpoint } from '../../server/runtime/models/checkpoint';
import { runCliCaptured as cli } from '../support/cli';
import { writeFixture } from '../support/fixtures';
import { mlpTargets, randomFactors } from './patch-fixtures';

const HYPERNET = { path: '/hypernets/propmend/hypernet.safetensors', sha256: 'b'.repeat(64) };

function folderHash(dir: string): string {
  const hash = createHash('sha256');
  for (const f of readdirSync(dir).sort()) hash.update(f).update(readFileSync(join(dir, f)));
  return hash.digest('hex');
}

describe('patch stack and export commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'propmend-patch-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const modelDir = join(dir, 'llama');
  const fixture = writeFixture(modelDir, 'llama-tiny');
  const loaded = loadCheckpoint(modelDir);
  const modelHash = folderHash(modelDir);
  const patch = (name: string, layers: number[], seed: number, model = loaded) =>
    saveEditPatch(join(dir, `${name}.edit.safetensors`), {
      fact: `fact ${name}`,
      method: 'propmend',
      hypernet: HYPERNET,
      model,
      factors: randomFactors(model, mlpTargets(layers), { seed, rank: 2, std: 0.5, alpha: 0.05 }),
    });
  const p1 = patch('one', [1], 1);
  const p2 = patch('two', [0], 2);
  const stack = join(dir, 'work', 'patches.json');
  const scoreArgs = ['--prompt', 'the cat sat', '--answer', 'on the mat', '--json', '--threads', '1'];
  const score = async (...extra: string[]) => {
    const r = await cli(['score', modelDir, ...scoreArgs, ...extra]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { scores: Array<{ logprob: number }> }).scores[0]!.logprob;
  };

  test('apply, score with the stack, export, revert: the stack edits outputs and revert restores them exactly', async () => {
    const base = await score();
    let r = await cli(['patch', 'apply', modelDir, p1, '--stack', stack]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /applied .*one\.edit\.safetensors: "fact one"/);
    const one = await score('--stack', stack);
    assert.notEqual(one, base, 'the patch changes the score');
    assert.equal(await score('--patch', p1), one, '--patch and --stack give the same edit');
    r = await cli(['patch', 'apply', modelDir, p2, '--stack', stack]);
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['patch', 'list', '--stack', stack, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const listed = JSON.parse(r.stdout) as {
      model: string;
      patches: Array<{ path: string; status: string }>;
    };
    assert.equal(listed.model, modelDir);
    assert.deepEqual(
      listed.patches.map((p) => [p.path, p.status]),
      [
        [p1, 'ok'],
        [p2, 'ok'],
      ],
    );
    const both = await score('--stack', stack);
    const gen = await cli([
      'generate',
      modelDir,
      '--prompt',
      'the cat',
      '--max-new-tokens',
      '3',
      '--stack',
      stack,
      '--json',
    ]);
    assert.equal(gen.code, 0, gen.stderr);
    assert.match(gen.stderr, /editing with 2 patches: "fact one", "fact two"/);
    assert.equal((JSON.parse(gen.stdout) as { generations: unknown[] }).generations.length, 1);

    const out = join(dir, 'merged');
    r = await cli(['export', modelDir, '--stack', stack, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const merged = await cli(['score', out, ...scoreArgs]);
    assert.equal(merged.code, 0, merged.stderr);
    const mergedScore = (JSON.parse(merged.stdout) as { scores: Array<{ logprob: number }> }).scores[0]!
      .logprob;
    assert.ok(Math.abs(mergedScore - both) < 1e-4, `merged ${mergedScore} vs stacked ${both}`);
    const note = JSON.parse(readFileSync(join(out, 'propmend-patches.json'), 'utf8'));
    assert.deepEqual(
      note.patches.map((p: { path: string }) => p.path),
      [p1, p2],
    );
    const exported = loadCheckpoint(out);
    const untouched = 'model.layers.0.self_attn.q_proj.weight';
    assert.deepEqual(exported.weights.get(untouched)!.data, fixture.weights.get(untouched)!.data);

    r = await cli(['patch', 'revert', '--stack', stack]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /reverted .*two\.edit\.safetensors/);
    assert.equal(
      await score('--stack', stack),
      one,
      'reverting the second patch restores the first edit exactly',
    );
    r = await cli(['patch', 'revert', p1, '--stack', stack]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      await score('--stack', stack),
      base,
      'reverting every patch restores the unedited outputs bit for bit',
    );
    r = await cli(['patch', 'revert', '--stack', stack]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /nothing to revert/);
    assert.equal(folderHash(modelDir), modelHash, 'the model folder is never modified');
  });

  test('export refuses an existing --out without --force and any --out overlapping the model', async () => {
    const out = join(dir, 'exists');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'mine');
    let r = await cli(['export', modelDir, '--patch', p1, '--out', out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--out .*exists already exists; choose another folder or pass --force/);
    assert.equal(readFileSync(join(out, 'keep.txt'), 'utf8'), 'mine');
    r = await cli(['export', modelDir, '--patch', p1, '--out', join(modelDir, 'merged'), '--force']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /overlaps the model folder/);
    r = await cli(['export', modelDir, '--patch', p1, '--out', dir, '--force']);
    assert.equal(r.code, 1, 'a parent of the model is refused too');
    r = await cli(['export', modelDir, '--patch', p1, '--out', out, '--force']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(out, 'config.json')) && !existsSync(join(out, 'keep.txt')));
    r = await cli(['export', modelDir, '--out', join(dir, 'none')]);
    assert.equal(r.code, 2);
    assert.equal(folderHash(modelDir), modelHash);
  });

  test('incompatible, changed and misplaced files are refused with the reason', async () => {
    const qwen = writeFixture(join(dir, 'qwen'), 'qwen2-tiny');
    const foreign = patch('foreign', [1], 3, loadCheckpoint(qwen.dir));
    const own = join(dir, 'own', 'patches.json');
    let r = await cli(['patch', 'apply', modelDir, foreign, '--stack', own]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /patch was made for model_type qwen2, this model has llama/);
    assert.match(r.stderr, /nothing was applied/);
    assert.ok(!existsSync(own), 'a refused apply writes no stack');
    r = await cli(['score', modelDir, ...scoreArgs, '--patch', foreign]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /does not fit this model: patch was made for model_type qwen2/);
    r = await cli(['patch', 'apply', modelDir, p1, '--stack', join(modelDir, 'patches.json')]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /inside the model folder/);

    const changing = patch('changing', [1], 4);
    r = await cli(['patch', 'apply', modelDir, changing, '--stack', own]);
    assert.equal(r.code, 0, r.stderr);
    r = await cli(['patch', 'apply', modelDir, changing, '--stack', own]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already on the stack/);
    saveEditPatch(
      changing,
      {
        fact: 'other',
        method: 'mend',
        hypernet: HYPERNET,
        model: loaded,
        factors: randomFactors(loaded, mlpTargets([1]), { seed: 5 }),
      },
      { force: true },
    );
    r = await cli(['patch', 'list', '--stack', own]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /1\. problem .*changed since it was applied/s);
    r = await cli(['score', modelDir, ...scoreArgs, '--stack', own]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /changed since it was applied/);
    writeFileSync(own, '{"format_version": 1, "patches": 3}');
    r = await cli(['patch', 'list', '--stack', own]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /patch stack field "patches" must be a list/);
    r = await cli(['patch', 'frobnicate']);
    assert.equal(r.code, 2);
  });
});
