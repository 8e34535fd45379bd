// The runtime sidecar over real stdio, driven by the extension's SidecarManager as the editor drives it:
// dist/sidecar.js loads the shipped model lazily, a cancel mid-edit leaves the model unedited, an edit from a
// spec and one from a dataset line give the shipped hypernetwork's answers, and revert / revert all restore
// the base answers. Saving, exporting and kill -9 with a loaded model are in test/heavy/sidecar.test.ts.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { nodeLaunch, SidecarManager, SidecarRequestError } from '../../extension/sidecar/manager';
import {
  ApplyEditRequest,
  EvaluateRequest,
  ListPatchesRequest,
  LoadModelRequest,
  RevertAllRequest,
  RevertRequest,
  RuntimeErrorCode,
  StatusRequest,
} from '../../server/protocol';
import { bundle, ensureBundle, FACT, languageRow, makeWorkspace, model } from './support';

let work: string;
let specFile: string;
let datasetFile: string;
let manager: SidecarManager;

before(() => {
  ensureBundle();
  ({ work, specFile, datasetFile } = makeWorkspace());
  manager = new SidecarManager(() => nodeLaunch(bundle, work));
});

after(async () => {
  await manager.stop();
  rmSync(work, { recursive: true, force: true });
});

test('the runtime starts lazily, loads the shipped model and reports its identity', async () => {
  assert.equal(manager.state.phase, 'stopped', 'constructing the manager starts nothing');
  assert.equal(manager.pid, undefined);
  const info = await manager.request(LoadModelRequest, { folder: model, threads: 1 });
  assert.equal(info.model_type, 'llama');
  assert.equal(info.num_layers, 4);
  assert.equal(info.provider, 'cpu');
  assert.match(info.weights_sha256, /^[0-9a-f]{64}$/);
  assert.equal(manager.state.phase, 'idle');
  assert.equal(manager.state.model?.folder, model);
});

test('cancel mid-edit: the request ends Cancelled between graph runs and nothing is applied', async () => {
  const controller = new AbortController();
  const seen: string[] = [];
  const pending = manager.request(
    ApplyEditRequest,
    { source: { kind: 'spec', file: specFile } },
    {
      signal: controller.signal,
      onProgress: ({ message }) => {
        seen.push(message);
        if (message.includes('answering')) controller.abort();
      },
    },
  );
  await assert.rejects(pending, (e: unknown) => {
    assert.ok(e instanceof SidecarRequestError);
    assert.equal(e.code, RuntimeErrorCode.Cancelled, e.message);
    assert.match(e.message, /unedited/);
    return true;
  });
  assert.ok(
    seen.some((m) => m.includes('answering')),
    `progress reached the answering stage before the cancel: ${seen.join(' | ')}`,
  );
  const status = await manager.request(StatusRequest, {});
  assert.equal(status.patches, 0);
  assert.equal(status.busy, null);
});

test('edit from a spec: the shipped hypernetwork makes the fact propagate; the stack holds the patch', async () => {
  const result = await manager.request(ApplyEditRequest, { source: { kind: 'spec', file: specFile } });
  assert.equal(result.patch.id.startsWith('p'), true);
  assert.equal(result.patch.position, 1);
  assert.equal(result.report.fact, FACT);
  assert.equal(result.report.method, 'propmend');
  const row = languageRow(result);
  // The base model's answer: the cancelled edit before left it unedited.
  assert.equal(row.before, 'Shulealic');
  assert.equal(row.after, 'Vioic');
  assert.equal(row.correct_before, false);
  assert.equal(row.correct_after, true);
  assert.ok((row.logprob_after as number) > (row.logprob_before as number));
  for (const q of result.report.questions.filter((x) => x.kind === 'locality'))
    assert.equal(q.after, q.before);
  const list = await manager.request(ListPatchesRequest, {});
  assert.deepEqual(
    list.patches.map((p) => p.id),
    [result.patch.id],
  );
});

test('a second edit from a dataset line runs on the stack and revert / revert all restore the base answers', async () => {
  const second = await manager.request(ApplyEditRequest, {
    source: { kind: 'instance', file: datasetFile, line: 2 },
  });
  assert.equal(second.patch.position, 2);
  // "before" is the model under the first edit: it already knows the fact.
  assert.equal(languageRow(second).before, 'Vioic');
  const reverted = await manager.request(RevertRequest, {});
  assert.deepEqual(
    reverted.reverted.map((p) => p.id),
    [second.patch.id],
  );
  assert.equal(reverted.patches.length, 1);
  const all = await manager.request(RevertAllRequest, {});
  assert.equal(all.patches.length, 0);
  assert.equal(all.reverted.length, 1);
  const again = await manager.request(ApplyEditRequest, {
    source: { kind: 'instance', file: datasetFile, id: 'validation-7' },
  });
  assert.equal(
    languageRow(again).before,
    'Shulealic',
    'after revert all the model answers as the base model',
  );
  await assert.rejects(manager.request(RevertRequest, { id: 'p999' }), (e: unknown) => {
    assert.ok(e instanceof SidecarRequestError);
    assert.equal(e.code, RuntimeErrorCode.NoSuchPatch);
    assert.match(e.message, /no applied edit has id "p999"; applied: p\d+/);
    return true;
  });
});

test('evaluate scores a spec per method from the original weights, and a dataset file instance by instance', async () => {
  const before = await manager.request(ListPatchesRequest, {});
  const result = await manager.request(EvaluateRequest, {
    source: { kind: 'spec', file: specFile },
    methods: ['base', 'propmend'],
  });
  const [base, propmend] = result.results;
  assert.deepEqual(base?.n_questions, { verbatim: 3, nonverbatim: 6, locality: 2 });
  // The demo's numbers for this spec (README, "Quick start"): non-verbatim 0/6 -> 3/6, verbatim 0/3 -> 2/3.
  assert.deepEqual([base?.efficacy_verbatim, base?.efficacy_nonverbatim, base?.specificity], [0, 0, 1]);
  assert.deepEqual(
    [propmend?.method, propmend?.efficacy_verbatim, propmend?.efficacy_nonverbatim, propmend?.specificity],
    ['propmend', 2 / 3, 3 / 6, 1],
  );
  const dataset = await manager.request(EvaluateRequest, {
    source: { kind: 'dataset', file: datasetFile },
    methods: ['propmend'],
  });
  assert.equal(dataset.results[0]?.n_instances, 2);
  assert.deepEqual(
    await manager.request(ListPatchesRequest, {}),
    before,
    'evaluation leaves the stack alone',
  );
});
