// Property test: random mutations of the valid example files (character flips, truncations, inserted
// garbage, deleted keys, values of the wrong type) never make the checker throw, and every diagnostic it
// returns is well formed with an in-range position. Seeds are fixed, so runs are reproducible.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { CheckSession } from '../../server/lsp/check/session';
import { memorySource } from '../../server/lsp/check/source';
import { assertWellFormed } from './check-fixture';

const EXAMPLES = resolve(__dirname, '../../examples');
const FILES = [
  'world.kb.json',
  'marta-quill.edit.json',
  'dataset/train.ripple.jsonl',
  'dataset/test-ood-both.ripple.jsonl',
];
const RIPPLE = resolve(__dirname, '../fixtures/rippleedits-sample/recent.json');
const ORIGINAL = new Map([
  ...FILES.map((f) => [join('/ws', f), readFileSync(join(EXAMPLES, f), 'utf8')] as [string, string]),
  ['/ws/recent.json', readFileSync(RIPPLE, 'utf8')],
]);
const TARGETS = [...ORIGINAL.keys()];

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Paths to every value inside a JSON value. */
function valuePaths(v: Json, path: Array<string | number> = [], out: Array<Array<string | number>> = []) {
  out.push(path);
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      valuePaths(x, [...path, i], out);
    });
  } else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) valuePaths(x, [...path, k], out);
  return out;
}

function edit(
  root: Json,
  path: Array<string | number>,
  fn: (parent: Record<string | number, Json>, key: string | number) => void,
): Json {
  if (path.length === 0) return root;
  const copy = structuredClone(root) as Json;
  let cur = copy as Record<string | number, Json>;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, Json>;
  fn(cur, path[path.length - 1] as string | number);
  return copy;
}

const WRONG: Json[] = [null, true, 0, -1.5, '', 'text', [], [1, 'a'], {}, { x: 1 }];

type Mutation =
  | { kind: 'flip'; at: number; char: string }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'delete-key'; pick: number; line: number }
  | { kind: 'wrong-type'; pick: number; line: number; value: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    char: fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.string({ maxLength: 12, unit: 'binary' }),
  }),
  fc.record({ kind: fc.constant('delete-key' as const), pick: fc.nat(), line: fc.nat() }),
  fc.record({
    kind: fc.constant('wrong-type' as const),
    pick: fc.nat(),
    line: fc.nat(),
    value: fc.nat(WRONG.length - 1),
  }),
);

/** Applies a structural mutation to one JSON document (for JSONL, to one line). */
function mutateJson(text: string, m: Extract<Mutation, { pick: number }>): string {
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch {
    return text; // an earlier mutation broke the syntax; structure edits need a parsed value
  }
  const paths = valuePaths(value).filter((p) => p.length > 0);
  const path = paths[m.pick % Math.max(1, paths.length)];
  if (!path) return text;
  const out =
    m.kind === 'delete-key'
      ? edit(value, path, (parent, key) => {
          if (Array.isArray(parent)) parent.splice(key as number, 1);
          else delete parent[key];
        })
      : edit(value, path, (parent, key) => {
          parent[key] = WRONG[m.value] as Json;
        });
  return JSON.stringify(out);
}

function apply(text: string, path: string, m: Mutation): string {
  const at = (n: number) => n % (text.length + 1);
  switch (m.kind) {
    case 'flip':
      return text.slice(0, at(m.at)) + m.char + text.slice(at(m.at) + 1);
    case 'truncate':
      return text.slice(0, at(m.at));
    case 'insert':
      return text.slice(0, at(m.at)) + m.text + text.slice(at(m.at));
    default: {
      if (!path.endsWith('.jsonl')) return mutateJson(text, m);
      const lines = text.split('\n');
      const i = m.line % lines.length;
      if ((lines[i] as string).trim() === '') return text;
      lines[i] = mutateJson(lines[i] as string, m);
      return lines.join('\n');
    }
  }
}

test('mutated example files never crash the checker and give well-formed diagnostics', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...TARGETS),
      fc.array(mutation, { minLength: 1, maxLength: 3 }),
      async (target, ms) => {
        let text = ORIGINAL.get(target) as string;
        for (const m of ms) text = apply(text, target, m);
        const files = new Map(ORIGINAL);
        files.set(target, text);
        const session = new CheckSession({ source: memorySource(files), root: '/ws' });
        // The mutated file itself, and a dataset sibling that reads it (KB or split) through the session.
        const report = await session.check(target);
        assertWellFormed(report, text);
        const sibling = await session.check('/ws/dataset/test-ood-both.ripple.jsonl');
        assertWellFormed(sibling, files.get('/ws/dataset/test-ood-both.ripple.jsonl') as string);
      },
    ),
    { seed: 20261125, numRuns: 300 },
  );
});
