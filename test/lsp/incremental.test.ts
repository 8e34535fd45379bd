// The incremental path the language server relies on: rows rebuilt from an earlier version equal a fresh split,
// and a session that re-checks after random line edits reports exactly what a fresh session reports.
// Property tests with fixed seeds (fast-check); the code under test is server/lsp/check/rows.ts and session.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { commonPrefix, commonSuffix, type Row, updateRows } from '../../server/dataset/rows';
import { CheckSession } from '../../server/lsp/check/session';
import { memorySource } from '../../server/lsp/check/source';

const examples = resolve(__dirname, '..', '..', 'examples');

const lineArb = fc.oneof(
  fc.constantFrom('', 'a', 'ab', '{"x":1}', ' ', 'a\r'),
  fc.string({ maxLength: 6, unit: fc.constantFrom('a', 'b', '\n', '\r', ' ', '"') }),
);
const textArb = fc.array(lineArb, { maxLength: 12 }).map((ls) => ls.join('\n'));

function rawsOf(rows: readonly Row<unknown>[]): string[] {
  return rows.map((r) => r.raw);
}

test('commonPrefix and commonSuffix agree with a character loop', () => {
  fc.assert(
    fc.property(textArb, textArb, (a, b) => {
      let p = 0;
      while (p < Math.min(a.length, b.length) && a[p] === b[p]) p++;
      assert.equal(commonPrefix(a, b), p);
      const max = Math.min(a.length, b.length) - p;
      let s = 0;
      while (s < max && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
      assert.equal(commonSuffix(a, b, max), s);
    }),
    { seed: 7, numRuns: 500 },
  );
});

test('the common ends are found across 64 KB chunk borders', () => {
  const base = 'x'.repeat(200_000);
  const changed = `${base.slice(0, 131_071)}y${base.slice(131_072)}`;
  assert.equal(commonPrefix(base, changed), 131_071);
  assert.equal(commonSuffix(base, changed, base.length - 131_071), base.length - 131_072);
});

test('rows rebuilt from an earlier version equal a fresh split and reuse the untouched rows', () => {
  fc.assert(
    fc.property(textArb, textArb, (before, after) => {
      let made = 0;
      const make = (raw: string) => {
        made++;
        return raw;
      };
      const old = updateRows(undefined, before, make);
      assert.equal(rawsOf(old).join(''), before);
      made = 0;
      const rows = updateRows({ text: before, rows: old }, after, make);
      const fresh = updateRows(undefined, after, (raw) => raw);
      assert.deepEqual(rawsOf(rows), rawsOf(fresh));
      for (const r of rows)
        assert.equal(r.value, r.raw, 'a reused row keeps the value made for the same text');
      if (before === after) assert.equal(made, 0);
    }),
    { seed: 11, numRuns: 1000 },
  );
});

test('an edit in the middle of a long text makes only the rows it touched', () => {
  const lines = Array.from({ length: 1000 }, (_, i) => `{"line":${i}}`);
  const before = `${lines.join('\n')}\n`;
  const old = updateRows(undefined, before, (raw) => raw);
  lines[500] = '{"line":"changed"}';
  let made = 0;
  const rows = updateRows({ text: before, rows: old }, `${lines.join('\n')}\n`, (raw) => {
    made++;
    return raw;
  });
  assert.equal(made, 1);
  assert.equal(rows.length, old.length);
  assert.equal(rows[499], old[499]);
  assert.equal(rows[501], old[501]);
});

test('re-checking after random line edits reports what a fresh session reports', async () => {
  const kb = readFileSync(join(examples, 'world.kb.json'), 'utf8');
  const train = readFileSync(join(examples, 'dataset', 'train.ripple.jsonl'), 'utf8');
  const test = readFileSync(join(examples, 'dataset', 'test-ood-entity.ripple.jsonl'), 'utf8');
  const dir = '/ws/dataset';
  const files = new Map([
    ['/ws/world.kb.json', kb],
    [`${dir}/test-ood-entity.ripple.jsonl`, test],
  ]);
  const path = `${dir}/train.ripple.jsonl`;
  const lines = train.trimEnd().split('\n');
  const editArb = fc.array(
    fc.record({
      line: fc.nat({ max: lines.length }),
      kind: fc.constantFrom('replace-with-test-line', 'break', 'delete', 'insert-copy', 'blank'),
    }),
    { minLength: 1, maxLength: 6 },
  );
  await fc.assert(
    fc.asyncProperty(editArb, async (edits) => {
      const incremental = new CheckSession({
        source: memorySource(new Map([...files, [path, train]])),
        root: '/ws',
      });
      await incremental.check(path);
      const current = lines.slice();
      for (const e of edits) {
        const k = Math.min(e.line, current.length - 1);
        if (e.kind === 'replace-with-test-line') current[k] = test.split('\n')[0] as string;
        else if (e.kind === 'break') current[k] = (current[k] as string).slice(0, 40);
        else if (e.kind === 'delete' && current.length > 1) current.splice(k, 1);
        else if (e.kind === 'insert-copy') current.splice(k, 0, current[k] as string);
        else current.splice(k, 0, '');
        const text = `${current.join('\n')}\n`;
        const got = await incremental.check(path, { text });
        const fresh = new CheckSession({
          source: memorySource(new Map([...files, [path, text]])),
          root: '/ws',
        });
        const want = await fresh.check(path);
        assert.deepEqual(got.diagnostics, want.diagnostics);
      }
    }),
    { seed: 5, numRuns: 40 },
  );
});
