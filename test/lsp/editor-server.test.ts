// The language server as VS Code's client sees it, for two things a new user met: a JSON syntax error in a
// `.json` file was reported twice (VS Code's JSON service and ours), and the "PropMEND datasets" output
// channel stayed empty. Spawns dist/lsp.js on a copy of examples/ and reads publishDiagnostics and
// window/logMessage notifications.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  type Diagnostic,
  type LogMessageParams,
  type MessageConnection,
  type PublishDiagnosticsParams,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver/node';

const root = resolve(__dirname, '..', '..');
const bundle = join(root, 'dist', 'lsp.js');
/** How long one notification may take before the test fails instead of hanging. */
const REPLY_TIMEOUT_MS = 20_000;

function uriOf(path: string): string {
  return pathToFileURL(path).toString();
}

/** Resolves with the first value `poll` returns, or rejects after REPLY_TIMEOUT_MS. */
function waitFor<T>(what: string, poll: () => T | undefined): Promise<T> {
  const started = Date.now();
  return new Promise((done, fail) => {
    const tick = () => {
      const v = poll();
      if (v !== undefined) done(v);
      else if (Date.now() - started > REPLY_TIMEOUT_MS)
        fail(new Error(`no ${what} within ${REPLY_TIMEOUT_MS} ms`));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

describe('language server: what VS Code shows', () => {
  const work = mkdtempSync(join(tmpdir(), 'propmend-lsp-view-'));
  let server: ChildProcess;
  let connection: MessageConnection;
  const published: PublishDiagnosticsParams[] = [];
  const logs: string[] = [];

  const latest = (path: string, ok: (d: Diagnostic[]) => boolean) =>
    waitFor(`diagnostics for ${path}`, () => {
      const p = published.filter((x) => x.uri === uriOf(path)).at(-1);
      return p && ok(p.diagnostics) ? p.diagnostics : undefined;
    });

  before(async () => {
    if (!existsSync(bundle)) {
      const built = spawnSync(process.execPath, [join(root, 'esbuild.js')], { cwd: root, encoding: 'utf8' });
      assert.equal(built.status, 0, built.stderr);
    }
    cpSync(join(root, 'examples'), work, { recursive: true });
    server = spawn(process.execPath, [bundle, '--stdio'], { cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
    connection = createMessageConnection(
      new StreamMessageReader(server.stdout as NodeJS.ReadableStream),
      new StreamMessageWriter(server.stdin as NodeJS.WritableStream),
    );
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      published.push(p);
    });
    connection.onNotification('window/logMessage', (p: LogMessageParams) => {
      logs.push(p.message);
    });
    connection.listen();
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uriOf(work),
      workspaceFolders: [{ uri: uriOf(work), name: 'examples' }],
      capabilities: {},
      initializationOptions: { settings: { maxNewTokens: 12 } },
    });
    await connection.sendNotification('initialized', {});
  });

  after(() => {
    connection?.dispose();
    if (server && server.exitCode === null) server.kill();
    rmSync(work, { recursive: true, force: true });
  });

  test('the output channel gets the start, the settings, the KB files found and each check time', async () => {
    const dataset = join(work, 'dataset', 'train.ripple.jsonl');
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: {
        uri: uriOf(dataset),
        languageId: 'jsonl',
        version: 1,
        text: readFileSync(dataset, 'utf8'),
      },
    });
    await latest(dataset, () => true);
    const text = await waitFor('log lines', () =>
      logs.some((l) => l.startsWith('KB for')) ? logs.join('\n') : undefined,
    );
    assert.match(text, /^PropMEND language server 0\.1\.0 started \(Node [\d.]+, pid \d+\); workspace \//m);
    assert.match(
      text,
      /^settings: kb nearest \*\.kb\.json, tokenizer off, maxNewTokens 12, context default$/m,
    );
    assert.match(text, new RegExp(`^KB for train\\.ripple\\.jsonl: ${join(work, 'world.kb.json')}$`, 'm'));
    assert.match(text, /^checked \S+train\.ripple\.jsonl \(ripple\) in \d+ ms: 0 errors, 0 warnings$/m);
  });

  test('a syntax error in a .json file is left to VS Code; in .jsonl it is ours', async () => {
    const kb = join(work, 'world.kb.json');
    const broken = readFileSync(kb, 'utf8').replace('"types": {', '"types": {,');
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: uriOf(kb), languageId: 'json', version: 1, text: broken },
    });
    await waitFor('the KB check', () =>
      logs.some((l) => /checked \S+world\.kb\.json/.test(l)) ? true : undefined,
    );
    const kbDiags = await latest(kb, () => true);
    assert.deepEqual(
      kbDiags.filter((d) => d.code === 'propmend/json-syntax'),
      [],
      'VS Code already reports JSON syntax errors in .json files',
    );
    const spec = join(work, 'marta-quill.edit.json');
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: uriOf(spec), languageId: 'json', version: 1, text: '{ "fact": "x", }' },
    });
    await waitFor('the spec check', () =>
      logs.some((l) => /checked \S+marta-quill\.edit\.json/.test(l)) ? true : undefined,
    );
    assert.ok(!(await latest(spec, () => true)).some((d) => d.code === 'propmend/json-syntax'));
    const split = join(work, 'dataset', 'validation.ripple.jsonl');
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: uriOf(split), languageId: 'jsonl', version: 1, text: '{"id": "broken",\n' },
    });
    const lines = await latest(split, (d) => d.length > 0);
    // (The KB open above is broken, so the split also gets a no-kb warning.)
    assert.ok(
      lines.some((d) => d.code === 'propmend/json-syntax'),
      lines.map((d) => d.code).join(', '),
    );
  });
});
