// What a new user met when opening the examples in VS Code, at the library level: an empty relation got two
// errors, relation completion ignored the subject's type, and hovering a declaration inside the KB file
// showed nothing. Uses the checker fixtures of test/check (KB at /ws/w.kb.json).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CheckSession } from '../../server/lsp/check/session';
import { memorySource } from '../../server/lsp/check/source';
import type { FileKind, Position } from '../../server/lsp/check/types';
import { completion, hover, kbForDocument } from '../../server/lsp/features/language';
import { checkDiagnostics, parseFixture } from '../check/check-fixture';
import { KB } from '../check/world';

const D = '//- /ws/d/data.ripple.jsonl\n';
const kbText = (parseFixture(KB)[0] as { text: string }).text;

function session(extra: Record<string, string> = {}) {
  const texts = new Map([['/ws/w.kb.json', kbText], ...Object.entries(extra)]);
  return new CheckSession({ source: memorySource(texts), root: '/ws' });
}

/** The position `shift` characters after the start of the first `needle` in `text`. */
function at(text: string, needle: string, shift = 1): Position {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `no ${needle}`);
  const before = text.slice(0, offset + shift).split('\n');
  return { line: before.length - 1, character: (before.at(-1) as string).length };
}

test('an empty relation is one error (the schema says it must not be empty), in a triple and a path', async () => {
  await checkDiagnostics(`${KB}${D}{"id":"a","fact":"Zed was born in Paris.","subject":"Zed","subject_type":"person","triples":[{"subject":"Zed","relation":⟦""⟧⟨error schema: must not be empty⟩,"object":"Paris"}],"propagation":[]}
{"id":"b","fact":"Zed Roe was born in Paris.","subject":"Zed Roe","subject_type":"person","triples":[{"subject":"Zed Roe","relation":"born_in","object":"Paris"}],"propagation":[{"question":"Where?","answer":"France","path":[⟦""⟧⟨error schema: must not be empty⟩],"verbatim":false}]}
`);
});

function labels(kind: FileKind, path: string, text: string, position: Position): string[] {
  const s = session({ [path]: text });
  const doc = { path, kind, text };
  return completion(kbForDocument(s, {}, doc), doc, position)
    .map((c) => c.label)
    .sort();
}

test('relation completion offers the relations of the subject type: a triple, each hop of a path', () => {
  const line =
    '{"id":"a","fact":"Zed was born in Paris.","subject":"Zed","subject_type":"person","triples":[{"subject":"Zed","relation":"","object":"Paris"}],"propagation":[{"question":"Where?","answer":"France","path":["born_in",""],"verbatim":false}],"locality":[{"question":"Capital?","answer":"Paris","entity":"France","path":[""]}]}\n';
  const p = '/ws/d/data.ripple.jsonl';
  assert.deepEqual(labels('ripple', p, line, at(line, '"relation":""', 12)), ['born_in', 'works_for']);
  // The second hop starts where born_in ends: a city.
  assert.deepEqual(labels('ripple', p, line, at(line, '"born_in",""', 11)), ['located_in']);
  // A locality path starts at its entity: France is a country.
  assert.deepEqual(labels('ripple', p, line, at(line, '"path":[""]', 9)), ['capital']);
  // A subject of unknown type gets every relation.
  const untyped = line.replace('"subject_type":"person",', '');
  assert.equal(labels('ripple', p, untyped, at(untyped, '"relation":""', 12)).length, 7);
});

test('relation completion for a KB fact key offers the relations of the entity type', () => {
  const edited = kbText.replace(
    '"Acme": { "type": "company", "facts": {',
    '"Acme": { "type": "company", "facts": { "": "",',
  );
  assert.notEqual(edited, kbText);
  assert.deepEqual(labels('kb', '/ws/w.kb.json', edited, at(edited, '"facts": { "": "",', 11)), [
    'employs',
    'founded_in',
    'headquartered_in',
  ]);
});

test('hover in the KB file: a relation, type and entity declaration, and a fact key', () => {
  const s = session();
  const doc = { path: '/ws/w.kb.json', kind: 'kb' as const, text: kbText };
  const kb = kbForDocument(s, {}, doc);
  const show = (needle: string, shift = 2) => hover(kb, doc, at(kbText, needle, shift))?.markdown ?? '';
  assert.match(show('"born_in": {'), /\*\*relation\*\* `born_in`: person → city \(many-to-one\)/);
  assert.match(show('"Paris": {'), /\*\*entity\*\* `Paris`: city[\s\S]*located_in: France/);
  assert.match(show('"country": {}'), /\*\*type\*\* `country`: 2 entities/);
  assert.match(show('"located_in": "France"'), /\*\*relation\*\* `located_in`: city → country/);
  // The hover covers the key literal, quotes included.
  const range = hover(kb, doc, at(kbText, '"born_in": {', 2))?.range;
  assert.deepEqual(range, { start: at(kbText, '"born_in": {', 0), end: at(kbText, '"born_in": {', 9) });
  // A field name names nothing.
  assert.equal(hover(kb, doc, at(kbText, '"domain"', 2)), undefined);
});
