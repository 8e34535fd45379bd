// Tidy checks over the source tree: header comments, silenced tests, and the import boundaries
// that docs/architecture.md states as invariants. Reads files only; owns no product code.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';

const root = resolve(__dirname, '..');
const sourceDirs = ['extension', 'server', 'webviews', 'test', 'scripts', 'bench'];

function listSources(dir: string, out: string[] = []): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const entry of entries.sort()) {
    if (entry === 'node_modules' || entry === 'fixtures') continue;
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) listSources(path, out);
    else if (/\.(ts|mts|cts)$/.test(entry) && !entry.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const files = sourceDirs
  .flatMap((d) => listSources(join(root, d)))
  .map((path) => ({
    path,
    rel: relative(root, path).split(sep).join('/'),
    text: readFileSync(path, 'utf8'),
  }));

/** Module specifiers imported or required by a file (static imports, re-exports, require, dynamic import). */
function importsOf(text: string): string[] {
  const specs: string[] = [];
  const re =
    /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|require\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm;
  for (const m of text.matchAll(re)) specs.push((m[1] ?? m[2] ?? m[3] ?? m[4]) as string);
  return specs;
}

/** Resolves a relative specifier to a repo-relative path prefix (no extension handling needed for prefixes). */
function resolveRel(fromRel: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  const fromDir = fromRel.split('/').slice(0, -1).join('/');
  return relative(root, resolve(root, fromDir, spec))
    .split(sep)
    .join('/');
}

test('every source file opens with a header comment of at least two lines', () => {
  const missing = files.filter(({ text }) => {
    const lines = text.split('\n');
    let i = 0;
    if (lines[0]?.startsWith('#!')) i++;
    let comment = 0;
    while (lines[i]?.startsWith('//')) {
      comment++;
      i++;
    }
    return comment < 2;
  });
  assert.deepEqual(
    missing.map((f) => f.rel),
    [],
    'files without a header comment saying what they own and must not touch',
  );
});

test('no test is silenced with .only, .skip or todo', () => {
  const offenders = files
    .filter((f) => f.rel.startsWith('test/') && f.rel !== 'test/tidy.test.ts')
    .filter(({ text }) =>
      /\b(?:test|it|describe|suite)\.(?:only|skip|todo)\s*\(|\{\s*(?:skip|only|todo)\s*:/.test(text),
    );
  assert.deepEqual(
    offenders.map((f) => f.rel),
    [],
  );
});

test('only extension/ imports vscode or the language client', () => {
  const offenders = files.flatMap(({ rel, text }) =>
    importsOf(text)
      .filter((s) => s === 'vscode' || s.startsWith('vscode-languageclient'))
      .filter(() => !rel.startsWith('extension/') && !rel.startsWith('test/e2e/'))
      .map((s) => `${rel} imports ${s}`),
  );
  assert.deepEqual(offenders, []);
});

test('exactly one file imports onnxruntime-node: server/runtime/backend/ort.ts', () => {
  const importers = files
    .filter(({ text }) =>
      importsOf(text).some((s) => s === 'onnxruntime-node' || s.startsWith('onnxruntime-node/')),
    )
    .map((f) => f.rel);
  assert.ok(
    importers.every((f) => f === 'server/runtime/backend/ort.ts'),
    `unexpected importers: ${importers.join(', ')}`,
  );
});

test('layering: dataset imports only common; lsp, runtime and world do not import each other', () => {
  const everything = [
    'server/lsp/',
    'server/runtime/',
    'server/cli/',
    'server/world/',
    'server/jobs/',
    'server/sidecar/',
    'extension/',
  ];
  const rules: Array<{ from: string; forbidden: string[] }> = [
    { from: 'server/dataset/', forbidden: everything },
    {
      from: 'server/lsp/',
      forbidden: [
        'server/runtime/',
        'server/cli/',
        'server/world/',
        'server/jobs/',
        'server/sidecar/',
        'extension/',
      ],
    },
    {
      from: 'server/runtime/',
      forbidden: [
        'server/lsp/',
        'server/cli/',
        'server/world/',
        'server/jobs/',
        'server/sidecar/',
        'extension/',
      ],
    },
    {
      from: 'server/world/',
      forbidden: [
        'server/lsp/',
        'server/runtime/',
        'server/cli/',
        'server/jobs/',
        'server/sidecar/',
        'extension/',
      ],
    },
    { from: 'server/common/', forbidden: [...everything, 'server/dataset/', 'server/protocol/'] },
    // The sidecar protocol is the one module both processes import: it imports neither side.
    { from: 'server/protocol/', forbidden: [...everything, 'server/dataset/', 'server/common/'] },
    { from: 'server/jobs/', forbidden: ['server/cli/', 'server/sidecar/', 'extension/'] },
    {
      from: 'extension/',
      forbidden: ['server/lsp/', 'server/runtime/', 'server/cli/', 'server/jobs/', 'server/sidecar/'],
    },
    { from: 'webviews/', forbidden: ['server/', 'extension/'] },
  ];
  const offenders: string[] = [];
  for (const { rel, text } of files) {
    const rule = rules.find((r) => rel.startsWith(r.from));
    if (!rule) continue;
    for (const spec of importsOf(text)) {
      const target = resolveRel(rel, spec);
      const hit = rule.forbidden.find((f) => `${target}/`.startsWith(f) || target.startsWith(f));
      if (hit) offenders.push(`${rel} imports ${spec} (${hit} is off limits from ${rule.from})`);
    }
  }
  assert.deepEqual(offenders, []);
});

test('server/protocol imports only itself and vscode-jsonrpc (plain data and message types)', () => {
  const offenders = files
    .filter((f) => f.rel.startsWith('server/protocol/'))
    .flatMap(({ rel, text }) =>
      importsOf(text)
        .filter((s) => !(s.startsWith('./') || s === 'vscode-jsonrpc'))
        .map((s) => `${rel} imports ${s}`),
    );
  assert.deepEqual(offenders, []);
});

test('stdout belongs to the protocols: nothing in server/ outside the CLI prints to it', () => {
  // The language server and the runtime sidecar speak JSON-RPC on stdout; one stray line corrupts the stream.
  const offenders = files
    .filter((f) => f.rel.startsWith('server/') && !f.rel.startsWith('server/cli/'))
    .flatMap(({ rel, text }) =>
      text
        .split('\n')
        .map((line, i) => ({ line: line.trim(), n: i + 1 }))
        .filter(({ line }) => !line.startsWith('//'))
        // The global console only: `connection.console.log` is LSP's window/logMessage, not stdout.
        .filter(({ line }) => /(?<![\w.])console\.(?:log|info|debug)\(|process\.stdout\.write\(/.test(line))
        .filter(({ line }) => !/^console\.(?:log|info|debug) = /.test(line))
        .map(({ n }) => `${rel}:${n}`),
    );
  assert.deepEqual(offenders, []);
});

test('one dataset model: only server/dataset parses JSON with positions, JSON Lines or names the splits', () => {
  const outside = files.filter((f) => f.rel.startsWith('server/') && !f.rel.startsWith('server/dataset/'));
  const offenders: string[] = [];
  for (const { rel, text } of outside) {
    if (importsOf(text).some((s) => s.startsWith('jsonc-parser')))
      offenders.push(`${rel} imports jsonc-parser (JSON with positions is server/dataset/json.ts)`);
    // A JSON Lines reader: text split into lines and each line handed to JSON.parse.
    if (/\.split\(\s*['"]\\n['"]\s*\)[\s\S]{0,600}JSON\.parse\(/.test(text))
      offenders.push(
        `${rel} parses JSON Lines itself (use parseJsonl or readInstanceFile from server/dataset)`,
      );
    // A list of split names: two split names as adjacent array items.
    if (/['"](?:train|validation|test[\w-]*)['"],\s*['"]test-[\w-]+['"]/.test(text))
      offenders.push(
        `${rel} lists split names (use SPLITS, WORLD_SPLITS or TEST_SPLITS from server/dataset)`,
      );
    // A second instance or question type over the ripple format.
    if (
      /^export (?:interface|type) (?:Question|Instance|EvalQuestion)\b/m.test(text) &&
      !rel.startsWith('server/world/')
    )
      offenders.push(`${rel} declares its own Question/Instance type (server/dataset/instance.ts has it)`);
  }
  assert.deepEqual(offenders, []);
});

test('no spread into call arguments in server/ (f(...xs) overflows the stack on large arrays): use pushAll or maxOf', () => {
  const offenders: string[] = [];
  for (const { rel, text } of files) {
    if (!rel.startsWith('server/')) continue;
    const source = ts.createSourceFile(rel, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isSpreadElement(node) && (ts.isCallExpression(node.parent) || ts.isNewExpression(node.parent))) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        offenders.push(`${rel}:${line + 1}: ${node.getText(source)}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  assert.deepEqual(offenders, []);
});

/** Small modules with one job: a file past this many lines is split by feature. */
const MAX_LINES_PER_FILE = 800;

test(`no source file is longer than ${MAX_LINES_PER_FILE} lines (the 15 largest are reported)`, (t) => {
  const sized = files
    .map((f) => ({ rel: f.rel, lines: f.text.split('\n').length }))
    .sort((a, b) => b.lines - a.lines);
  for (const { rel, lines } of sized.slice(0, 15)) t.diagnostic(`${String(lines).padStart(5)}  ${rel}`);
  assert.deepEqual(
    sized.filter((f) => f.lines > MAX_LINES_PER_FILE).map((f) => `${f.rel} (${f.lines} lines)`),
    [],
  );
});
