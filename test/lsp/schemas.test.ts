// The JSON Schemas as an editor sees them: VS Code's JSON service loads each schema that package.json
// contributes (`jsonValidation`) or that a file names in `$schema`, and resolves every `$ref` it contains
// as a URL. A `urn:` reference cannot be fetched, so every `$ref` must stay inside its own file.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { validateSchema } from '../../server/lsp/check/schema';

const root = resolve(__dirname, '..', '..');
type Json = Record<string, unknown>;

function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, 'utf8')) as Json;
}

function refsOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsOf(v, out);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsOf(v, out);
    }
  return out;
}

/** Follows a local JSON pointer (`#/$defs/x`) inside one schema document. */
function pointer(schema: Json, ref: string): unknown {
  let node: unknown = schema;
  for (const part of ref.replace(/^#\/?/, '').split('/').filter(Boolean))
    node = (node as Json | undefined)?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  return node;
}

const pkg = readJson(join(root, 'package.json')) as {
  contributes: { jsonValidation: Array<{ url: string; fileMatch: string | string[] }> };
};
const contributed = pkg.contributes.jsonValidation.map((v) => resolve(root, v.url));

test('every schema the editor loads resolves all its $refs inside its own file', () => {
  assert.ok(contributed.length >= 3);
  const problems: string[] = [];
  for (const file of contributed) {
    const schema = readJson(file);
    for (const ref of refsOf(schema)) {
      if (!ref.startsWith('#')) problems.push(`${file}: $ref ${ref} leaves the file`);
      else if (pointer(schema, ref) === undefined) problems.push(`${file}: $ref ${ref} points nowhere`);
    }
  }
  assert.deepEqual(problems, []);
});

test("the edit spec's triple is the ripple format's triple", () => {
  const strip = (v: unknown) => {
    const { description: _, ...rest } = v as Json;
    return rest;
  };
  const edit = readJson(join(root, 'schemas/edit.schema.json'));
  const ripple = readJson(join(root, 'schemas/ripple.schema.json'));
  assert.deepEqual(strip(pointer(edit, '#/$defs/triple')), strip(pointer(ripple, '#/$defs/triple')));
});

test('the checker still validates triples of an edit spec through the schema', () => {
  const spec = readJson(join(root, 'examples/marta-quill.edit.json'));
  assert.deepEqual(validateSchema('edit', spec), []);
  const bad = { ...spec, triples: [{ subject: 'Marta Quill', relation: '', object: 'Cobalt Labs' }] };
  const messages = validateSchema('edit', bad).map((p) => p.message);
  assert.ok(
    messages.some((m) => /triples\[0\]\.relation must not be empty/.test(m)),
    messages.join('\n'),
  );
});

test('no example file names a schema by a path that only exists inside this repository', () => {
  const offenders: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.json')) {
        const value = readJson(path);
        if (typeof value.$schema === 'string' && value.$schema.startsWith('.'))
          offenders.push(`${path}: "$schema": "${value.$schema}"`);
      }
    }
  };
  walk(join(root, 'examples'));
  assert.deepEqual(offenders, []);
});

/** VS Code's `fileMatch` for a plain name pattern: `*` stands for any characters of the file name. */
function matches(pattern: string, name: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(name);
}

test('every example JSON file gets its schema from the extension by its name', () => {
  const unmatched = readdirSync(join(root, 'examples'))
    .filter((name) => name.endsWith('.json'))
    .filter(
      (name) =>
        !pkg.contributes.jsonValidation.some((v) =>
          [v.fileMatch].flat().some((pattern) => matches(pattern, name)),
        ),
    );
  assert.deepEqual(unmatched, []);
  assert.ok(matches('*.kb.json', 'world.kb.json') && !matches('*.kb.json', 'world.json'));
});
