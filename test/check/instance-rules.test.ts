// Instance rules on *.ripple.jsonl lines against a KB: each code has a failing fixture (ranges marked)
// and a passing one. Fixtures use test/check/check-fixture.ts markers: ⟦range⟧⟨severity code⟩.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyFix, checkDiagnostics } from './check-fixture';
import { KB } from './world';

const D = '//- /ws/d/data.ripple.jsonl\n';

test('a well-formed instance checks clean', async () => {
  await checkDiagnostics(`${KB}${D}{"id":"a","fact":"Zed Quill was born in Paris.","subject":"Zed Quill","subject_type":"person","triples":[{"subject":"Zed Quill","relation":"born_in","object":"Paris"}],"propagation":[{"question":"In which country was Zed Quill born?","answer":"France","aliases":["French Republic"],"path":["born_in","located_in"],"verbatim":false}],"locality":[{"question":"Where was Ada Byron born?","answer":"Rome","entity":"Ada Byron","path":["born_in"]}]}
`);
});

test('unknown-relation: in triples and paths, with did-you-mean fixes', async () => {
  const r =
    await checkDiagnostics(`${KB}${D}{"id":"a","fact":"Zed was born in Paris.","subject":"Zed","triples":[{"subject":"Zed","relation":⟦"bron_in"⟧⟨error unknown-relation: did you mean "born_in"⟩,"object":"Paris"}],"propagation":[]}
{"id":"b","fact":"Zed was born in Paris.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Paris"}],"propagation":[{"question":"Where?","answer":"France","path":["born_in",⟦"locatd_in"⟧⟨error unknown-relation⟩],"verbatim":false}]}
`);
  assert.match(applyFix(r, '/ws/d/data.ripple.jsonl', 'unknown-relation'), /"relation":"born_in"/);
  await checkDiagnostics(`${KB}${D}{"id":"a","fact":"Zed was born in Paris.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Paris"}],"propagation":[{"question":"Where?","answer":"France","path":["born_in","located_in"],"verbatim":false}]}
`);
});

test('unknown-entity: a triple object and a locality entity', async () => {
  await checkDiagnostics(`${KB}${D}{"id":"a","fact":"Zed was born in Pariss.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":⟦"Pariss"⟧⟨error unknown-entity: did you mean "Paris"⟩}],"propagation":[],"locality":[{"question":"Where was Bob born?","answer":"Rome","entity":⟦"Bob"⟧⟨error unknown-entity⟩}]}
`);
  // Literal ranges take plain strings, and aliases name entities.
  await checkDiagnostics(`${KB}${D}{"id":"a","fact":"Zed founded Acme in 1990 and was born in the French Republic.","subject":"Zed","triples":[{"subject":"Zed","relation":"founded_in","object":"1990"}],"propagation":[],"locality":[{"question":"What is the capital of the French Republic?","answer":"Paris","entity":"French Republic","path":["capital"]}]}
`);
});

test('unknown-type: subject_type not declared', async () => {
  await checkDiagnostics(`${KB}${D}{"id":"a","fact":"Zed was born in Paris.","subject":"Zed","subject_type":⟦"persn"⟧⟨error unknown-type: did you mean "person"⟩,"triples":[{"subject":"Zed","relation":"born_in","object":"Paris"}],"propagation":[]}
`);
  await checkDiagnostics(`${KB}${D}{"id":"a","fact":"Zed was born in Paris.","subject":"Zed","subject_type":"person","triples":[{"subject":"Zed","relation":"born_in","object":"Paris"}],"propagation":[]}
`);
});

test('domain-mismatch: subject type against the domain, object type against the range', async () => {
  await checkDiagnostics(`${KB}${D}{"id":"a","fact":"Zed was born in Italy.","subject":"Zed","subject_type":"company","triples":[{"subject":"Zed","relation":⟦"born_in"⟧⟨error domain-mismatch: applies to a person⟩,"object":⟦"Italy"⟧⟨error domain-mismatch: expects a city⟩}],"propagation":[]}
`);
  await checkDiagnostics(`${KB}${D}{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","subject_type":"person","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[]}
`);
});

test('cardinality: two objects for a many-to-one relation in one fact', async () => {
  await checkDiagnostics(`${KB}${D}{"id":"a","fact":"Zed was born in Rome and in Paris.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"},{"subject":"Zed","relation":"born_in","object":⟦"Paris"⟧⟨error cardinality⟩}],"propagation":[]}
`);
  await checkDiagnostics(`${KB}${D}{"id":"a","fact":"Zed was born in Rome and works for Acme.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"},{"subject":"Zed","relation":"works_for","object":"Acme"}],"propagation":[]}
`);
});

test('path-start: the first hop must be asserted by the fact (Logical_Generalization exempt)', async () => {
  await checkDiagnostics(`${D}{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[{"question":"Where does Zed work?","answer":"Acme","path":[⟦"works_for"⟧⟨error path-start⟩],"verbatim":false}]}
`);
  await checkDiagnostics(`${D}{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[{"question":"Is Zed alive?","answer":"no","path":["IS_ALIVE"],"verbatim":false,"category":"Logical_Generalization"},{"question":"Where was Zed born?","answer":"Rome","path":["born_in"],"verbatim":true}]}
`);
});

test('path-mismatch: the range of hop k must be the domain of hop k+1', async () => {
  await checkDiagnostics(`${KB}${D}{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[{"question":"What is the capital of Zed's birthplace?","answer":"Rome","path":["born_in",⟦"capital"⟧⟨error path-mismatch: "born_in" yields a city⟩],"verbatim":true}],"locality":[{"question":"In which country is Acme?","answer":"France","entity":"Acme","path":[⟦"located_in"⟧⟨error path-mismatch⟩]}]}
`);
  await checkDiagnostics(`${KB}${D}{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[{"question":"What is the capital of the country of Zed's birthplace?","answer":"Rome","path":["born_in","located_in","capital"],"verbatim":true}],"locality":[{"question":"Where is Acme based?","answer":"Lyon","entity":"Acme","path":["headquartered_in"]}]}
`);
});

test('answer-type: the answer is an entity of the wrong type', async () => {
  await checkDiagnostics(`${KB}${D}{"id":"a","fact":"Zed works for Acme.","subject":"Zed","triples":[{"subject":"Zed","relation":"works_for","object":"Acme"}],"propagation":[{"question":"Which city hosts Zed's employer?","answer":⟦"Italy"⟧⟨error answer-type: is a country⟩,"path":["works_for","headquartered_in"],"verbatim":false}]}
`);
  await checkDiagnostics(`${KB}${D}{"id":"a","fact":"Zed works for Acme.","subject":"Zed","triples":[{"subject":"Zed","relation":"works_for","object":"Acme"}],"propagation":[{"question":"Which city hosts Zed's employer?","answer":"Lyon","path":["works_for","headquartered_in"],"verbatim":false}]}
`);
});

test('answer-mismatch: the KB says where the path leads; the fix writes it', async () => {
  const r =
    await checkDiagnostics(`${KB}${D}{"id":"a","fact":"Zed works for Acme.","subject":"Zed","triples":[{"subject":"Zed","relation":"works_for","object":"Acme"}],"propagation":[{"question":"Which city hosts Zed's employer?","answer":⟦"Paris"⟧⟨error answer-mismatch: leads to "Lyon"⟩,"path":["works_for","headquartered_in"],"verbatim":false}]}
`);
  assert.match(applyFix(r, '/ws/d/data.ripple.jsonl', 'answer-mismatch'), /"answer":"Lyon"/);
  // An alias of the end entity is accepted.
  await checkDiagnostics(`${KB}${D}{"id":"a","fact":"Zed works for Acme.","subject":"Zed","triples":[{"subject":"Zed","relation":"works_for","object":"Acme"}],"propagation":[{"question":"In which country is Zed's employer based?","answer":"French Republic","path":["works_for","headquartered_in","located_in"],"verbatim":false}]}
`);
});

test('empty-answer: empty answers and aliases', async () => {
  await checkDiagnostics(`${D}{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[{"question":"Where was Zed born?","answer":⟦" "⟧⟨error empty-answer⟩,"aliases":["Roma",⟦""⟧⟨error empty-answer⟩],"path":["born_in"],"verbatim":false}]}
`);
  await checkDiagnostics(`${D}{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[{"question":"Where was Zed born?","answer":"Rome","aliases":["Roma"],"path":["born_in"],"verbatim":true}]}
`);
});

test('duplicate-alias: an alias repeating the answer or another alias; the fix removes it', async () => {
  const r =
    await checkDiagnostics(`${D}{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[{"question":"Where was Zed born?","answer":"Rome","aliases":[⟦"rome"⟧⟨warning duplicate-alias⟩,"Roma",⟦"ROMA"⟧⟨warning duplicate-alias⟩],"path":["born_in"],"verbatim":true}]}
`);
  assert.match(applyFix(r, '/ws/d/data.ripple.jsonl', 'duplicate-alias'), /"aliases":\["Roma"\]/);
  await checkDiagnostics(`${D}{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[{"question":"Where was Zed born?","answer":"Rome","aliases":["Roma"],"path":["born_in"],"verbatim":true}]}
`);
});

test('missing-aliases: information with a fix that adds the KB aliases', async () => {
  const r =
    await checkDiagnostics(`${KB}${D}{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[{"question":"In which country was Zed born?","answer":"Italy","path":["born_in","located_in"],"verbatim":false}],"locality":[{"question":"Which country has Paris as capital?","answer":⟦"France"⟧⟨info missing-aliases: "French Republic"⟩}]}
`);
  assert.match(
    applyFix(r, '/ws/d/data.ripple.jsonl', 'missing-aliases'),
    /"answer":"France", "aliases": \["French Republic"\]\}/,
  );
  // Passing: the aliases are listed, or the answer's entity has no other names.
  await checkDiagnostics(
    `${KB}${D}{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[{"question":"In which country was Zed born?","answer":"Italy","path":["born_in","located_in"],"verbatim":false}],"locality":[{"question":"Which country has Paris as capital?","answer":"France","aliases":["French Republic"]}]}
`,
    { compare: ['missing-aliases'] },
  );
});

test('answer-in-question: error for propagation, warning for locality', async () => {
  await checkDiagnostics(`${D}{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[{"question":⟦"Was Zed born in Rome or Paris?"⟧⟨error answer-in-question⟩,"answer":"rome","path":["born_in"],"verbatim":true}],"locality":[{"question":⟦"Is Paris in France?"⟧⟨warning answer-in-question⟩,"answer":"France"}]}
`);
  // Word boundaries: "Romeo" does not contain the answer "Rome".
  await checkDiagnostics(`${D}{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[{"question":"Where was Romeo's friend Zed born?","answer":"Rome","path":["born_in"],"verbatim":true}]}
`);
});

test('verbatim-label: the label must agree with the fact text; the fix flips it', async () => {
  const r =
    await checkDiagnostics(`${D}{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[{"question":"Where was Zed born?","answer":"Rome","path":["born_in"],"verbatim":⟦false⟧⟨error verbatim-label⟩},{"question":"In which country was Zed born?","answer":"Italy","aliases":["Italia"],"path":["born_in","located_in"],"verbatim":⟦true⟧⟨error verbatim-label⟩}]}
`);
  assert.match(
    applyFix(r, '/ws/d/data.ripple.jsonl', 'verbatim-label'),
    /"path":\["born_in"\],"verbatim":true/,
  );
  // An alias in the fact makes it verbatim, case-insensitively.
  await checkDiagnostics(`${D}{"id":"a","fact":"Zed was born in ROMA.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Roma"}],"propagation":[{"question":"Where was Zed born?","answer":"Rome","aliases":["Roma"],"path":["born_in"],"verbatim":true}]}
`);
});

test('duplicate-question: the same question twice in one instance', async () => {
  await checkDiagnostics(`${D}{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[{"question":"Where was Zed born?","answer":"Rome","path":["born_in"],"verbatim":true},{"question":⟦"where was zed  born?"⟧⟨error duplicate-question⟩,"answer":"Rome","path":["born_in"],"verbatim":true}]}
`);
  await checkDiagnostics(`${D}{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[{"question":"Where was Zed born?","answer":"Rome","path":["born_in"],"verbatim":true},{"question":"In which city was Zed born?","answer":"Rome","path":["born_in"],"verbatim":true}]}
`);
});

test('subject-not-in-fact', async () => {
  await checkDiagnostics(`${D}{"id":"a","fact":"Zedd was born in Rome.","subject":⟦"Zed"⟧⟨error subject-not-in-fact⟩,"triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[]}
`);
  await checkDiagnostics(`${D}{"id":"a","fact":"ZED was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[]}
`);
});

test('locality-mentions-subject: error without a path, warning on an edited relation, fine on another relation', async () => {
  await checkDiagnostics(`${D}{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[],"locality":[{"question":⟦"Who is Zed?"⟧⟨error locality-mentions-subject⟩,"answer":"a man"},{"question":⟦"Where was Zed born, if not in Rome?"⟧⟨warning locality-mentions-subject⟩,"answer":"Paris","path":["born_in"]}]}
`);
  await checkDiagnostics(`${D}{"id":"a","fact":"Zed was born in Rome.","subject":"Zed","triples":[{"subject":"Zed","relation":"born_in","object":"Rome"}],"propagation":[],"locality":[{"question":"Who employs Zed?","answer":"Acme","entity":"Zed","path":["works_for"]},{"question":"Where was Zedekiah born?","answer":"Paris"}]}
`);
});
