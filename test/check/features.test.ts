// Editor features at the library level (server/lsp/features/language.ts), for the file kinds the process
// test does not open: completion of types and relations in KB files and of entities in edit specs, hover
// and definition from a KB fact, and document symbols of KB, edit-spec and RippleEdits files.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { CheckSession } from '../../server/lsp/check/session';
import { memorySource } from '../../server/lsp/check/source';
import type { FileKind, Position } from '../../server/lsp/check/types';
import {
  completion,
  definition,
  documentSymbols,
  hover,
  kbForDocument,
} from '../../server/lsp/features/language';
import { parseFixture } from './check-fixture';
import { KB } from './world';

const files = parseFixture(`${KB}//- /ws/e.edit.json
{
  "model": "m",
  "layers": "top",
  "fact": "Zed was born in Rome.",
  "subject": "Zed",
  "triples": [{ "subject": "Zed", "relation": "born_in", "object": "Ro" }],
  "propagation": [{ "question": "Where?", "answer": "Italy" }]
}
`);
const texts = new Map(files.map((f) => [f.path, f.text]));
const session = new CheckSession({ source: memorySource(texts), root: '/ws' });

function doc(path: string, kind: FileKind, text = texts.get(path) as string) {
  return { path, kind, text };
}

/** The position just after the first occurrence of `needle` (plus `shift` characters). */
function after(text: string, needle: string, shift = 0): Position {
  const offset = text.indexOf(needle) + needle.length + shift;
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: (before.at(-1) as string).length };
}

test('completion in a KB file: types for a domain, relations for a fact key, entities for a fact value', () => {
  const kbText = texts.get('/ws/w.kb.json') as string;
  const edited = kbText.replace('"facts": { "located_in": "France" }', '"facts": { "": "" }');
  const d = doc('/ws/w.kb.json', 'kb', edited);
  const kb = kbForDocument(session, {}, d);
  const labels = (p: Position) => completion(kb, d, p).map((c) => c.label);
  assert.ok(labels(after(edited, '"born_in": { "domain": "', -1)).includes('person'));
  // Paris is a city: its fact keys are the relations whose domain is city.
  assert.deepEqual(labels(after(edited, '"facts": { "', 0)).sort(), ['located_in']);
  assert.ok(labels(after(edited, '"facts": { "": "', 0)).includes('Ada Byron'));
});

test('completion in an edit spec: entities for a triple object, replacing the whole string', () => {
  const d = doc('/ws/e.edit.json', 'edit');
  const kb = kbForDocument(session, {}, d);
  const items = completion(kb, d, after(d.text, '"object": "Ro'));
  const rome = items.find((i) => i.label === 'Rome');
  assert.equal(rome?.detail, 'city');
  const at = after(d.text, '"object": ', 0);
  assert.deepEqual(rome?.textEdit, {
    range: { start: at, end: { line: at.line, character: at.character + 4 } },
    newText: '"Rome"',
  });
});

test('hover and definition on a KB fact object', () => {
  const d = doc('/ws/w.kb.json', 'kb');
  const kb = kbForDocument(session, {}, d);
  const p = after(d.text, '"located_in": "Fra');
  assert.match(
    hover(kb, d, p)?.markdown ?? '',
    /\*\*entity\*\* `France`: country[\s\S]*aliases: French Republic[\s\S]*capital: Paris/,
  );
  const decl = definition(kb, d, p);
  assert.equal(decl?.path, '/ws/w.kb.json');
  // The declaration is the entity's key: `"France": {` in the entities section.
  assert.deepEqual(decl?.range, {
    start: after(d.text, '"France": {', -11),
    end: after(d.text, '"France": {', -3),
  });
});

test('document symbols: KB declarations, the edit spec, RippleEdits records', () => {
  const k = doc('/ws/w.kb.json', 'kb');
  const kbSymbols = documentSymbols(kbForDocument(session, {}, k), k).map((s) => s.name);
  assert.deepEqual(kbSymbols.slice(0, 5), ['person', 'city', 'country', 'company', 'year']);
  assert.ok(kbSymbols.includes('born_in') && kbSymbols.includes('Ada Byron'));
  const e = doc('/ws/e.edit.json', 'edit');
  assert.deepEqual(
    documentSymbols(undefined, e).map((s) => [s.name, s.detail]),
    [['Zed', 'edit spec']],
  );
  const ripple = readFileSync(resolve(__dirname, '../fixtures/rippleedits-sample/popular.json'), 'utf8');
  const symbols = documentSymbols(undefined, doc('/ws/popular.json', 'rippleedits', ripple));
  assert.deepEqual(
    symbols.map((s) => s.detail),
    [
      'The place of death of Billy Kametz is Platte City.',
      "2021 Kerala Legislative Assembly election follows 1998/1999 German Badminton Championships U22 – women's doubles.",
    ],
  );
});
