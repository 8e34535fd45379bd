// The edit-spec form's document sync without VS Code: text → form values, form intents → minimal text edits
// (formatting and comments kept), undo (the inverse edits restore the text byte for byte), the invalid-JSON
// state (no edits, the parse error shown), diagnostics placed at JSON paths, layers against the model's
// layer count, and the intents the webview may post.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import {
  layerCountFromConfig,
  layerProblems,
  parseSpec,
  pathAt,
  relativeSpecPath,
  specFormState,
} from '../../extension/views/spec-form';
import {
  applyTextEdits,
  type EditsResult,
  formattingOf,
  intentEdits,
  inverseEdits,
} from '../../extension/views/spec-form-edits';
import { type FromSpecForm, readFromSpecForm } from '../../webviews/spec-form/messages';

const root = resolve(__dirname, '..', '..');
const marta = readFileSync(join(root, 'examples', 'marta-quill.edit.json'), 'utf8');
const newPerson = readFileSync(join(root, 'examples', 'new-person.edit.json'), 'utf8');

function edited(text: string, intent: FromSpecForm): string {
  const result: EditsResult = intentEdits(text, intent);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return applyTextEdits(text, result.edits);
}

/** The lines of `after` that differ from `before` (same line count assumed). */
function changedLines(before: string, after: string): string[] {
  const a = before.split('\n');
  const b = after.split('\n');
  assert.equal(a.length, b.length, 'the edit added or removed lines');
  return b.filter((line, i) => line !== a[i]);
}

test('text → form: every field of the example spec reads as written', () => {
  const { values, parseError } = parseSpec(marta);
  assert.equal(parseError, null);
  assert.ok(values);
  assert.equal(values.fact, 'Marta Quill works for Cobalt Labs.');
  assert.equal(values.subject, 'Marta Quill');
  assert.equal(values.subjectType, 'person');
  assert.equal(values.hypernetwork, null);
  assert.equal(values.model, undefined);
  assert.equal(values.kb, 'world.kb.json');
  assert.equal(values.layers, 'mid-upper');
  assert.deepEqual(values.modules, ['gate_proj', 'up_proj', 'down_proj']);
  assert.equal(values.editLrScale, 1);
  assert.deepEqual(values.triples, [
    { subject: 'Marta Quill', relation: 'works_for', object: 'Cobalt Labs' },
  ]);
  assert.equal(values.propagation.length, 4);
  assert.deepEqual(values.propagation[2], {
    question: "In which country are the headquarters of Marta Quill's employer?",
    answer: 'Kestovia',
    aliases: ['Kestovan Union'],
    path: ['works_for', 'headquartered_in', 'located_in'],
    verbatim: false,
    entity: undefined,
  });
  assert.equal(values.locality[1]?.answer, undefined, 'a locality row without an answer stays without one');
  assert.equal(values.maxNewTokens, 16);
  assert.deepEqual(values.stop, ['\n']);
  assert.equal(values.promptTemplate, '{question}');
  assert.deepEqual(parseSpec(newPerson).values?.layers, [0, 1, 2, 3]);
});

test('text → form: wrong-typed values read as absent instead of breaking the form', () => {
  const { values } = parseSpec('{"fact": 3, "layers": {"a": 1}, "propagation": "x", "triples": [1]}');
  assert.ok(values);
  assert.equal(values.fact, '');
  assert.equal(values.layers, undefined);
  assert.deepEqual(values.propagation, []);
  assert.deepEqual(values.triples, [{ subject: '', relation: '', object: '' }]);
});

test('form → text: changing the fact rewrites only the fact line', () => {
  const after = edited(marta, { type: 'set', path: ['fact'], value: 'Marta Quill works for Brine & Co.' });
  assert.deepEqual(changedLines(marta, after), ['  "fact": "Marta Quill works for Brine & Co.",']);
  assert.equal(parseSpec(after).values?.fact, 'Marta Quill works for Brine & Co.');
});

test('form → text: nested fields, removal, a new generation key and compact lists', () => {
  let text = edited(marta, { type: 'set', path: ['propagation', 1, 'answer'], value: 'Orlen' });
  assert.deepEqual(changedLines(marta, text), ['      "answer": "Orlen",']);
  text = edited(marta, { type: 'set', path: ['layers'], value: [3, 4] });
  assert.deepEqual(changedLines(marta, text), ['  "layers": [3, 4],']);
  text = edited(marta, { type: 'set', path: ['generation', 'stop'], value: ['\n', '.'] });
  assert.match(text, /"stop": \["\\n", "\."\]/);
  text = edited(marta, { type: 'set', path: ['hypernetwork'], value: undefined });
  assert.ok(!text.includes('"hypernetwork"'));
  assert.equal(text.split('\n').length, marta.split('\n').length - 1);
  // A key the text lacks is added with the file's indentation.
  text = edited(newPerson, { type: 'set', path: ['model'], value: '../models/tiny' });
  assert.match(text, /\n {2}"model": "\.\.\/models\/tiny"/);
  assert.equal(parseSpec(text).values?.model, '../models/tiny');
});

test('form → text: comments and unusual formatting elsewhere survive an edit', () => {
  const text = [
    '{',
    '\t// the fact to inject',
    '\t"fact": "A",   /* keep me */',
    '\t"subject": "A",',
    '\t"layers":"top",',
    '\t"propagation": [ {"question": "Q?", "answer": "x"} ]',
    '}',
  ].join('\n');
  assert.deepEqual(formattingOf(text), { insertSpaces: false, tabSize: 4, eol: '\n' });
  const after = edited(text, { type: 'set', path: ['fact'], value: 'B' });
  assert.equal(after, text.replace('"fact": "A"', '"fact": "B"'));
  const added = edited(text, { type: 'addRow', list: 'locality' });
  assert.ok(added.includes('// the fact to inject') && added.includes('/* keep me */'));
  assert.ok(added.includes('\t"layers":"top",'));
  assert.deepEqual(parseSpec(added).values?.locality, [
    { question: '', answer: undefined, aliases: [], path: [], verbatim: undefined, entity: undefined },
  ]);
});

test('rows: add appends a template, remove drops one row, move swaps neighbours and nothing else', () => {
  const added = edited(marta, { type: 'addRow', list: 'triples' });
  assert.deepEqual(parseSpec(added).values?.triples[1], { subject: 'Marta Quill', relation: '', object: '' });
  const removed = edited(marta, { type: 'removeRow', list: 'propagation', index: 1 });
  const before = parseSpec(marta).values?.propagation ?? [];
  assert.deepEqual(parseSpec(removed).values?.propagation, [before[0], before[2], before[3]]);
  const moved = edited(marta, { type: 'moveRow', list: 'propagation', index: 2, by: -1 });
  assert.deepEqual(parseSpec(moved).values?.propagation, [before[0], before[2], before[1], before[3]]);
  assert.equal(moved.length, marta.length);
  const back = edited(moved, { type: 'moveRow', list: 'propagation', index: 1, by: 1 });
  assert.equal(back, marta);
  assert.equal(intentEdits(marta, { type: 'moveRow', list: 'propagation', index: 0, by: -1 }).ok, false);
  assert.equal(intentEdits(marta, { type: 'removeRow', list: 'locality', index: 5 }).ok, false);
  // A missing list is created with its first row.
  const first = edited(newPerson.replace(/,\s*"triples": \[[\s\S]*?\n {2}\]/, ''), {
    type: 'addRow',
    list: 'triples',
  });
  assert.equal(parseSpec(first).values?.triples.length, 1);
});

test('undo: the inverse of every kind of form edit restores the text byte for byte', () => {
  const intents: FromSpecForm[] = [
    { type: 'set', path: ['fact'], value: 'Marta Quill works for Brine & Co.' },
    { type: 'set', path: ['layers'], value: [1, 2] },
    { type: 'set', path: ['generation', 'max_new_tokens'], value: undefined },
    { type: 'set', path: ['model'], value: 'm' },
    { type: 'addRow', list: 'propagation' },
    { type: 'removeRow', list: 'propagation', index: 0 },
    { type: 'moveRow', list: 'locality', index: 0, by: 1 },
  ];
  for (const intent of intents) {
    for (const text of [marta, marta.replaceAll('\n', '\r\n')]) {
      const result = intentEdits(text, intent);
      assert.ok(result.ok);
      const after = applyTextEdits(text, result.edits);
      assert.notEqual(after, text, `${intent.type} changed nothing`);
      assert.equal(applyTextEdits(after, inverseEdits(text, result.edits)), text, JSON.stringify(intent));
    }
  }
});

test('invalid JSON: the form shows the parse error and refuses every edit, so the text is never clobbered', () => {
  const broken = marta.replace('"subject": "Marta Quill",', '"subject": "Marta Quill"');
  const state = specFormState('marta-quill.edit.json', broken, [], { ok: false, reason: 'n/a' });
  assert.equal(state.values, null);
  assert.ok(state.parseError);
  assert.match(state.parseError.message, /comma expected/);
  assert.equal(state.parseError.line, 8, '0-based: the line after the missing comma');
  const result = intentEdits(broken, { type: 'set', path: ['fact'], value: 'x' });
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.reason, /not valid JSON/);
  assert.match(parseSpec('[1, 2]').parseError?.message ?? '', /one JSON object/);
  // A path through a value of another type is refused, not forced.
  assert.equal(
    intentEdits('{"generation": "x"}', { type: 'set', path: ['generation', 'stop'], value: [] }).ok,
    false,
  );
});

test('diagnostics sit at the JSON path they point into', () => {
  const at = (needle: string) => marta.indexOf(needle);
  const { root } = parseSpec(marta);
  assert.deepEqual(pathAt(root, at('"Vantis"')), ['propagation', 1, 'answer']);
  assert.deepEqual(pathAt(root, at('"edit_lr_scale"')), ['edit_lr_scale'], 'a key stands for its value');
  assert.deepEqual(pathAt(root, at('"headquartered_in", "located_in"') + 21), ['propagation', 2, 'path', 2]);
  assert.deepEqual(pathAt(root, 0), []);
  const state = specFormState(
    'marta-quill.edit.json',
    marta,
    [{ offset: at('"mid-upper"'), severity: 'error', message: 'bad layers', source: 'propmend/x' }],
    { ok: true, count: 4, from: 'config.json' },
  );
  assert.deepEqual(state.diagnostics, [
    { path: ['layers'], severity: 'error', message: 'bad layers', source: 'propmend/x', line: 4 },
  ]);
});

test('layers: explicit indices are checked against the model config; presets always resolve', () => {
  const four = layerCountFromConfig('{"num_hidden_layers": 4, "hidden_size": 8}', 'm/config.json');
  assert.deepEqual(four, { ok: true, count: 4, from: 'm/config.json' });
  assert.deepEqual(layerCountFromConfig('{"n_layer": 12}', 'c'), { ok: true, count: 12, from: 'c' });
  assert.equal(layerCountFromConfig('{"num_hidden_layers": "4"}', 'c').ok, false);
  assert.equal(layerCountFromConfig('not json', 'c').ok, false);
  assert.deepEqual(layerProblems([0, 1, 2, 3], four), []);
  assert.deepEqual(layerProblems('max', four), []);
  assert.deepEqual(layerProblems([2, 4, 2], four), [
    'layer 4 does not exist: the model has 4 layers (0 to 3)',
    'layer 2 is listed twice',
  ]);
  assert.deepEqual(layerProblems([], four), ['name at least one layer, or choose a preset']);
  // Without a readable config only the model-free checks run.
  assert.deepEqual(layerProblems([40], { ok: false, reason: 'no config' }), []);
  const state = specFormState('n.edit.json', newPerson, [], { ok: true, count: 2, from: 'c' });
  assert.deepEqual(state.layerProblems, [
    'layer 2 does not exist: the model has 2 layers (0 to 1)',
    'layer 3 does not exist: the model has 2 layers (0 to 1)',
  ]);
});

test('picked paths are written relative to the spec with forward slashes', () => {
  assert.equal(relativeSpecPath('/w/specs', '/w/models/tiny'), '../models/tiny');
  assert.equal(relativeSpecPath('/w/specs', '/w/specs/h.safetensors'), 'h.safetensors');
  assert.equal(relativeSpecPath('/w/specs', '/w/specs'), '.');
});

test('the page may post only well-formed intents on spec keys', () => {
  assert.deepEqual(readFromSpecForm({ type: 'set', path: ['fact'], value: 'x' }), {
    type: 'set',
    path: ['fact'],
    value: 'x',
  });
  assert.deepEqual(readFromSpecForm({ type: 'moveRow', list: 'triples', index: 1, by: -1 }), {
    type: 'moveRow',
    list: 'triples',
    index: 1,
    by: -1,
  });
  for (const bad of [
    { type: 'set', path: ['__proto__'], value: 1 },
    { type: 'set', path: [], value: 1 },
    { type: 'set', path: ['fact'], value: Number.NaN },
    { type: 'moveRow', list: 'triples', index: 1, by: 2 },
    { type: 'removeRow', list: 'meta', index: 0 },
    { type: 'pick', field: 'layers' },
    { type: 'run' },
    'apply',
    null,
  ])
    assert.equal(readFromSpecForm(bad), undefined, JSON.stringify(bad));
});
