// Full-size hostile datasets for the checker (heavy ring, PROPMEND_HEAVY=1): 130,000 lines with the same id
// (once a stack overflow from spreading the duplicate-id findings), a 7,000-level nested line and KB, and a
// RippleEdits conversion of a 4,000-word prompt, and a 50 MB dataset file read from disk. Each must finish
// with diagnostics, not a crash.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { convertRippleEdits } from '../../server/dataset/rippleedits';
import { checkPaths } from '../../server/lsp/check/check-paths';
import { CheckSession } from '../../server/lsp/check/session';
import { memorySource } from '../../server/lsp/check/source';
import { MAX_DIAGNOSTICS_PER_FILE } from '../../server/lsp/check/types';

const LINE =
  '{"id":"same","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[]}\n';

test('130,000 lines with the same id give capped duplicate-id diagnostics', {
  timeout: 600_000,
}, async () => {
  const files = new Map([['/ws/d/x.ripple.jsonl', LINE.repeat(130_000)]]);
  const report = await new CheckSession({ source: memorySource(files), root: '/ws' }).check(
    '/ws/d/x.ripple.jsonl',
  );
  assert.equal(report.diagnostics.length, 1001);
  assert.equal(report.diagnostics.filter((d) => d.code === 'duplicate-id').length, 999);
  assert.equal(report.diagnostics.at(-1)?.code, 'too-many');
});

test('7,000 levels of nesting in a dataset line and a KB are refused, not overflowed', {
  timeout: 120_000,
}, async () => {
  const deep = `${'['.repeat(7000)}${']'.repeat(7000)}`;
  const files = new Map([
    ['/ws/d/x.ripple.jsonl', `${LINE}${deep}\n${LINE.replace('same', 'other')}`],
    ['/ws/w.kb.json', `{"types": ${deep}}`],
  ]);
  const session = new CheckSession({ source: memorySource(files), root: '/ws' });
  const ripple = await session.check('/ws/d/x.ripple.jsonl');
  assert.ok(ripple.diagnostics.some((d) => d.code === 'nesting-too-deep' && d.range.start.line === 1));
  const kb = await session.check('/ws/w.kb.json');
  assert.deepEqual(
    kb.diagnostics.map((d) => d.code),
    ['nesting-too-deep'],
  );
});

test('converting a record with a 4,000-word prompt finds the subject', { timeout: 120_000 }, () => {
  const words = Array.from({ length: 4000 }, (_, i) => (i % 5 === 0 ? `Name${i}` : 'of')).join(' ');
  const record = {
    edit: {
      prompt: `The capital of ${words} Zorblat is Qux.`,
      subject_id: 'Q1',
      relation: 'CAPITAL',
      target_id: 'Q2',
    },
    Compositionality_I: [
      {
        test_queries: [
          {
            prompt: `The mayor of the capital of ${words} Zorblat is`,
            answers: [{ value: 'Ann', aliases: [] }],
            subject_id: 'Q1',
            relation: 'CAPITAL',
            target_ids: ['Q3'],
          },
        ],
      },
    ],
  };
  const { instances } = convertRippleEdits([record]);
  assert.match(String(instances[0]?.subject), /Zorblat$/);
});

test('a 50 MB dataset file is checked with a capped number of diagnostics', {
  timeout: 600_000,
}, async () => {
  const examples = resolve(__dirname, '../../examples/dataset/train.ripple.jsonl');
  const line = readFileSync(examples, 'utf8').split('\n')[0] as string;
  const count = Math.ceil((50 * 1024 * 1024) / (line.length + 1));
  const dir = mkdtempSync(join(tmpdir(), 'propmend-50mb-'));
  try {
    const file = join(dir, 'train.ripple.jsonl');
    writeFileSync(file, `${line}\n`.repeat(count));
    const [report] = await checkPaths([file]);
    assert.ok(report);
    assert.equal(report.diagnostics.length, MAX_DIAGNOSTICS_PER_FILE + 1);
    assert.equal(report.diagnostics.at(-1)?.code, 'too-many');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
