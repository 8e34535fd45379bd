// The language server process under hostile or heavy conditions, spoken to over stdio: with a tokenizer
// configured it checks token lengths without loading onnxruntime (the process' memory maps are read at exit),
// and malformed framing (a Content-Length shorter than its body) does not cost the requests that follow.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';

const root = resolve(__dirname, '..', '..');
const bundle = join(root, 'dist', 'lsp.js');
/** How long one reply may take before the test fails instead of hanging. */
const REPLY_TIMEOUT_MS = 20_000;
const work = mkdtempSync(join(tmpdir(), 'propmend-lsp-hostile-'));
after(() => rmSync(work, { recursive: true, force: true }));

function frame(message: object): string {
  const body = JSON.stringify({ jsonrpc: '2.0', ...message });
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** A server process and a reader of its framed messages. */
function startServer(preload?: string): {
  server: ChildProcess;
  next: (ok: (m: Record<string, unknown>) => boolean, what: string) => Promise<Record<string, unknown>>;
} {
  if (spawnSync(process.execPath, [join(root, 'esbuild.js')], { cwd: root, timeout: 180_000 }).status !== 0)
    throw new Error('node esbuild.js failed');
  const args = preload ? ['--require', preload, bundle, '--stdio'] : [bundle, '--stdio'];
  const server = spawn(process.execPath, args, { cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
  let buffer = Buffer.alloc(0);
  const messages: Array<Record<string, unknown>> = [];
  const waiters: Array<{
    ok: (m: Record<string, unknown>) => boolean;
    done: (m: Record<string, unknown>) => void;
  }> = [];
  server.stdout?.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n');
      if (end === -1) return;
      const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, end).toString())?.[1]);
      if (buffer.length < end + 4 + length) return;
      const message = JSON.parse(buffer.subarray(end + 4, end + 4 + length).toString()) as Record<
        string,
        unknown
      >;
      buffer = buffer.subarray(end + 4 + length);
      const w = waiters.findIndex((x) => x.ok(message));
      if (w === -1) messages.push(message);
      else waiters.splice(w, 1)[0]?.done(message);
    }
  });
  const next = (ok: (m: Record<string, unknown>) => boolean, what: string) => {
    const seen = messages.findIndex(ok);
    if (seen !== -1) return Promise.resolve(messages.splice(seen, 1)[0] as Record<string, unknown>);
    return new Promise<Record<string, unknown>>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`no ${what} within ${REPLY_TIMEOUT_MS} ms`)),
        REPLY_TIMEOUT_MS,
      );
      waiters.push({
        ok,
        done: (m) => {
          clearTimeout(timer);
          done(m);
        },
      });
    });
  };
  return { server, next };
}

function initialize(server: ChildProcess, settings: object): void {
  server.stdin?.write(
    frame({
      id: 1,
      method: 'initialize',
      params: {
        processId: process.pid,
        rootUri: pathToFileURL(work).toString(),
        capabilities: {},
        initializationOptions: { settings },
      },
    }),
  );
  server.stdin?.write(frame({ method: 'initialized', params: {} }));
}

test('checking with a tokenizer configured loads no onnxruntime into the language server', {
  timeout: 120_000,
}, async () => {
  const probe = join(work, 'probe.cjs');
  const maps = join(work, 'maps.txt');
  // At exit, the process writes which shared objects and modules it has loaded.
  writeFileSync(
    probe,
    `process.on('exit', () => { const fs = require('fs'); fs.writeFileSync(${JSON.stringify(maps)}, fs.readFileSync('/proc/self/maps', 'utf8') + Object.keys(require.cache).join('\\n')); });`,
  );
  const { server, next } = startServer(probe);
  initialize(server, { tokenizer: join(root, 'assets/models/tiny-world'), maxNewTokens: 1 });
  await next((m) => m.id === 1, 'initialize reply');
  const uri = pathToFileURL(join(work, 'x.ripple.jsonl')).toString();
  const line = JSON.stringify({
    id: 'a',
    fact: 'Ann Bell is a native of Pluethdrem.',
    subject: 'Ann Bell',
    triples: [{ subject: 'Ann Bell', relation: 'born_in', object: 'Pluethdrem' }],
    propagation: [{ question: 'Where was Ann Bell born?', answer: 'the city of Pluethdrem' }],
  });
  server.stdin?.write(
    frame({
      method: 'textDocument/didOpen',
      params: { textDocument: { uri, languageId: 'jsonl', version: 1, text: `${line}\n` } },
    }),
  );
  const published = await next(
    (m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { uri: string }).uri === uri,
    'diagnostics',
  );
  const codes = ((published.params as { diagnostics: Array<{ code: string }> }).diagnostics ?? []).map(
    (d) => d.code,
  );
  assert.ok(codes.includes('propmend/answer-too-long'), `the tokenizer was used: ${codes.join(', ')}`);
  server.stdin?.write(frame({ id: 2, method: 'shutdown' }));
  await next((m) => m.id === 2, 'shutdown reply');
  server.stdin?.write(frame({ method: 'exit' }));
  await new Promise((done) => server.on('exit', done));
  const loaded = readFileSync(maps, 'utf8');
  assert.ok(loaded.includes('lsp.js'), 'the probe saw the server');
  assert.ok(!/onnxruntime/i.test(loaded), 'onnxruntime is loaded in the language server process');
});

test('a Content-Length shorter than its body drops that message only: the next requests are answered', {
  timeout: 120_000,
}, async () => {
  const { server, next } = startServer();
  initialize(server, {});
  await next((m) => m.id === 1, 'initialize reply');
  const uri = pathToFileURL(join(work, 'y.ripple.jsonl')).toString();
  const request = (id: number) => ({
    id,
    method: 'textDocument/documentSymbol',
    params: { textDocument: { uri } },
  });
  const body = JSON.stringify({ jsonrpc: '2.0', ...request(2) });
  // Short by half, then garbage with no header at all, then a header with an absurd length.
  server.stdin?.write(`Content-Length: ${Math.floor(body.length / 2)}\r\n\r\n${body}`);
  server.stdin?.write('not a header at all\r\n\r\n');
  server.stdin?.write('Content-Length: 99999999999999\r\n\r\n{}');
  server.stdin?.write(frame(request(3)));
  server.stdin?.write(frame(request(4)));
  assert.deepEqual((await next((m) => m.id === 3, 'reply to request 3')).result, []);
  assert.deepEqual((await next((m) => m.id === 4, 'reply to request 4')).result, []);
  server.stdin?.write(frame({ id: 5, method: 'shutdown' }));
  await next((m) => m.id === 5, 'shutdown reply');
  server.stdin?.write(frame({ method: 'exit' }));
  await new Promise((done) => server.on('exit', done));
});
