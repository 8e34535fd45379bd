// Heavy ring (PROPMEND_HEAVY=1): `propmend demo --json` on the committed world and model, scaled down: the gate on a fixed
// sample of each question set and the table on one instance per test split with three cheap methods (the
// full-size run, all six methods on the default subsets, is test/heavy/demo.test.ts; this one checks --out and --force): datasets check clean,
// the shipped model passes the gate, the single edit propagates, the table has a row per split and method
// with accuracies in [0, 1], and the result and report land in the folder named by --out.
// test/cli/ground-state.test.ts checks the text output and that a run leaves the checkout unmodified.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseEvalResult } from '../../server/report/index';
import { runCliCaptured } from '../support/cli';

/** Questions per set: enough for every gate threshold to mean something, a few seconds of answering. */
const SAMPLE = '48';
const dir = mkdtempSync(join(tmpdir(), 'propmend-demo-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Cell {
  mean: number;
  low: number;
  high: number;
  n: number;
}
interface DemoJson {
  check: { errors: number; warnings: number };
  gate: {
    one_hop: number;
    two_hop_known: number;
    propagation_before_edit: number;
    propagation_chance: number;
    propagation_prepend: number;
    n: { one_hop: number; two_hop_known: number; propagation: number };
    gate: { passed: boolean; failures: string[] };
  };
  single_edit: {
    method: string;
    questions: Array<{ kind: string; correct_before: boolean | null; correct_after: boolean | null }>;
  } | null;
  sample: { instances_per_split: number | null; splits: string[]; methods: string[] };
  table: Array<{
    method: string;
    split: string;
    n: number;
    efficacy_verbatim: number;
    efficacy_nonverbatim: number;
    specificity: number;
    ci: Record<'efficacy_verbatim' | 'efficacy_nonverbatim' | 'specificity', Cell>;
  }>;
  report: string;
  result: string;
}

test('demo --json, scaled down: gate passes, the edit propagates, a table row per split and method, files written', async () => {
  const out = join(dir, 'out');
  const args = [
    'demo',
    '--json',
    '--sample',
    SAMPLE,
    '--instances',
    '1',
    '--methods',
    'base,prepend,propmend',
  ];
  const r = await runCliCaptured([...args, '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  const o = JSON.parse(r.stdout) as DemoJson;
  assert.deepEqual(o.check, { errors: 0, warnings: 0 });
  const g = o.gate;
  assert.deepEqual(g.n, { one_hop: 48, two_hop_known: 48, propagation: 4 * 48 });
  assert.ok(g.one_hop >= 0.95, `1-hop ${g.one_hop}`);
  assert.ok(g.two_hop_known >= 0.85, `2-hop ${g.two_hop_known}`);
  assert.ok(
    g.propagation_before_edit <= g.propagation_chance + 0.05,
    `propagation ${g.propagation_before_edit}`,
  );
  assert.deepEqual(g.gate, { passed: true, failures: [] });
  assert.ok(g.propagation_prepend > 0.8, `prepend ${g.propagation_prepend}`);

  // The single PropMEND edit of examples/new-person.edit.json propagates and leaves locality alone.
  const edit = o.single_edit;
  assert.ok(edit, 'the demo applies one PropMEND edit');
  assert.equal(edit.method, 'propmend');
  const gained = edit.questions.filter(
    (q) => q.kind === 'nonverbatim' && !q.correct_before && q.correct_after,
  );
  assert.ok(gained.length >= 2, `${gained.length} multi-hop questions answered right only after the edit`);
  const locality = edit.questions.filter((q) => q.kind === 'locality');
  assert.ok(locality.length > 0 && locality.every((q) => q.correct_after === q.correct_before));

  // The table: split-major, one row per method, accuracies in [0, 1] inside their intervals.
  assert.deepEqual(o.sample, {
    instances_per_split: 1,
    splits: ['test-in-domain', 'test-ood-entity', 'test-ood-relation', 'test-ood-both'],
    methods: ['base', 'prepend', 'propmend'],
  });
  assert.deepEqual(
    o.table.map((row) => `${row.split} ${row.method} ${row.n}`),
    o.sample.splits.flatMap((s) => o.sample.methods.map((m) => `${s} ${m} 1`)),
  );
  for (const row of o.table)
    for (const key of ['efficacy_verbatim', 'efficacy_nonverbatim', 'specificity'] as const) {
      const c = row.ci[key];
      assert.equal(c.mean, row[key]);
      assert.ok(
        c.n > 0 && c.low >= 0 && c.low <= c.mean && c.mean <= c.high && c.high <= 1,
        `${row.split} ${row.method} ${key}`,
      );
    }
  // Prepend reads the fact in context: it beats the unedited model on the questions the fact answers.
  const verbatim = (m: string) =>
    o.table.filter((x) => x.method === m).reduce((a, x) => a + x.efficacy_verbatim, 0);
  assert.ok(verbatim('prepend') > verbatim('base'));

  // The run and its report are where --out says; the result reads back as an eval result of the six-method shape.
  assert.equal(o.result, join(out, 'eval-base+prepend+propmend.json'));
  assert.equal(o.report, join(out, 'report.html'));
  const read = parseEvalResult(o.result, readFileSync(o.result, 'utf8'));
  assert.ok(read.ok, read.ok ? '' : read.message);
  assert.equal(
    read.result.records.length,
    o.table.reduce(
      (a, x) => a + x.ci.efficacy_verbatim.n + x.ci.efficacy_nonverbatim.n + x.ci.specificity.n,
      0,
    ),
  );
  assert.match(readFileSync(o.report, 'utf8'), /<svg class="chart"/);
  // A folder the user named is replaced only with --force; the check comes before any work.
  const again = await runCliCaptured([...args, '--out', out]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /report\.html.*--force/);
});
