// Heavy ring (PROPMEND_HEAVY=1): `propmend demo` as `npm run demo` runs it (all six methods on the first 25
// instances of each test split, the gate on 200 questions per set): datasets check clean, the shipped model
// passes its gate, and the table shows what the paper shows on test-in-domain non-verbatim questions,
// propmend > mend >= base, with every accuracy in [0, 1] inside its interval; the result and the HTML report
// are written under .cache/demo/ and no tracked file changes. test/heavy/demo-scaled.test.ts runs a scaled-down demo with --out.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { runCliCaptured } from '../support/cli';

const root = resolve(__dirname, '..', '..');
const METHODS = ['base', 'prepend', 'cpt-midupper', 'memit', 'mend', 'propmend'];
const SPLITS = ['test-in-domain', 'test-ood-entity', 'test-ood-relation', 'test-ood-both'];

interface Row {
  method: string;
  split: string;
  n: number;
  efficacy_verbatim: number;
  efficacy_nonverbatim: number;
  specificity: number;
  ci: Record<string, { mean: number; low: number; high: number; n: number }>;
}

function modifiedTracked(): string {
  return spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' })
    .stdout;
}

test('demo --json: the gate passes and the table shows propmend > mend >= base on test-in-domain non-verbatim', async () => {
  const gitBefore = modifiedTracked();
  const r = await runCliCaptured(['demo', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    check: { errors: number; warnings: number };
    gate: { gate: { passed: boolean }; n: { one_hop: number } };
    table: Row[];
    report: string;
    result: string;
  };
  assert.deepEqual(out.check, { errors: 0, warnings: 0 });
  assert.equal(out.gate.gate.passed, true);
  assert.equal(out.gate.n.one_hop, 200);
  assert.deepEqual(
    out.table.map((x) => `${x.split} ${x.method} ${x.n}`),
    SPLITS.flatMap((s) => METHODS.map((m) => `${s} ${m} 25`)),
  );
  for (const row of out.table)
    for (const key of ['efficacy_verbatim', 'efficacy_nonverbatim', 'specificity'] as const) {
      const c = row.ci[key];
      assert.ok(c, `${row.split} ${row.method} ${key}`);
      assert.ok(
        0 <= c.low && c.low <= row[key] && row[key] <= c.high && c.high <= 1,
        `${row.split} ${row.method} ${key}`,
      );
    }
  const nv = (m: string) =>
    out.table.find((x) => x.split === 'test-in-domain' && x.method === m)?.efficacy_nonverbatim ?? Number.NaN;
  assert.ok(nv('propmend') > nv('mend'), `propmend ${nv('propmend')} > mend ${nv('mend')}`);
  assert.ok(nv('mend') >= nv('base'), `mend ${nv('mend')} >= base ${nv('base')}`);
  assert.equal(out.report, join(root, '.cache', 'demo', 'report.html'));
  assert.ok(existsSync(out.result));
  assert.match(readFileSync(out.report, 'utf8'), /<rect class="bar /);
  assert.equal(modifiedTracked(), gitBefore, 'the demo modifies no tracked file');
});
