// The extension's side of runtime requests without VS Code or a sidecar: a fake client records requests;
// a NoModel answer loads the chosen model once and retries, other errors pass through untouched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RequestType } from 'vscode-jsonrpc';
import { type RuntimeClient, withModel } from '../../extension/runtime-client';
import { ApplyEditRequest, LoadModelRequest, RuntimeErrorCode } from '../../server/protocol';

function fakeClient(loaded: { value: boolean }, log: string[]): RuntimeClient {
  return {
    async request<P, R>(type: RequestType<P, R, unknown>, params: P): Promise<R> {
      log.push(`${type.method} ${JSON.stringify(params)}`);
      if (type.method === LoadModelRequest.method) {
        loaded.value = true;
        return {} as R;
      }
      if (!loaded.value)
        throw Object.assign(new Error('no model is loaded'), { code: RuntimeErrorCode.NoModel });
      return { ok: true } as R;
    },
  };
}

test('NoModel loads the chosen model once and retries; a loaded model is not reloaded', async () => {
  const log: string[] = [];
  const loaded = { value: false };
  const client = fakeClient(loaded, log);
  const apply = () =>
    client.request(ApplyEditRequest, { source: { kind: 'instance', file: '/ws/d.ripple.jsonl', line: 2 } });
  const progress: string[] = [];
  const out = await withModel(client, () => ({ folder: '/m', provider: 'cpu' }), apply, {
    onProgress: (p) => progress.push(p.message),
  });
  assert.deepEqual(out, { ok: true });
  assert.deepEqual(
    log.map((l) => l.split(' ')[0]),
    ['propmend/applyEdit', 'propmend/loadModel', 'propmend/applyEdit'],
  );
  assert.equal(log[1], 'propmend/loadModel {"folder":"/m","provider":"cpu"}');
  assert.deepEqual(progress, ['loading /m']);
  await withModel(client, () => ({ folder: '/m' }), apply);
  assert.equal(log.length, 4);
});

test('other failures pass through without loading anything', async () => {
  const log: string[] = [];
  const client = fakeClient({ value: true }, log);
  const failure = Object.assign(new Error('bad spec'), { code: RuntimeErrorCode.InputError });
  await assert.rejects(
    withModel(
      client,
      () => ({ folder: '/m' }),
      () => Promise.reject(failure),
    ),
    failure,
  );
  assert.deepEqual(log, []);
});

test('only the long requests carry a progress token: the protocol refuses it on the others', async () => {
  const v = await import('../../server/protocol/validate');
  const { PROGRESS_METHODS } = await import('../../extension/runtime-client');
  const { REQUEST_METHODS } = await import('../../server/protocol');
  const minimal: Record<string, [(x: unknown) => { ok: boolean }, Record<string, unknown>]> = {
    'propmend/loadModel': [v.checkLoadModelParams, { folder: '/m' }],
    'propmend/applyEdit': [v.checkApplyEditParams, { source: { kind: 'spec', file: '/s.edit.json' } }],
    'propmend/revert': [v.checkRevertParams, {}],
    'propmend/revertAll': [v.checkNoParams, {}],
    'propmend/evaluate': [v.checkEvaluateParams, { source: { kind: 'dataset', file: '/d.ripple.jsonl' } }],
    'propmend/listPatches': [v.checkNoParams, {}],
    'propmend/savePatch': [v.checkSavePatchParams, { id: 'p1', path: '/p.edit.safetensors' }],
    'propmend/exportModel': [v.checkExportModelParams, { out: '/out' }],
    'propmend/status': [v.checkNoParams, {}],
  };
  assert.deepEqual(Object.keys(minimal).sort(), [...REQUEST_METHODS].sort());
  for (const [method, [check, params]] of Object.entries(minimal)) {
    assert.equal(check(params).ok, true, `${method} minimal params`);
    assert.equal(check({ ...params, progressToken: 'p1' }).ok, PROGRESS_METHODS.has(method), method);
  }
});

test('progressAware drops the progress callback (so the token) on requests that take none', async () => {
  const { progressAware } = await import('../../extension/runtime-client');
  const { RevertAllRequest } = await import('../../server/protocol');
  const seen: Array<[string, boolean, boolean]> = [];
  const inner: RuntimeClient = {
    async request<P, R>(
      type: RequestType<P, R, unknown>,
      _params: P,
      options?: { signal?: AbortSignal; onProgress?: unknown },
    ) {
      seen.push([type.method, options?.onProgress !== undefined, options?.signal !== undefined]);
      return {} as R;
    },
  };
  const client = progressAware(inner);
  const options = { signal: new AbortController().signal, onProgress: () => undefined };
  await client.request(RevertAllRequest, {}, options);
  await client.request(ApplyEditRequest, { source: { kind: 'spec', file: '/s.edit.json' } }, options);
  assert.deepEqual(seen, [
    ['propmend/revertAll', false, true],
    ['propmend/applyEdit', true, true],
  ]);
});
