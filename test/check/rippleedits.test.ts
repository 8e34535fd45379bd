// RippleEdits original format: the real sample checks without errors (its quirks are warnings), quirk
// fixtures fail and pass, and converted output checks without errors when no KB is present.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { writeFileAtomic } from '../../server/common/atomic';
import { convertRippleEdits } from '../../server/dataset/rippleedits';
import { checkPaths } from '../../server/lsp/check/check-paths';
import { checkDiagnostics, testTempDir } from './check-fixture';

const SAMPLE = resolve(__dirname, '../fixtures/rippleedits-sample');
const FILES = ['popular', 'random', 'recent'].map((n) => join(SAMPLE, `${n}.json`));

const query = (answers: string, subject = '"Q1"') =>
  `{"prompt":"The capital of X is","answers":${answers},"query_type":"regular","subject_id":${subject},"relation":"CAPITAL","target_ids":["Q2"],"phrase":null}`;
const record = (edit: string, forget: string) =>
  `[{"example_type":"recent","edit":${edit},"Logical_Generalization":[],"Compositionality_I":[],"Compositionality_II":[],"Subject_Aliasing":[],"Relation_Specificity":[],"Forgetfulness":[{"test_queries":[${forget}],"test_condition":"OR","condition_queries":[]}]}]`;
const EDIT = '{"prompt":"The capital of X is Y.","subject_id":"Q1","relation":"CAPITAL","target_id":"Q2"}';

test('the real RippleEdits sample checks with warnings only (list ids, empty answer lists)', async () => {
  const reports = await checkPaths(FILES);
  assert.equal(reports.length, 3);
  const codes = new Set(reports.flatMap((r) => r.diagnostics.map((d) => `${d.severity} ${d.code}`)));
  assert.deepEqual([...codes].sort(), ['warning rippleedits-empty-answers', 'warning rippleedits-id-list']);
});

test('rippleedits-id-list and rippleedits-empty-answers are warnings; an empty answer value is an error', async () => {
  await checkDiagnostics(`//- /ws/recent.json
${record(EDIT.replace('"subject_id":"Q1"', '"subject_id":⟦["Q1"]⟧⟨warning rippleedits-id-list⟩'), query('⟦[]⟧⟨warning rippleedits-empty-answers⟩', '⟦["Q1"]⟧⟨warning rippleedits-id-list⟩'))}
//- /ws/random.json
${record(EDIT, query('[{"value":⟦""⟧⟨error empty-answer⟩,"aliases":[]}]'))}
`);
  await checkDiagnostics(`//- /ws/recent.json
${record(EDIT, query('[{"value":"Y","aliases":[]}]'))}
`);
});

test('schema: the record structure is required, extra fields are tolerated', async () => {
  const r = await checkDiagnostics(`//- /ws/x.rippleedits.json
[⟦{"edit":${EDIT},"extra":1,"Logical_Generalization":[],"Compositionality_I":[],"Compositionality_II":[],"Subject_Aliasing":[],"Relation_Specificity":[]}⟧⟨error schema: missing the required field "Forgetfulness"⟩]
//- /ws/y.rippleedits.json
[{"edit":${EDIT},"Logical_Generalization":[],"Compositionality_I":[],"Compositionality_II":[],"Subject_Aliasing":[],"Relation_Specificity":[{"test_queries":⟦{}⟧⟨error schema: must be a list⟩}],"Forgetfulness":[]}]
`);
  assert.equal(r.diagnostics.get('/ws/x.rippleedits.json')?.length, 1);
});

test('convert: every sample record becomes an instance, and the output checks without errors', async () => {
  const dir = testTempDir('propmend-convert-');
  try {
    const subjects: string[] = [];
    for (const f of FILES) {
      const { instances } = convertRippleEdits(JSON.parse(readFileSync(f, 'utf8')));
      subjects.push(...instances.map((i) => i.subject as string));
      const out = join(dir, f.replace(/.*\//, '').replace('.json', '.ripple.jsonl'));
      writeFileAtomic(out, instances.map((i) => `${JSON.stringify(i)}\n`).join(''));
    }
    assert.deepEqual(subjects, [
      'Billy Kametz',
      '2021 Kerala Legislative Assembly election',
      'Goursez Vreizh',
      'Martín Solares',
      'Jose L Castillo',
      'Nicholas D Rintala',
      'Marion Junction',
      'Scania CR110',
      'Leo Arons',
      'Laws of Illinois relating to Canada thistles ..',
      'Church of the Holy Body of Christ',
    ]);
    const reports = await checkPaths([dir]);
    const errors = reports.flatMap((r) =>
      r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${r.path}: ${d.message}`),
    );
    assert.deepEqual(errors, []);
    const warnings = new Set(
      reports.flatMap((r) => r.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.code)),
    );
    assert.deepEqual([...warnings].sort(), ['answer-in-question', 'locality-mentions-subject']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('convert: a Compositionality_II query asks the edited relation of the subject; ids and provenance are kept', () => {
  const [first] = convertRippleEdits(JSON.parse(readFileSync(FILES[1] as string, 'utf8')), {
    split: 'test',
  }).instances.slice(2);
  assert.ok(first);
  assert.equal(first.split, 'test');
  assert.equal(first.id, 'random-2');
  const prop = first.propagation as Array<{ path: string[]; category: string; verbatim: boolean }>;
  const comp2 = prop.filter((q) => q.category === 'Compositionality_II');
  assert.equal(comp2.length, 3);
  for (const q of comp2) assert.deepEqual(q.path, ['SEX_OR_GENDER']);
  assert.equal((first.meta as { subject_id: string }).subject_id, 'Q56027868');
  assert.deepEqual(first.triples, [
    { subject: 'Jose L Castillo', relation: 'SEX_OR_GENDER', object: 'cisgender female' },
  ]);
});
