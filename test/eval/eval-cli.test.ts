// `propmend eval` through the in-process CLI: bad input stops it with the checker's diagnostics or one line
// naming the fix (a dataset with errors before any model work, MEMIT without a corpus, a hypernetwork made for
// another model, an unknown method, a bad --shard), and converted RippleEdits data evaluates directly with its
// categories kept as the records' groups.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { EvalRunResult } from '../../server/runtime/eval/result';
import { runCliCaptured as cli } from '../support/cli';
import { writeFixture } from '../support/fixtures';

const root = resolve(__dirname, '..', '..');
const work = mkdtempSync(join(tmpdir(), 'propmend-eval-cli-'));
/** The first 3 validation instances (a small file keeps the checker's pass short). */
const validation = join(work, 'validation.ripple.jsonl');
after(() => rmSync(work, { recursive: true, force: true }));
before(() => {
  const lines = readFileSync(join(root, 'assets/world/splits/validation.ripple.jsonl'), 'utf8').split('\n');
  writeFileSync(validation, `${lines.slice(0, 3).join('\n')}\n`);
  writeFixture(join(work, 'fixture'), 'llama-tiny');
});

/** stderr without the progress lines: what the user is told. */
const told = (stderr: string) =>
  stderr
    .split('\n')
    .filter((l) => l && !l.startsWith('evaluating '))
    .join('\n');

describe('propmend eval refuses bad input with one clear line', () => {
  test('a dataset with checker errors stops before any model work, with the diagnostics', async () => {
    mkdirSync(join(work, 'bad'));
    const bad = join(work, 'bad', 'bad.ripple.jsonl');
    const good = readFileSync(validation, 'utf8').split('\n')[0] as string;
    const broken = { ...JSON.parse(good), subject: 'Nobody Here' };
    writeFileSync(bad, `${good}\n${JSON.stringify(broken)}\n`);
    // The model folder does not exist: reaching model loading would fail with another message.
    const r = await cli(['eval', '--dataset', bad, '--method', 'base', '--model', join(work, 'no-model')]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /bad\.ripple\.jsonl:2:\d+ error propmend\/subject-not-in-fact/);
    assert.match(told(r.stderr), /propmend eval: the dataset has \d+ errors?; fix them/);
    assert.doesNotMatch(r.stderr, /no-model/);
  });

  test('MEMIT on a model without a corpus names --memit-corpus', async () => {
    const model = join(work, 'fixture');
    const r = await cli(['eval', '--dataset', validation, '--method', 'memit', '--model', model]);
    assert.equal(r.code, 1, r.stderr);
    const lines = told(r.stderr).split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] as string, /memit needs a text corpus .* pass --memit-corpus FILE/);
    const missing = await cli([
      'eval',
      ...['--dataset', validation, '--method', 'memit', '--memit-corpus', join(work, 'nope.txt')],
    ]);
    assert.equal(missing.code, 1);
    assert.match(
      told(missing.stderr),
      /^propmend eval: the MEMIT corpus .*nope\.txt is not a readable file; pass --memit-corpus FILE/,
    );
  });

  test('a hypernetwork made for another model is refused naming the difference', async () => {
    const model = join(work, 'fixture');
    const r = await cli([
      'eval',
      ...['--dataset', validation, '--method', 'propmend', '--model', model],
      ...['--hypernet', `propmend=${join(root, 'assets/hypernets/propmend')}`, '--limit', '1'],
    ]);
    assert.equal(r.code, 1, r.stderr);
    const lines = told(r.stderr).split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] as string, /^propmend eval: .*hypernet.*hidden_size 192, this model has 64/i);
  });

  test('an unknown method and a bad --shard name the valid values', async () => {
    const r = await cli(['eval', '--dataset', validation, '--method', 'base,rome']);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      'propmend eval: unknown method "rome"; use one of base, prepend, cpt-full, cpt-midupper, memit, mend, propmend in --method\n',
    );
    const s = await cli(['eval', '--dataset', validation, '--method', 'base', '--shard', '2/2']);
    assert.equal(s.code, 2);
    assert.match(s.stderr, /--shard must be I\/N with 0 <= I < N/);
  });
});

test('converted RippleEdits data feeds propmend eval, categories kept as the record groups', async () => {
  const converted = join(work, 'popular.ripple.jsonl');
  const conv = await cli([
    'convert',
    'rippleedits',
    join(root, 'test/fixtures/rippleedits-sample/popular.json'),
    ...['-o', converted, '--split', 'test'],
  ]);
  assert.equal(conv.code, 0, conv.stderr);
  const out = join(work, 'ripple-out');
  const r = await cli([
    'eval',
    '--dataset',
    converted,
    '--method',
    'base',
    '--limit',
    '2',
    '--out',
    out,
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const printed = JSON.parse(r.stdout) as { summary: Array<{ split: string }>; result: string };
  assert.equal(printed.summary[0]?.split, 'test');
  const result = JSON.parse(readFileSync(printed.result, 'utf8')) as EvalRunResult;
  const categories = new Set(result.records.map((x) => x.category));
  assert.ok(categories.size > 1, [...categories].join());
  for (const rec of result.records) if (rec.category) assert.equal(rec.path, rec.category);
  assert.ok(
    result.records.some((x) => x.path === 'Logical_Generalization' || x.path === 'Compositionality_I'),
  );
});
