// A user copies examples/ somewhere else and opens it: paths that only hold inside this repository
// ("$schema": "../schemas/...", "model": "../assets/...") broke it. A spec that names no model is for the
// shipped model (and, naming no KB either, about the shipped world), so the copy checks clean and plans its
// edit on the shipped model.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, test } from 'node:test';
import { shippedAssets } from '../../server/common/paths';
import { planFromSpec } from '../../server/jobs/edit';
import { checkPaths } from '../../server/lsp/check';

const root = resolve(__dirname, '..', '..');
const copy = mkdtempSync(join(tmpdir(), 'propmend-examples-copy-'));
after(() => rmSync(copy, { recursive: true, force: true }));
cpSync(join(root, 'examples'), copy, { recursive: true });

test('no example file points out of examples/', () => {
  const outward: string[] = [];
  for (const name of readdirSync(copy).filter((n) => n.endsWith('.json'))) {
    const value = JSON.parse(readFileSync(join(copy, name), 'utf8')) as Record<string, unknown>;
    for (const [field, v] of Object.entries(value))
      if (typeof v === 'string' && (v.startsWith('../') || v.startsWith('/')))
        outward.push(`${name}: "${field}": "${v}"`);
  }
  // Training configs name the shipped world's splits for `propmend train` run from the repository.
  assert.deepEqual(
    outward.filter((o) => !o.startsWith('train-')),
    [],
  );
});

test('a copy of examples/ outside the repository checks clean', async () => {
  const reports = await checkPaths([copy], { roots: [copy] });
  const problems = reports.flatMap((r) =>
    r.diagnostics
      .filter((d) => d.severity === 'error' || d.severity === 'warning')
      .map((d) => `${r.path}: ${d.code} ${d.message}`),
  );
  assert.deepEqual(problems, []);
  assert.ok(reports.some((r) => r.path.endsWith('new-person.edit.json')));
});

test("a copied spec without a model edits the shipped model with the shipped world's questions", () => {
  const plan = planFromSpec(join(copy, 'new-person.edit.json'));
  assert.equal(plan.modelDir, shippedAssets().model);
  assert.ok(plan.questions.length > 0);
});
