// Malformed input of every kind yields diagnostics, never an exception or a hang: truncated JSON, wrong
// types, binary garbage, a 5 MB dataset and a single 5 MB line (the 50 MB dataset is in the heavy ring,
// test/heavy/checker-sizes.test.ts). Big inputs are generated into a temp folder.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { Rng } from '../../server/common/random';
import { checkPaths } from '../../server/lsp/check/check-paths';
import { type FileReport, MAX_DIAGNOSTICS_PER_FILE } from '../../server/lsp/check/types';
import { assertWellFormed, testTempDir } from './check-fixture';

const EXAMPLES = resolve(__dirname, '../../examples');
let dir = '';

before(() => {
  dir = testTempDir('propmend-malformed-');
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function checkOne(name: string, text: string | Buffer): Promise<FileReport> {
  // Each case in its own folder, so no case's broken KB file becomes another case's KB.
  const path = join(mkdtempSync(join(dir, 'case-')), name);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  const [report] = await checkPaths([path]);
  assert.ok(report);
  assertWellFormed(report, readFileSync(path, 'utf8'));
  return report;
}

test('truncated files of every kind give a json-syntax error', async () => {
  const sources = {
    'world.kb.json': join(EXAMPLES, 'world.kb.json'),
    'spec.edit.json': join(EXAMPLES, 'marta-quill.edit.json'),
    'train.ripple.jsonl': join(EXAMPLES, 'dataset/train.ripple.jsonl'),
    'popular.json': resolve(__dirname, '../fixtures/rippleedits-sample/popular.json'),
  };
  for (const [name, src] of Object.entries(sources)) {
    const text = readFileSync(src, 'utf8');
    const report = await checkOne(`t-${name}`, text.slice(0, Math.floor(text.length / 3)));
    assert.ok(
      report.diagnostics.some((d) => d.code === 'json-syntax'),
      `${name}: ${JSON.stringify(report.diagnostics)}`,
    );
  }
});

test('wrong types at the root and inside give schema errors', async () => {
  for (const [name, text] of [
    ['a.kb.json', '[1, 2]'],
    ['b.edit.json', '"just a string"'],
    [
      'c.ripple.jsonl',
      '42\n[]\nnull\n{"id": 1, "fact": [], "subject": {}, "triples": "x", "propagation": 7}\n',
    ],
    ['recent.json', '{"not": "an array"}'],
  ] as const) {
    const report = await checkOne(name, text);
    assert.ok(
      report.diagnostics.some((d) => d.code === 'schema' && d.severity === 'error'),
      name,
    );
  }
});

test('binary garbage gives diagnostics for each kind', async () => {
  const rng = new Rng('garbage');
  const bytes = Buffer.from(Array.from({ length: 64 * 1024 }, () => rng.int(256)));
  for (const name of ['g.ripple.jsonl', 'g.kb.json', 'g.edit.json', 'random.json']) {
    const report = await checkOne(name, bytes);
    assert.ok(
      report.diagnostics.some((d) => d.severity === 'error'),
      name,
    );
  }
});

test('a 5 MB dataset is checked with a capped number of diagnostics', async () => {
  const line = readFileSync(join(EXAMPLES, 'dataset/train.ripple.jsonl'), 'utf8').split('\n')[0] as string;
  const count = Math.ceil((5 * 1024 * 1024) / (line.length + 1));
  // The same instance over and over: every later line repeats the first id (plus no-kb on line 1).
  const report = await checkOne('big/train.ripple.jsonl', `${line}\n`.repeat(count));
  assert.equal(report.diagnostics.length, MAX_DIAGNOSTICS_PER_FILE + 1);
  assert.equal(report.diagnostics.at(-1)?.code, 'too-many');
  assert.match(
    report.diagnostics.at(-1)?.message ?? '',
    new RegExp(`^${count - MAX_DIAGNOSTICS_PER_FILE} more`),
  );
});

test('a single 5 MB line is checked', async () => {
  const questions = Array.from({ length: 40_000 }, (_, i) => ({
    question: `Question number ${i} about Zed?`,
    answer: `Answer ${i}`,
    path: ['born_in'],
    verbatim: false,
  }));
  const text = JSON.stringify({
    id: 'huge',
    fact: 'Zed was born in Rome.',
    subject: 'Zed',
    triples: [{ subject: 'Zed', relation: 'born_in', object: 'Rome' }],
    propagation: questions,
  });
  assert.ok(text.length > 3_000_000);
  const report = await checkOne('huge/one.ripple.jsonl', `${text}\n`);
  assert.ok(report.diagnostics.every((d) => d.code === 'no-kb'));
  // The same line cut in the middle: one syntax error at the cut.
  const cut = await checkOne('huge/cut.ripple.jsonl', text.slice(0, 2_500_000));
  assert.deepEqual(
    cut.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code),
    ['json-syntax'],
  );
});
