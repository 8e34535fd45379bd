// Schema errors are shown once in the editor: where package.json's `jsonValidation` binds one of our
// schemas to a file name (edit specs, KBs, RippleEdits names), VS Code's JSON service reports schema
// violations and the language server drops its own `propmend/schema` copies; elsewhere (JSON Lines, a
// RippleEdits file recognised by its content, the CLI) ours stay.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { Diagnostic } from '../../server/lsp/check/types';
import { editorDiagnostics, schemaBoundInEditor } from '../../server/lsp/features/editor-view';

const root = resolve(__dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  contributes: { jsonValidation: Array<{ fileMatch: string | string[]; url: string }> };
};
const CHECKER_SCHEMAS = ['edit.schema.json', 'kb.schema.json', 'rippleedits.schema.json'];

test('the file names the language server treats as schema-bound are exactly those package.json binds', () => {
  const bound = manifest.contributes.jsonValidation.filter((v) =>
    CHECKER_SCHEMAS.some((s) => v.url.endsWith(s)),
  );
  assert.equal(bound.length, CHECKER_SCHEMAS.length);
  for (const v of bound)
    for (const glob of [v.fileMatch].flat()) {
      const name = glob.replace('*', 'sample');
      assert.ok(schemaBoundInEditor(`/w/sub/${name}`), `${name} (from ${glob}) is bound in package.json`);
    }
  for (const name of ['x.json', 'x.ripple.jsonl', 'popular.jsonl', 'train-propmend.json', 'my-popular.json'])
    assert.equal(schemaBoundInEditor(`/w/${name}`), false, name);
});

test('schema errors are dropped for bound files only; other codes always stay', () => {
  const at = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };
  const diag = (code: string): Diagnostic => ({
    severity: 'error',
    code,
    message: code,
    range: at,
    fixes: [],
  });
  const all = [diag('schema'), diag('json-syntax'), diag('verbatim-label')];
  const codes = (path: string) => editorDiagnostics(path, all).map((d) => d.code);
  assert.deepEqual(codes('/w/a.edit.json'), ['verbatim-label']);
  assert.deepEqual(codes('/w/world.kb.json'), ['verbatim-label']);
  assert.deepEqual(codes('/w/data.json'), ['schema', 'verbatim-label'], 'no binding: ours is the only copy');
  assert.deepEqual(codes('/w/train.ripple.jsonl'), ['schema', 'json-syntax', 'verbatim-label']);
});
