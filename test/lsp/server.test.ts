// The language server end to end: spawns `node dist/lsp.js --stdio` on a copy of examples/ and speaks
// LSP to it (initialize, didOpen/didChange, publishDiagnostics, completion, hover, definition, codeAction,
// documentSymbol, shutdown), waiting for real notifications. Builds dist/ first when it is missing or stale.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  type CodeAction,
  type CompletionItem,
  type CompletionList,
  createMessageConnection,
  type Diagnostic,
  type DocumentSymbol,
  type Hover,
  type Location,
  type MessageConnection,
  type PublishDiagnosticsParams,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver/node';

const root = resolve(__dirname, '..', '..');
const bundle = join(root, 'dist', 'lsp.js');

/** How long one notification or request may take before the test fails instead of hanging. */
const REPLY_TIMEOUT_MS = 20_000;
/** Building every bundle takes seconds; more means esbuild hung (it does when one bundle fails). */
const BUILD_TIMEOUT_MS = 180_000;

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the bundles when dist/lsp.js is missing or older than the sources it is made from. */
function ensureBundle(): void {
  const sources = ['server/lsp', 'server/common', 'schemas'].map((d) => newestMtime(join(root, d)));
  if (existsSync(bundle) && statSync(bundle).mtimeMs >= Math.max(...sources)) return;
  const result = spawnSync(process.execPath, [join(root, 'esbuild.js')], {
    cwd: root,
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
  });
  assert.equal(
    result.status,
    0,
    `dist/lsp.js is missing or stale and \`node esbuild.js\` failed (status ${result.status}, signal ${result.signal}):\n${result.stderr}`,
  );
}

function uriOf(path: string): string {
  return pathToFileURL(path).toString();
}

/** Offset of the `n`-th occurrence of `needle` in `text` as an LSP position. */
function positionOf(text: string, needle: string, n = 0, shift = 1): { line: number; character: number } {
  let offset = -1;
  for (let i = 0; i <= n; i++) offset = text.indexOf(needle, offset + 1);
  assert.ok(offset >= 0, `fixture text lacks ${needle}`);
  const before = text.slice(0, offset + shift);
  const line = before.split('\n').length - 1;
  return { line, character: offset + shift - (before.lastIndexOf('\n') + 1) };
}

function messageText(d: Diagnostic): string {
  return typeof d.message === 'string' ? d.message : d.message.value;
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${REPLY_TIMEOUT_MS} ms`)), REPLY_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

describe('language server over stdio', () => {
  const work = mkdtempSync(join(tmpdir(), 'propmend-lsp-'));
  const dataset = join(work, 'dataset', 'train.ripple.jsonl');
  const kbPath = join(work, 'world.kb.json');
  let server: ChildProcess;
  let connection: MessageConnection;
  let stderr = '';
  const published: PublishDiagnosticsParams[] = [];
  const waiters: Array<{
    uri: string;
    ok: (p: PublishDiagnosticsParams) => boolean;
    done: (p: PublishDiagnosticsParams) => void;
  }> = [];

  /** The next publishDiagnostics for `uri` that satisfies `ok` (earlier ones are skipped). */
  function diagnostics(uri: string, ok: (d: Diagnostic[]) => boolean): Promise<Diagnostic[]> {
    const waiting = new Promise<PublishDiagnosticsParams>((done) => {
      waiters.push({ uri, ok: (p) => ok(p.diagnostics), done });
    });
    return withTimeout(waiting, `publishDiagnostics for ${uri}`).then((p) => p.diagnostics);
  }

  before(() => {
    ensureBundle();
    cpSync(join(root, 'examples'), work, { recursive: true });
    server = spawn(process.execPath, [bundle, '--stdio'], { cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
    server.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    connection = createMessageConnection(
      new StreamMessageReader(server.stdout as NodeJS.ReadableStream),
      new StreamMessageWriter(server.stdin as NodeJS.WritableStream),
    );
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      published.push(p);
      for (let i = waiters.length - 1; i >= 0; i--) {
        const w = waiters[i];
        if (w && w.uri === p.uri && w.ok(p)) {
          waiters.splice(i, 1);
          w.done(p);
        }
      }
    });
    connection.listen();
  });

  after(() => {
    connection?.dispose();
    if (server && server.exitCode === null) server.kill();
    rmSync(work, { recursive: true, force: true });
  });

  test('initialize announces the features', async () => {
    const result = (await withTimeout(
      connection.sendRequest('initialize', {
        processId: process.pid,
        rootUri: uriOf(work),
        workspaceFolders: [{ uri: uriOf(work), name: 'examples' }],
        capabilities: {},
        initializationOptions: { settings: {} },
      }),
      'initialize reply',
    )) as { capabilities: Record<string, unknown> };
    await connection.sendNotification('initialized', {});
    const caps = result.capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2 });
    for (const cap of [
      'completionProvider',
      'hoverProvider',
      'definitionProvider',
      'codeActionProvider',
      'documentSymbolProvider',
    ]) {
      assert.ok(caps[cap], `server lacks ${cap}`);
    }
  });

  const original = () => readFileSync(dataset, 'utf8');
  const typo = () =>
    original().replace('"path":["lives_in","located_in"]', '"path":["lives_in","locatd_in"]');

  test('didOpen publishes diagnostics with exact ranges; a broken line does not hide the others', async () => {
    const text = `${typo()}{"id": "broken",\n`;
    const published = diagnostics(uriOf(dataset), (d) => d.length > 0);
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: uriOf(dataset), languageId: 'jsonl', version: 1, text },
    });
    const diags = await published;
    const codes = diags.map((d) => d.code).sort();
    assert.deepEqual(codes, ['propmend/json-syntax', 'propmend/unknown-relation']);
    const unknown = diags.find((d) => d.code === 'propmend/unknown-relation') as Diagnostic;
    const start = positionOf(text, '"locatd_in"', 0, 0);
    assert.deepEqual(unknown.range, {
      start,
      end: { line: start.line, character: start.character + '"locatd_in"'.length },
    });
    assert.match(messageText(unknown), /did you mean "located_in"/);
    assert.equal(unknown.severity, 1);
    const syntax = diags.find((d) => d.code === 'propmend/json-syntax') as Diagnostic;
    assert.equal(syntax.range.start.line, 4, 'the syntax error is on the appended fifth line');
  });

  test('codeAction offers the did-you-mean fix as a workspace edit', async () => {
    const diags = published.filter((p) => p.uri === uriOf(dataset)).at(-1)?.diagnostics ?? [];
    const unknown = diags.find((d) => d.code === 'propmend/unknown-relation') as Diagnostic;
    const actions = (await withTimeout(
      connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri: uriOf(dataset) },
        range: unknown.range,
        context: { diagnostics: [unknown] },
      }),
      'codeAction reply',
    )) as CodeAction[];
    const fix = actions.find((a) => a.title === 'Change to "located_in"');
    assert.ok(fix, `no rename fix among ${actions.map((a) => a.title).join(', ')}`);
    assert.equal(fix.kind, 'quickfix');
    assert.deepEqual(fix.edit?.changes?.[uriOf(dataset)], [
      { range: unknown.range, newText: '"located_in"' },
    ]);
  });

  test('an incremental change re-checks the document', async () => {
    const text = typo();
    const start = positionOf(text, '"locatd_in"', 0, 0);
    const clean = diagnostics(uriOf(dataset), (d) => d.length === 0);
    // Drop the broken fifth line and fix the typo, as two incremental edits.
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: uriOf(dataset), version: 2 },
      contentChanges: [
        { range: { start: { line: 4, character: 0 }, end: { line: 5, character: 0 } }, text: '' },
        {
          range: { start, end: { line: start.line, character: start.character + '"locatd_in"'.length } },
          text: '"located_in"',
        },
      ],
    });
    assert.deepEqual(await clean, []);
  });

  test("completion offers the KB relations of the hop's domain inside a path", async () => {
    const text = original();
    const position = positionOf(text, '"located_in"', 0, 1);
    const reply = (await withTimeout(
      connection.sendRequest('textDocument/completion', { textDocument: { uri: uriOf(dataset) }, position }),
      'completion reply',
    )) as CompletionItem[] | CompletionList;
    const items = Array.isArray(reply) ? reply : reply.items;
    const labels = items.map((i) => i.label);
    // The second hop starts at a city (lives_in's range): city relations only, not country ones.
    assert.ok(labels.includes('located_in') && !labels.includes('official_language'), labels.join(', '));
    assert.ok(!labels.includes('Sarnow'), 'a path slot offers relations, not entities');
    const located = items.find((i) => i.label === 'located_in');
    assert.equal(located?.detail, 'city → country (many-to-one)');
  });

  test('hover on an entity shows its type and known facts', async () => {
    const position = positionOf(original(), '"Sarnow"', 0, 2);
    const hover = (await withTimeout(
      connection.sendRequest('textDocument/hover', { textDocument: { uri: uriOf(dataset) }, position }),
      'hover reply',
    )) as Hover;
    const value = (hover.contents as { value: string }).value;
    assert.match(value, /\*\*entity\*\* `Sarnow`: city/);
    assert.match(value, /located_in: Veloria/);
  });

  test('definition jumps from a relation to its declaration in the KB file', async () => {
    const position = positionOf(original(), '"located_in"', 0, 3);
    const location = (await withTimeout(
      connection.sendRequest('textDocument/definition', { textDocument: { uri: uriOf(dataset) }, position }),
      'definition reply',
    )) as Location;
    assert.equal(location.uri, uriOf(kbPath));
    const start = positionOf(readFileSync(kbPath, 'utf8'), '"located_in": {', 0, 0);
    assert.deepEqual(location.range, {
      start,
      end: { line: start.line, character: start.character + '"located_in"'.length },
    });
  });

  test('documentSymbol lists one symbol per instance', async () => {
    const symbols = (await withTimeout(
      connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri: uriOf(dataset) } }),
      'documentSymbol reply',
    )) as DocumentSymbol[];
    assert.deepEqual(
      symbols.map((s) => [s.name, s.detail, s.range.start.line]),
      [
        ['train-1', 'Mira Castell', 0],
        ['train-2', 'Jonah Pell', 1],
        ['train-3', 'Ada Ferrum', 2],
        ['train-4', 'Felix Orrin', 3],
      ],
    );
  });

  test('editing the KB re-checks the open dataset that uses it', async () => {
    const kbText = readFileSync(kbPath, 'utf8');
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri: uriOf(kbPath), languageId: 'json', version: 1, text: kbText },
    });
    const broken = diagnostics(uriOf(dataset), (d) => d.some((x) => x.code === 'propmend/unknown-relation'));
    const renamed = kbText.replace('"official_language": {', '"official_tongue": {');
    assert.notEqual(renamed, kbText);
    await connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: uriOf(kbPath), version: 2 },
      contentChanges: [{ text: renamed }],
    });
    const diags = await broken;
    assert.ok(
      diags.some((d) => d.code === 'propmend/unknown-relation' && /"official_language"/.test(messageText(d))),
      diags.map(messageText).join('\n'),
    );
  });

  test('shutdown and exit end the process', async () => {
    const exited = new Promise<number | null>((done) => server.on('exit', (code) => done(code)));
    await withTimeout(connection.sendRequest('shutdown'), 'shutdown reply');
    await connection.sendNotification('exit');
    assert.equal(await withTimeout(exited, 'server exit'), 0, stderr);
  });
});
