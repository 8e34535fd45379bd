// The runtime sidecar's outputs and crashes with a loaded model, over real stdio through the extension's
// SidecarManager (heavy ring: several model loads and edits): savePatch/exportModel write only where told and
// refuse existing targets, a bad dataset line is an input error naming file and line, and kill -9 (twice) is
// followed by restarts that reload the model, leave every file untouched and tell the user once.
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  ManagerErrorCode,
  nodeLaunch,
  SidecarManager,
  SidecarRequestError,
} from '../../extension/sidecar/manager';
import {
  ApplyEditRequest,
  ExportModelRequest,
  ListPatchesRequest,
  LoadModelRequest,
  RuntimeErrorCode,
  SavePatchRequest,
  StatusRequest,
} from '../../server/protocol';
import { bundle, ensureBundle, makeWorkspace, model, sha } from '../sidecar/support';

let work: string;
let specFile: string;
let datasetFile: string;
let manager: SidecarManager;
const logs: string[] = [];
const notices: string[] = [];

before(async () => {
  ensureBundle();
  ({ work, specFile, datasetFile } = makeWorkspace());
  manager = new SidecarManager(
    () => nodeLaunch(bundle, work),
    { log: (l) => logs.push(l), notify: (m) => notices.push(m) },
    { initialMs: 50, maxMs: 400 },
  );
  await manager.request(LoadModelRequest, { folder: model, threads: 1 });
  await manager.request(ApplyEditRequest, { source: { kind: 'spec', file: specFile } });
});

after(async () => {
  await manager.stop();
  rmSync(work, { recursive: true, force: true });
});

test('savePatch and exportModel write only where told, and refuse an existing target without force', async () => {
  const { patches } = await manager.request(ListPatchesRequest, {});
  const id = patches[0]?.id as string;
  const file = join(work, 'person.edit.safetensors');
  const saved = await manager.request(SavePatchRequest, { id, path: file });
  assert.equal(saved.path, file);
  await assert.rejects(manager.request(SavePatchRequest, { id, path: file }), (e: unknown) => {
    assert.ok(e instanceof SidecarRequestError);
    assert.equal(e.code, RuntimeErrorCode.OutputRefused);
    return true;
  });
  const out = join(work, 'edited-model');
  const exported = await manager.request(ExportModelRequest, { out });
  assert.equal(exported.patches, 1);
  assert.ok(existsSync(join(out, 'config.json')) && existsSync(join(out, 'propmend-patches.json')));
  await assert.rejects(manager.request(ExportModelRequest, { out: join(model, 'x') }), (e: unknown) => {
    assert.ok(e instanceof SidecarRequestError);
    assert.equal(e.code, RuntimeErrorCode.OutputRefused);
    return true;
  });
  await assert.rejects(
    manager.request(ApplyEditRequest, { source: { kind: 'instance', file: datasetFile, line: 9 } }),
    (e: unknown) => {
      assert.ok(e instanceof SidecarRequestError);
      assert.equal(e.code, RuntimeErrorCode.InputError);
      assert.match(e.message, /validation\.ripple\.jsonl:9 holds no instance; the file has 2 \(lines 1, 2\)/);
      return true;
    },
  );
});

test('kill -9: the manager restarts the runtime with the model reloaded, files untouched, the user told once', async () => {
  const files = [
    specFile,
    datasetFile,
    join(work, 'person.edit.safetensors'),
    join(model, 'model.safetensors'),
  ];
  const hashes = files.map(sha);
  for (let round = 0; round < 2; round++) {
    const pid = manager.pid as number;
    assert.ok(pid > 0);
    const exited = new Promise<void>((done) => {
      const poll = setInterval(() => {
        if (manager.pid === undefined) {
          clearInterval(poll);
          done();
        }
      }, 10);
    });
    process.kill(pid, 'SIGKILL');
    await exited;
    assert.equal(manager.state.phase, 'crashed');
    const status = await manager.request(StatusRequest, {});
    assert.notEqual(status.pid, pid, 'a new process serves');
    assert.equal(status.model?.folder, model, 'the model chosen before the crash is loaded again');
    assert.equal(status.patches, 0);
  }
  assert.equal(notices.length, 1, `one message for two crashes: ${notices.join(' / ')}`);
  assert.match(
    notices[0] as string,
    /killed \(SIGKILL\)\. Your files are untouched; the 1 edit applied in this session was lost/,
  );
  assert.equal(logs.filter((l) => l.includes('was killed (SIGKILL)')).length, 2, 'each crash is logged');
  assert.deepEqual(files.map(sha), hashes, 'no file changed');
  // A request running when the process dies fails with Crashed, not a hang.
  const pending = manager.request(ApplyEditRequest, { source: { kind: 'spec', file: specFile } });
  setTimeout(() => manager.pid && process.kill(manager.pid, 'SIGKILL'), 20);
  await assert.rejects(pending, (e: unknown) => {
    assert.ok(e instanceof SidecarRequestError);
    assert.equal(e.code, ManagerErrorCode.Crashed);
    return true;
  });
});
