// The sidecar's small parts without a process: restart backoff (doubling to a cap, reset when healthy), the
// request queue (arrival order, one at a time, a request cancelled while waiting never starts), the status
// bar words per state, the mapping of exceptions to protocol error codes, and `propmend serve`'s usage
// errors. Owns no product code.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from '../../extension/sidecar/backoff';
import { statusText } from '../../extension/sidecar/status-text';
import { OutputError } from '../../server/common/output';
import { JobCancelled, JobInputError } from '../../server/jobs/context';
import { type ModelInfo, RuntimeErrorCode } from '../../server/protocol';
import { EditFileError } from '../../server/runtime/edit/edit-file-common';
import { mapError, SidecarError } from '../../server/sidecar/errors';
import { RequestQueue } from '../../server/sidecar/queue';
import { runCliCaptured } from '../support/cli';

test('backoff doubles from the base to the cap and resets after a healthy request', () => {
  const b = new Backoff({ initialMs: 100, maxMs: 350 });
  assert.equal(b.delayMs(), 0);
  const delays: number[] = [];
  for (let i = 0; i < 4; i++) {
    b.crashed(1000);
    delays.push(b.delayMs());
  }
  assert.deepEqual(delays, [100, 200, 350, 350]);
  assert.equal(b.waitMs(1100), 250);
  assert.equal(b.waitMs(5000), 0);
  b.healthy();
  b.crashed(2000);
  assert.equal(b.delayMs(), 100);
});

test('the queue runs requests one at a time in arrival order and drops one cancelled while waiting', async () => {
  const q = new RequestQueue();
  const order: string[] = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const a = q.run('a', new AbortController().signal, async () => {
    order.push('a start');
    await gate;
    order.push('a end');
    return 1;
  });
  const cancelB = new AbortController();
  const b = q.run('b', cancelB.signal, async () => {
    order.push('b');
    return 2;
  });
  const c = q.run('c', new AbortController().signal, async () => {
    order.push('c');
    return 3;
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(q.busy?.method, 'a');
  assert.equal(q.queued, 2);
  cancelB.abort();
  release();
  assert.equal(await a, 1);
  await assert.rejects(b, /abort/i);
  assert.equal(await c, 3);
  assert.deepEqual(order, ['a start', 'a end', 'c']);
  assert.equal(q.busy, null);
  assert.equal(q.queued, 0);
});

test('exceptions map to protocol codes with the file and field to fix; bugs are Internal', () => {
  const input = mapError(new JobInputError('spec.json: "fact" is missing'), false);
  assert.equal(input.code, RuntimeErrorCode.InputError);
  assert.equal(input.internal, false);
  const file = mapError(new EditFileError('/p.edit.safetensors', 'targets', 'bad'), false);
  assert.deepEqual(
    [file.code, file.data],
    [RuntimeErrorCode.InputError, { file: '/p.edit.safetensors', field: 'targets' }],
  );
  assert.equal(mapError(new OutputError('exists; pass --force'), false).code, RuntimeErrorCode.OutputRefused);
  assert.equal(mapError(new JobCancelled('the edit was cancelled'), true).code, RuntimeErrorCode.Cancelled);
  assert.equal(
    mapError(new Error('abort'), true).code,
    RuntimeErrorCode.Cancelled,
    'anything after an abort',
  );
  const own = mapError(new SidecarError(RuntimeErrorCode.NoModel, 'no model is loaded'), false);
  assert.equal(own.code, RuntimeErrorCode.NoModel);
  const bug = mapError(new TypeError('x is undefined'), false);
  assert.deepEqual(
    [bug.code, bug.internal, bug.message],
    [RuntimeErrorCode.Internal, true, 'internal error: x is undefined'],
  );
});

test('the status bar names the model folder, the provider and busy/idle, and says why it is off', () => {
  const model = {
    folder: '/models/tiny-world',
    provider: 'cpu',
    model_type: 'llama',
    parameters: 1689024,
    threads: 2,
  } as ModelInfo;
  assert.equal(
    statusText({ phase: 'idle', model, running: null }).text,
    '$(circuit-board) PropMEND: tiny-world · cpu · idle',
  );
  assert.equal(
    statusText({ phase: 'busy', model, running: 'propmend/applyEdit' }).text,
    '$(loading~spin) PropMEND: tiny-world · cpu · busy',
  );
  assert.match(
    statusText({ phase: 'busy', model, running: 'propmend/applyEdit' }).tooltip,
    /Running propmend\/applyEdit/,
  );
  assert.equal(
    statusText({ phase: 'stopped', model: null, running: null }).text,
    '$(circuit-board) PropMEND: no model',
  );
  assert.match(statusText({ phase: 'disabled', model: null, running: null }).tooltip, /untrusted workspace/);
  assert.match(statusText({ phase: 'crashed', model, running: null }).text, /stopped/);
});

test('propmend serve wants --stdio and no arguments, with the usage on a mistake', async () => {
  const bare = await runCliCaptured(['serve']);
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /give --stdio \(the only transport\)/);
  assert.match(bare.stderr, /Usage: propmend serve --stdio/);
  const extra = await runCliCaptured(['serve', '--stdio', 'x']);
  assert.equal(extra.code, 2);
  assert.match(extra.stderr, /serve takes no arguments, got "x"/);
  const help = await runCliCaptured(['--help']);
  assert.match(help.stdout, /serve +run the runtime sidecar/);
});
