// The `propmend check` and `convert` commands in-process: compiler-style and --json output with
// 0-based LSP positions, exit codes (1 on errors, 2 on usage errors), and clear errors for bad input.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { runCliCaptured } from '../support/cli';
import { testTempDir } from './check-fixture';

const SAMPLE = resolve(__dirname, '../fixtures/rippleedits-sample');
let dir = '';

before(() => {
  dir = testTempDir('propmend-cli-');
});
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...argv: string[]) {
  return runCliCaptured(argv);
}

const BAD =
  '{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[{"question":"Where was Zed born?","answer":"Rome","path":["born_in"],"verbatim":false}]}\n';

test('check: compiler-style lines, exit 1 on errors', async () => {
  const file = join(dir, 'x.ripple.jsonl');
  writeFileSync(file, BAD);
  const r = await run('check', file);
  assert.equal(r.code, 1);
  const col = BAD.indexOf('false') + 1;
  assert.match(
    r.stdout,
    new RegExp(`x\\.ripple\\.jsonl:1:${col} error propmend/verbatim-label verbatim is false`),
  );
  assert.match(r.stdout, /:1:1 info propmend\/no-kb /);
  assert.match(r.stderr, /1 error, 0 warnings in 1 file/);
});

test('check --json: files with 0-based ranges and prefixed codes; exit 0 without errors', async () => {
  const file = join(dir, 'ok.ripple.jsonl');
  writeFileSync(file, BAD.replace('false', 'true'));
  const r = await run('check', '--json', file);
  assert.equal(r.code, 0);
  const out = JSON.parse(r.stdout) as {
    files: Array<{ path: string; diagnostics: Array<Record<string, unknown>> }>;
  };
  assert.equal(out.files.length, 1);
  assert.equal(out.files[0]?.path, file);
  assert.deepEqual(out.files[0]?.diagnostics, [
    {
      severity: 'information',
      code: 'propmend/no-kb',
      message: (out.files[0]?.diagnostics[0]?.message as string) ?? '',
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    },
  ]);
});

test('check: folders are walked; --kind overrides the file name; missing paths and unknown kinds are errors', async () => {
  const sample = await run('check', SAMPLE);
  assert.equal(sample.code, 0, sample.stdout);
  assert.match(sample.stderr, /0 errors, \d+ warnings in 3 files/);
  const renamed = join(dir, 'data.txt');
  writeFileSync(renamed, BAD);
  const unknown = await run('check', renamed);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stdout, /error propmend\/unknown-kind cannot tell the format .* pass --kind/);
  const forced = await run('check', '--kind', 'ripple', renamed);
  assert.match(forced.stdout, /propmend\/verbatim-label/);
  const missing = await run('check', join(dir, 'nope.ripple.jsonl'));
  assert.equal(missing.code, 1);
  assert.match(missing.stdout, /error propmend\/missing-file .*does not exist/);
});

test('check: usage errors exit 2 and name the fix', async () => {
  assert.equal((await run('check')).code, 2);
  const kind = await run('check', '--kind', 'csv', dir);
  assert.equal(kind.code, 2);
  assert.match(kind.stderr, /--kind must be one of ripple, kb, edit, rippleedits, got "csv"/);
  const kb = await run('check', '--kb', join(dir, 'none.kb.json'), dir);
  assert.equal(kb.code, 1);
  assert.match(kb.stderr, /--kb .*none\.kb\.json: file not found/);
  const tok = await run('check', '--tokenizer', join(dir, 'none'), dir);
  assert.equal(tok.code, 1);
  assert.match(tok.stderr, /--tokenizer .*does not exist/);
});

test('convert rippleedits: writes one instance per record; bad input is a clear error', async () => {
  const out = join(dir, 'conv/recent.ripple.jsonl');
  const r = await run('convert', 'rippleedits', join(SAMPLE, 'recent.json'), '-o', out, '--split', 'test');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /wrote 3 instances from 3 records/);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines.length, 3);
  assert.equal((JSON.parse(lines[0] as string) as { split: string }).split, 'test');
  const checked = await run('check', out);
  assert.equal(checked.code, 0, checked.stdout);

  const broken = join(dir, 'broken.json');
  writeFileSync(broken, '[{"edit": ');
  const bad = await run('convert', 'rippleedits', broken, '-o', join(dir, 'b.ripple.jsonl'));
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /broken\.json:1:\d+: invalid JSON/);
  assert.equal((await run('convert', 'csv', broken, '-o', out)).code, 2);
  assert.equal((await run('convert', 'rippleedits', broken)).code, 2);
});
