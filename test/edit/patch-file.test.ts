// Edit patch files: a bit-exact round trip, the factor-form edit (stacked patches through runForward) equal to
// the dense merged weights, stacking equal to merging one patch after the other, merging nothing returning the
// original weights untouched, and typed errors for corrupt or mismatched patches.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { EditFileError } from '../../server/runtime/edit/edit-file-common';
import {
  checkPatchCompatible,
  factorsFromFoldedEdit,
  loadPatch,
  mergePatches,
  PATCH_METADATA_KEY,
  patchToLowRankEdit,
  saveEditPatch,
} from '../../server/runtime/edit/patch-file';
import type { FloatDType, HostTensor } from '../../server/runtime/ir/dtype';
import { readHeader } from '../../server/runtime/load/reader';
import { writeSafetensors } from '../../server/runtime/load/writer';
import type { LanguageModel } from '../../server/runtime/models/language-model';
import { loadLanguageModel } from '../../server/runtime/models/load';
import { Runtime } from '../../server/runtime/session/runtime';
import { padLeft } from '../../server/runtime/tasks/batch';
import { runForward } from '../../server/runtime/tasks/forward';
import { writeFixture } from '../support/fixtures';
import { mlpTargets, randomFactors } from './patch-fixtures';

const tmp = mkdtempSync(join(tmpdir(), 'propmend-patch-'));
const HYPERNET = { path: '/hypernets/propmend/hypernet.safetensors', sha256: 'a'.repeat(64) };

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

describe('edit patches on a random llama fixture', () => {
  const runtime = new Runtime({ threads: 2 });
  after(async () => {
    await runtime.dispose();
    rmSync(tmp, { recursive: true, force: true });
  });
  writeFixture(join(tmp, 'llama'), 'llama-tiny');
  const model = loadLanguageModel(join(tmp, 'llama'), { runtime });
  const batch = padLeft(
    [
      [1, 5, 9, 3, 8, 2, 7],
      [1, 4, 6],
    ],
    model.tokens.pad,
  );
  const save = (name: string, layers: number[], seed: number) =>
    saveEditPatch(join(tmp, `${name}.edit.safetensors`), {
      fact: `fact ${name}`,
      subject: 'Marta Quill',
      method: 'propmend',
      hypernet: HYPERNET,
      model,
      factors: randomFactors(model, mlpTargets(layers), { seed, rank: 2 + seed }),
    });
  const first = loadPatch(save('first', [1], 1));
  const second = loadPatch(save('second', [0, 1], 2));
  const withWeights = (weights: ReadonlyMap<string, unknown>): LanguageModel => ({
    ...model,
    weights: weights as ReadonlyMap<string, HostTensor<FloatDType>>,
  });

  test('a patch loads back bit for bit with its header', () => {
    const factors = randomFactors(model, mlpTargets([1]), { seed: 1, rank: 3 });
    assert.equal(first.header.fact, 'fact first');
    assert.equal(first.header.subject, 'Marta Quill');
    assert.equal(first.header.method, 'propmend');
    assert.deepEqual(first.header.hypernet, HYPERNET);
    assert.deepEqual(
      first.header.targets.map((t) => t.param),
      mlpTargets([1]).map((t) => `${t}.weight`),
    );
    for (const [linear, f] of factors) {
      const back = first.factors.get(`${linear}.weight`)!;
      assert.deepEqual(back.u.data, f.u.data);
      assert.deepEqual(back.d.data, f.d.data);
      assert.equal(back.alpha, f.alpha);
    }
    assert.deepEqual(loadPatch(first.file), first, 'loading twice gives the same patch');
    checkPatchCompatible(first, model);
  });

  test('the factor-form edit equals the dense merged edit', async () => {
    const edit = patchToLowRankEdit([first]);
    const factor = await runForward(model, batch, { edit });
    const dense = await runForward(withWeights(mergePatches(model.weights, [first])), batch);
    const plain = await runForward(model, batch);
    assert.ok(maxAbsDiff(factor.logits.data, plain.logits.data) > 1e-2, 'the edit changes the logits');
    assert.ok(
      maxAbsDiff(factor.logits.data, dense.logits.data) < 1e-4,
      `factor vs dense ${maxAbsDiff(factor.logits.data, dense.logits.data)}`,
    );
  });

  test('stacked patches equal applying them one after the other', async () => {
    const stacked = patchToLowRankEdit([first, second]);
    assert.equal(stacked.get(mlpTargets([1])[0]!)!.u.shape[0], 3 + 4, 'ranks add up');
    assert.equal(stacked.get(mlpTargets([0])[0]!)!.u.shape[0], 7, 'padded with zero rows to one rank');
    const sequential = mergePatches(mergePatches(model.weights, [first]), [second]);
    const together = mergePatches(model.weights, [first, second]);
    for (const [name, w] of sequential) assert.ok(maxAbsDiff(w.data, together.get(name)!.data) < 1e-6, name);
    const factor = await runForward(model, batch, { edit: stacked });
    const dense = await runForward(withWeights(sequential), batch);
    assert.ok(maxAbsDiff(factor.logits.data, dense.logits.data) < 1e-4);
  });

  test('merging no patch returns the original weights, and merging never modifies its input', () => {
    const copy = new Map([...model.weights].map(([n, w]) => [n, Float32Array.from(w.data)]));
    const none = mergePatches(model.weights, []);
    for (const [name, w] of model.weights) assert.equal(none.get(name), w, name);
    mergePatches(model.weights, [first, second]);
    for (const [name, w] of model.weights) assert.deepEqual(w.data, copy.get(name), name);
    assert.equal(patchToLowRankEdit([]).size, 0);
  });

  test('a patch for another model or with corrupt contents gives a typed error naming the file and field', () => {
    const other = writeFixture(join(tmp, 'qwen'), 'qwen2-tiny');
    assert.throws(
      () => checkPatchCompatible(first, other),
      (e: unknown) =>
        e instanceof EditFileError &&
        e.file === first.file &&
        /patch was made for model_type llama, this model has qwen2/.test(e.message),
    );
    const copy = join(tmp, 'truncated.edit.safetensors');
    writeFileSync(copy, readFileSync(first.file));
    truncateSync(copy, readFileSync(copy).byteLength - 3);
    assert.throws(
      () => loadPatch(copy),
      (e: unknown) => e instanceof EditFileError && e.file === copy && /truncated/.test(e.message),
    );
    const header = JSON.parse(readHeader(first.file).metadata[PATCH_METADATA_KEY]!);
    const tensors = [...first.factors].flatMap(([p, f]) => [
      { name: `${p}.u`, ...f.u },
      { name: `${p}.d`, ...f.d },
    ]);
    const write = (name: string, h: unknown, ts = tensors) => {
      const file = join(tmp, `${name}.edit.safetensors`);
      writeSafetensors(file, ts, 'F32', { metadata: { [PATCH_METADATA_KEY]: JSON.stringify(h) } });
      return file;
    };
    const bad = [
      {
        file: write('alpha', {
          ...header,
          targets: header.targets.map((t: object) => ({ ...t, alpha: 'x' })),
        }),
        field: 'targets[0].alpha',
      },
      { file: write('missing', header, tensors.slice(1)), field: `${header.targets[0].param}.u` },
      {
        file: write('extra', header, [...tensors, { name: 'stray', shape: [1], data: new Float32Array(1) }]),
        field: 'targets',
      },
      { file: write('fact', { ...header, fact: 3 }), field: 'fact' },
      {
        file: write('identity', { ...header, base_model: { ...header.base_model, hidden_size: -1 } }),
        field: 'base_model.hidden_size',
      },
    ];
    for (const { file, field } of bad) {
      assert.throws(
        () => loadPatch(file),
        (e: unknown) =>
          e instanceof EditFileError && e.file === file && e.field === field && e.message.startsWith(file),
        field,
      );
    }
  });

  test('saving refuses a wrong name, an existing file without force, and factors that do not fit', () => {
    const factors = randomFactors(model, mlpTargets([1]), { seed: 9 });
    const base = { fact: 'f', method: 'propmend' as const, hypernet: HYPERNET, model, factors };
    assert.throws(() => saveEditPatch(join(tmp, 'x.safetensors'), base), /named \*\.edit\.safetensors/);
    assert.throws(
      () => saveEditPatch(first.file, base, { flag: '--save-patch' }),
      /^OutputError: --save-patch .*first\.edit\.safetensors already exists; choose another file or pass --force/,
    );
    saveEditPatch(join(tmp, 'forced.edit.safetensors'), base);
    saveEditPatch(join(tmp, 'forced.edit.safetensors'), base, { force: true });
    const [name, f] = [...factors][0]!;
    const wrong = new Map([
      [name, { ...f, u: { shape: [f.u.shape[0]!, 7], data: new Float32Array(f.u.shape[0]! * 7) } }],
    ]);
    assert.throws(
      () => saveEditPatch(join(tmp, 'wrong.edit.safetensors'), { ...base, factors: wrong }),
      /its factors give/,
    );
    const nan = f.u.data.slice();
    nan[4] = Number.NaN;
    assert.throws(
      () =>
        saveEditPatch(join(tmp, 'nan.edit.safetensors'), {
          ...base,
          factors: new Map([[name, { ...f, u: { shape: f.u.shape, data: nan } }]]),
        }),
      (e: unknown) =>
        e instanceof EditFileError &&
        e.field === `${name}.weight.u` &&
        /holds NaN at element 4/.test(e.message),
    );
  });
});

test('an edit with α folded into d is saved as D̃ and α that fold back to the same bits', () => {
  const u = { dtype: 'float32' as const, shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) };
  const tilde = Float32Array.from([0.1, -0.7, 1.3, 2.9, -1e-3, 1e-20, 5.5, 0.25]);
  const alpha = Math.fround(3.7e-4);
  const edit = new Map([
    [
      'a.mlp.up_proj',
      { u, d: { dtype: 'float32' as const, shape: [2, 4], data: tilde.map((v) => v * alpha) } },
    ],
    ['b.mlp.up_proj', { u, d: { dtype: 'float32' as const, shape: [2, 4], data: tilde.map((v) => v * 0) } }],
  ]);
  const factors = factorsFromFoldedEdit(
    edit,
    new Map([
      ['a.mlp.up_proj', 3.7e-4],
      ['b.mlp.up_proj', 0],
    ]),
  );
  assert.equal(factors.get('a.mlp.up_proj')!.alpha, alpha, 'α kept when the unfold is exact');
  assert.equal(factors.get('b.mlp.up_proj')!.alpha, 1, 'α = 0 cannot be unfolded: the folded d is kept');
  const patch = {
    header: {} as never,
    factors: new Map(
      [...factors].map(([n, f]) => [`${n}.weight`, { u: f.u as never, d: f.d as never, alpha: f.alpha }]),
    ),
  };
  const back = patchToLowRankEdit([patch]);
  for (const [name, { d }] of edit) assert.deepEqual(back.get(name)!.d.data, d.data, name);
});
