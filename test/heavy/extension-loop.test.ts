// The editing loop's view models on a real sidecar's answers: spawns dist/sidecar.js, applies
// examples/new-person.edit.json with the shipped hypernetwork, and checks that every record of the edit finds
// its question in the spec, that the diff rows and inline texts say what the records say, and that a
// dataset instance's results land on its line. Heavy: two real edits.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { RuntimeClient } from '../../extension/runtime-client';
import { withModel } from '../../extension/runtime-client';
import { buildDiffReport } from '../../extension/views/diff-report';
import { editTarget } from '../../extension/views/edit-target';
import { inlineResults } from '../../extension/views/inline-results';
import { ApplyEditRequest, RevertAllRequest } from '../../server/protocol';

const root = resolve(__dirname, '..', '..');
const child = spawn(process.execPath, [join(root, 'dist', 'sidecar.js')], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const connection = createMessageConnection(
  new StreamMessageReader(child.stdout),
  new StreamMessageWriter(child.stdin),
);
connection.listen();
const client: RuntimeClient = {
  // By method name: the protocol's RequestType constants and vscode-jsonrpc/node's declarations are distinct types.
  request: <P, R>(type: { method: string }, params: P) =>
    connection.sendRequest(type.method, params) as Promise<R>,
};

after(() => {
  connection.dispose();
  child.kill();
});

test('an edit spec: every record finds its question, rows and inline texts agree with the records', async () => {
  const file = join(root, 'examples', 'new-person.edit.json');
  const text = readFileSync(file, 'utf8');
  const target = editTarget(file, text, 0);
  assert.ok(target.ok);
  const result = await client.request(ApplyEditRequest, { source: target.target.source });
  const report = buildDiffReport(result, {
    file,
    label: target.target.label,
    ...(target.target.instance ? { instance: target.target.instance } : {}),
  });
  assert.equal(report.rows.length, result.report.questions.length);
  const lines = text.split('\n');
  for (const [i, row] of report.rows.entries()) {
    const record = result.report.questions[i];
    assert.ok(row.location, `row ${row.id} has no place in the spec`);
    assert.ok(
      lines[row.location.line]?.includes(JSON.stringify(record?.question).slice(1, -1)),
      `${row.id} points at line ${row.location.line + 1}, not at its question`,
    );
  }
  const inline = inlineResults(report.rows, file, report.method);
  assert.deepEqual(
    inline.map((r) => r.text),
    result.report.questions.map((q) => (q.correct_after ? '✓' : `✗ ${q.after}`)),
  );
  await client.request(RevertAllRequest, {});
});

test('a dataset instance: its results land on the instance line', async () => {
  // The model the spec above loaded stays loaded, so withModel passes straight through here (its NoModel
  // path is covered with a fake client in test/extension/runtime-client.test.ts).
  const file = join(root, 'assets', 'world', 'splits', 'validation.ripple.jsonl');
  const text = readFileSync(file, 'utf8');
  const target = editTarget(file, text, 0);
  assert.ok(target.ok);
  const result = await withModel(
    client,
    () => ({ folder: join(root, 'assets', 'models', 'tiny-world') }),
    () => client.request(ApplyEditRequest, { source: target.target.source }),
  );
  const report = buildDiffReport(result, {
    file,
    label: target.target.label,
    ...(target.target.instance ? { instance: target.target.instance } : {}),
  });
  assert.ok(report.rows.length > 0);
  assert.ok(report.rows.every((r) => r.location?.line === 0));
  await client.request(RevertAllRequest, {});
});
