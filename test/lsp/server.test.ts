// Speaks LSP to the real language server process (node dist/lsp.js --stdio) over JSON-RPC: initialize,
// didOpen → publishDiagnostics, completion, hover, definition, codeAction, documentSymbol, incremental
// didChange, and a re-check of a dataset when its KB changes. Waits for real notifications, never sleeps.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  type CodeAction,
  type CompletionItem,
  createProtocolConnection,
  type Diagnostic,
  type DocumentSymbol,
  type Hover,
  type Location,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver/node';

const ROOT = resolve(__dirname, '../..');
const SERVER = join(ROOT, 'dist/lsp.js');
/** Upper bound for one expected notification; a failure, never a pause. */
const NOTIFICATION_TIMEOUT_MS = 15_000;

const KB_TEXT = `{
  "types": { "person": {}, "city": {}, "country": {} },
  "relations": {
    "lives_in": { "domain": "person", "range": "city", "cardinality": "many-to-one", "statement": "{subject} lives in {object}." },
    "located_in": { "domain": "city", "range": "country", "cardinality": "many-to-one" }
  },
  "entities": {
    "Sarnow": { "type": "city", "facts": { "located_in": "Veloria" } },
    "Veloria": { "type": "country", "aliases": ["Republic of Veloria"] }
  }
}
`;
const BAD = `{"id":"x1","fact":"Zed Quill lives in Sarnow.","subject":"Zed Quill","subject_type":"person","triples":[{"subject":"Zed Quill","relation":"lives_inn","object":"Sarnow"}],"propagation":[{"question":"In which country does Zed Quill live?","answer":"Veloria","aliases":["Republic of Veloria"],"path":["lives_in","located_in"],"verbatim":false}]}`;
const SECOND = `{"id":"x2","fact":"Ann Bell lives in Sarnow.","subject":"Ann Bell","triples":[{"subject":"Ann Bell","relation":"lives_in","object":"Sarnow"}],"propagation":[]}`;

let ws = '';
let child: ChildProcess;
let conn: ProtocolConnection;
const published = new Map<string, PublishDiagnosticsParams[]>();
const waiters: Array<{
  uri: string;
  ok: (p: PublishDiagnosticsParams) => boolean;
  resolve: (p: PublishDiagnosticsParams) => void;
}> = [];

function uri(path: string): string {
  return pathToFileURL(path).toString();
}

/** Resolves with the next publishDiagnostics for `u` that satisfies `ok`. */
function nextDiagnostics(
  u: string,
  ok: (p: PublishDiagnosticsParams) => boolean,
): Promise<PublishDiagnosticsParams> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(
            `no matching publishDiagnostics for ${u} within ${NOTIFICATION_TIMEOUT_MS} ms; got ${JSON.stringify(published.get(u))}`,
          ),
        ),
      NOTIFICATION_TIMEOUT_MS,
    );
    waiters.push({
      uri: u,
      ok,
      resolve: (p) => {
        clearTimeout(timer);
        resolvePromise(p);
      },
    });
  });
}

const codes = (p: PublishDiagnosticsParams) => p.diagnostics.map((d) => d.code);

before(async () => {
  if (!existsSync(SERVER)) {
    const build = spawnSync(process.execPath, [join(ROOT, 'esbuild.js')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, `dist/lsp.js is missing and \`node esbuild.js\` failed:\n${build.stderr}`);
  }
  ws = mkdtempSync(join(tmpdir(), 'propmend-lsp-'));
  writeFileSync(join(ws, 'world.kb.json'), KB_TEXT);
  writeFileSync(join(ws, 'train.ripple.jsonl'), `${BAD}\n`);
  child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  conn = createProtocolConnection(
    new StreamMessageReader(child.stdout as NodeJS.ReadableStream),
    new StreamMessageWriter(child.stdin as NodeJS.WritableStream),
  );
  conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
    published.set(p.uri, [...(published.get(p.uri) ?? []), p]);
    for (const w of [...waiters]) {
      if (w.uri === p.uri && w.ok(p)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p);
      }
    }
  });
  conn.listen();
});

after(async () => {
  if (conn) {
    await conn.sendRequest('shutdown').catch(() => undefined);
    await conn.sendNotification('exit').catch(() => undefined);
    conn.dispose();
  }
  child?.kill();
  rmSync(ws, { recursive: true, force: true });
});

test('language server: diagnostics, completion, hover, definition, quick fix, symbols, incremental edits', async () => {
  const init = (await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: uri(ws),
    workspaceFolders: [{ uri: uri(ws), name: 'ws' }],
    capabilities: {},
    initializationOptions: { settings: {} },
  })) as { capabilities: Record<string, unknown> };
  assert.equal((init.capabilities.textDocumentSync as { change: number }).change, 2, 'incremental sync');
  for (const cap of [
    'completionProvider',
    'hoverProvider',
    'definitionProvider',
    'codeActionProvider',
    'documentSymbolProvider',
  ]) {
    assert.ok(init.capabilities[cap], cap);
  }
  await conn.sendNotification('initialized', {});

  const data = uri(join(ws, 'train.ripple.jsonl'));
  const text = `${BAD}\n${SECOND}\n`;
  const first = nextDiagnostics(data, (p) => p.diagnostics.length > 0);
  await conn.sendNotification('textDocument/didOpen', {
    textDocument: { uri: data, languageId: 'jsonl', version: 1, text },
  });
  const diags = await first;
  assert.deepEqual(codes(diags), ['propmend/unknown-relation']);
  const unknown = diags.diagnostics[0] as Diagnostic;
  const at = BAD.indexOf('"lives_inn"');
  assert.deepEqual(unknown.range, {
    start: { line: 0, character: at },
    end: { line: 0, character: at + 11 },
  });
  assert.match(unknown.message as string, /did you mean "lives_in"/);

  // Completion inside the relation string of line 2.
  const relAt = SECOND.indexOf('"lives_in"') + 1;
  const completion = (await conn.sendRequest('textDocument/completion', {
    textDocument: { uri: data },
    position: { line: 1, character: relAt },
  })) as CompletionItem[];
  assert.deepEqual(completion.map((c) => c.label).sort(), ['lives_in', 'located_in']);
  assert.equal(completion.find((c) => c.label === 'lives_in')?.detail, 'person → city (many-to-one)');

  // Hover on an entity shows its type, aliases and known facts.
  const hover = (await conn.sendRequest('textDocument/hover', {
    textDocument: { uri: data },
    position: { line: 1, character: SECOND.indexOf('"Sarnow"') + 2 },
  })) as Hover;
  const hoverText = (hover.contents as { value: string }).value;
  assert.match(hoverText, /\*\*entity\*\* `Sarnow`: city/);
  assert.match(hoverText, /located_in: Veloria/);

  // Definition of a relation jumps to its key in the KB file.
  const def = (await conn.sendRequest('textDocument/definition', {
    textDocument: { uri: data },
    position: { line: 1, character: relAt + 2 },
  })) as Location;
  assert.equal(def.uri, uri(join(ws, 'world.kb.json')));
  assert.deepEqual(def.range.start, { line: 3, character: 4 });

  // The did-you-mean quick fix replaces the misspelt relation.
  const actions = (await conn.sendRequest('textDocument/codeAction', {
    textDocument: { uri: data },
    range: unknown.range,
    context: { diagnostics: [unknown] },
  })) as CodeAction[];
  assert.equal(actions[0]?.title, 'Change to "lives_in"');
  assert.deepEqual(actions[0]?.edit?.changes?.[data], [{ range: unknown.range, newText: '"lives_in"' }]);

  const symbols = (await conn.sendRequest('textDocument/documentSymbol', {
    textDocument: { uri: data },
  })) as DocumentSymbol[];
  assert.deepEqual(
    symbols.map((s) => [s.name, s.detail, s.range.start.line]),
    [
      ['x1', 'Zed Quill', 0],
      ['x2', 'Ann Bell', 1],
    ],
  );

  // An incremental edit applying the fix clears the diagnostics.
  const clean = nextDiagnostics(data, (p) => p.version === 2);
  await conn.sendNotification('textDocument/didChange', {
    textDocument: { uri: data, version: 2 },
    contentChanges: [{ range: unknown.range, text: '"lives_in"' }],
  });
  assert.deepEqual(codes(await clean), []);

  // Renaming the relation in the (open, unsaved) KB re-checks the dataset.
  const kb = uri(join(ws, 'world.kb.json'));
  await conn.sendNotification('textDocument/didOpen', {
    textDocument: { uri: kb, languageId: 'json', version: 1, text: KB_TEXT },
  });
  const rechecked = nextDiagnostics(data, (p) => codes(p).includes('propmend/unknown-relation'));
  await conn.sendNotification('textDocument/didChange', {
    textDocument: { uri: kb, version: 2 },
    contentChanges: [{ text: KB_TEXT.replace('"lives_in"', '"resides_in"') }],
  });
  const after = await rechecked;
  assert.ok(
    after.diagnostics.every(
      (d) => d.code === 'propmend/unknown-relation' || d.code === 'propmend/path-start',
    ),
    JSON.stringify(after.diagnostics),
  );
  assert.ok(
    after.diagnostics.some((d) => (d.message as string).includes('known relations: resides_in')),
    JSON.stringify(after.diagnostics),
  );
});
