// The extension's SidecarManager against the real dist/sidecar.js without a model (fast): a disabled
// (untrusted) manager starts nothing, kill -9 is followed by a restart on the next request and one message,
// and the raw wire carries only Content-Length framed JSON-RPC on stdout with bad parameters naming their
// field. The full edit flow is runtime.test.ts; crashes with a loaded model are in test/heavy/.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import {
  ManagerErrorCode,
  nodeLaunch,
  SidecarManager,
  SidecarRequestError,
} from '../../extension/sidecar/manager';
import { RuntimeErrorCode, StatusRequest } from '../../server/protocol';
import { bundle, ensureBundle, makeWorkspace, model, sha } from './support';

let work: string;
let specFile: string;

before(() => {
  ensureBundle();
  ({ work, specFile } = makeWorkspace());
});

after(() => rmSync(work, { recursive: true, force: true }));

test('kill -9 without a model: restart on the next request, the user told once, files untouched', async () => {
  const logs: string[] = [];
  const notices: string[] = [];
  const manager = new SidecarManager(
    () => nodeLaunch(bundle, work),
    { log: (l) => logs.push(l), notify: (m) => notices.push(m) },
    { initialMs: 50, maxMs: 400 },
  );
  try {
    const before = sha(specFile);
    const first = await manager.request(StatusRequest, {});
    for (const round of [1, 2]) {
      const pid = manager.pid as number;
      process.kill(pid, 'SIGKILL');
      while (manager.pid !== undefined) await new Promise((r) => setTimeout(r, 10));
      assert.equal(manager.state.phase, 'crashed', `round ${round}`);
      const status = await manager.request(StatusRequest, {});
      assert.notEqual(status.pid, pid);
      assert.equal(status.model, null);
    }
    assert.notEqual(first.pid, manager.pid);
    assert.deepEqual(notices, [
      'The PropMEND runtime was killed (SIGKILL). Your files are untouched. Details in the "PropMEND Runtime" output.',
    ]);
    assert.equal(logs.filter((l) => l.includes('was killed (SIGKILL)')).length, 2);
    assert.equal(sha(specFile), before);
  } finally {
    await manager.stop();
  }
});

test('untrusted: a disabled manager refuses requests and starts no process', async () => {
  const off = new SidecarManager(() => nodeLaunch(bundle, work));
  await off.setEnabled(false);
  await assert.rejects(off.request(StatusRequest, {}), (e: unknown) => {
    assert.ok(e instanceof SidecarRequestError);
    assert.equal(e.code, ManagerErrorCode.Disabled);
    assert.match(e.message, /untrusted workspace/);
    return true;
  });
  assert.equal(off.pid, undefined);
  assert.equal(off.state.phase, 'disabled');
});

test('the wire: stdout is only Content-Length framed JSON-RPC; bad params name the field', async () => {
  const child = spawn(process.execPath, [bundle], { cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
  const frame = (msg: object) => {
    const body = JSON.stringify(msg);
    return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  };
  child.stdin.write(frame({ jsonrpc: '2.0', id: 1, method: 'propmend/status', params: {} }));
  child.stdin.write(
    frame({ jsonrpc: '2.0', id: 2, method: 'propmend/loadModel', params: { folder: model, threads: 0 } }),
  );
  let out = '';
  let err = '';
  // Close stdin (the client goes away) once both replies are in: the sidecar then exits 0.
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    if ((out.match(/Content-Length/g) ?? []).length >= 2 && out.includes('"id":2')) child.stdin.end();
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  const code = await new Promise<number | null>((done) => child.on('exit', done));
  assert.equal(code, 0, err);
  const replies: Array<{
    id: number;
    result?: { protocol_version: number };
    error?: { code: number; message: string; data: { field: string } };
  }> = [];
  let rest = out;
  while (rest.length) {
    const m = /^Content-Length: (\d+)\r\n\r\n/.exec(rest);
    assert.ok(m, `stdout holds something that is not a JSON-RPC frame: ${JSON.stringify(rest.slice(0, 80))}`);
    const start = m[0].length;
    const length = Number(m[1]);
    replies.push(JSON.parse(Buffer.from(rest.slice(start)).subarray(0, length).toString()));
    rest = Buffer.from(rest.slice(start)).subarray(length).toString();
  }
  assert.deepEqual(
    replies.map((r) => r.id),
    [1, 2],
  );
  assert.equal(replies[0]?.result?.protocol_version, 1);
  assert.equal(replies[1]?.error?.code, RuntimeErrorCode.InvalidParams);
  assert.equal(replies[1]?.error?.data.field, 'threads');
  assert.match(err, /serving on stdio/);
});
