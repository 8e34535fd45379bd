// Parsing and schema diagnostics: JSON syntax errors at the exact character (one broken JSONL line does not
// hide the others), schema violations at the offending value or key with readable messages, duplicate keys,
// and the no-kb information on line 1.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyFix, checkDiagnostics } from './check-fixture';

const ok = (id: string) =>
  `{"id":"${id}","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[]}`;

test('json-syntax: a broken line is reported where it breaks, and the other lines are still checked', async () => {
  await checkDiagnostics(`//- /ws/d/x.ripple.jsonl
${ok('a')}
{"id":"b","fact":"Zed was born in Rome.",⟦⟧⟨error json-syntax: expected a property name⟩
{"id":"c","fact":"Zed was born in Rome.",⟦,⟧⟨error json-syntax⟩}
⟦garbage⟧⟨error json-syntax: unexpected character⟩
{"id":"d","fact":"Zed was born in Rome.","subject":⟦"Zed"⟧⟨error subject-not-in-fact⟩,"triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[],⟦"fact"⟧⟨error duplicate-key⟩:"Nobody."}
${ok('a').replace('"id":"a"', '"id":⟦"a"⟧⟨error duplicate-id⟩')}
`);
  await checkDiagnostics(`//- /ws/k.kb.json
{
  "types": {⟦]⟧⟨error json-syntax⟩
}
`);
});

test('nesting-too-deep: a line nested past the limit is refused at the first bracket too deep, the others are checked', async () => {
  const deep = (n: number) =>
    `{"id":"z","meta":${'['.repeat(n)}⟦[⟧⟨error nesting-too-deep: more than 256 levels deep on this line⟩${'['.repeat(5000)}`;
  await checkDiagnostics(`//- /ws/d/x.ripple.jsonl
${ok('a')}
${deep(255)}
${ok('b').replace('Zed was born', `Zed ${'['.repeat(300)} was born`)}
`);
  await checkDiagnostics(`//- /ws/k.kb.json
{"types": ${'['.repeat(255)}⟦[⟧⟨error nesting-too-deep⟩${']'.repeat(256)}}
`);
});

test('schema: missing and unknown fields, wrong types and enum values, each at the offending value', async () => {
  const r = await checkDiagnostics(`//- /ws/d/x.ripple.jsonl
⟦{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}]}⟧⟨error schema: missing the required field "propagation"⟩
{"id":"b","split":⟦"trian"⟧⟨error schema: did you mean "train"⟩,"fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[{"question":"Where?","answer":"Rome",⟦"anwser"⟧⟨error schema: unknown field "anwser"⟩:"x","path":["born_in"],"verbatim":⟦"yes"⟧⟨error schema: must be true or false⟩}]}
{"id":"c","fact":"Zed was born in Rome.","subject":"Zed","triples":⟦[]⟧⟨error schema: at least 1 item⟩,"propagation":[]}
`);
  assert.match(applyFix(r, '/ws/d/x.ripple.jsonl', 'schema'), /"split":"train"|"answer":"x"/);
  await checkDiagnostics(`//- /ws/d/x.ripple.jsonl
${ok('a')}
`);
});

test('schema: edit spec layers accept a preset or a list of indices, with one clear message', async () => {
  await checkDiagnostics(`//- /ws/e.edit.json
{ "model": ⟦"m"⟧⟨warning missing-file⟩, "layers": ⟦5⟧⟨error schema: one of "top", "mid-upper", "max", or a non-empty list of integers⟩, "fact": "Zed was born in Rome.", "subject": "Zed", "propagation": [{ "question": "Where?", "answer": "Rome" }] }
//- /ws/f.edit.json
{ "model": ⟦"m"⟧⟨warning missing-file⟩, "layers": [1, ⟦-1⟧⟨error schema: must be >= 0⟩], "fact": "Zed was born in Rome.", "subject": "Zed", "propagation": [{ "question": "Where?", "answer": "Rome" }] }
`);
});

test('schema: KB names must be lower_snake_case, reported at the name', async () => {
  await checkDiagnostics(`//- /ws/k.kb.json
{ "types": { ⟦"City"⟧⟨error schema: lower_snake_case⟩: {} }, "relations": {}, "entities": {} }
`);
});

test('duplicate-key: the repeated key in a JSONL line', async () => {
  await checkDiagnostics(`//- /ws/d/x.ripple.jsonl
{"id":"a","fact":"Zed was born in Rome.",⟦"fact"⟧⟨error duplicate-key⟩:"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[]}
`);
});

test('no-kb: one information diagnostic on line 1 when no KB is found', async () => {
  await checkDiagnostics(`//- /ws/d/x.ripple.jsonl
⟦⟧⟨info no-kb⟩${ok('a')}
${ok('b')}
`);
  await checkDiagnostics(
    `//- /ws/w.kb.json
{ "types": { "person": {}, "city": {} }, "relations": { "born_in": { "domain": "person", "range": "city", "cardinality": "many-to-one" } }, "entities": { "Rome": { "type": "city" } } }
//- /ws/d/x.ripple.jsonl
${ok('a')}
`,
    { compare: ['no-kb'] },
  );
});
