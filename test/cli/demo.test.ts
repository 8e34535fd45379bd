// `propmend demo` on the committed world and model with the gate on a fixed sample of each question set
// (the full-size run is test/heavy/demo.test.ts): datasets check clean, the shipped model passes the gate,
// the showcased edits are real test instances answered by the model. test/cli/ground-state.test.ts checks
// the text output and that a run leaves the checkout unmodified.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { runCliCaptured } from '../support/cli';

const root = resolve(__dirname, '..', '..');
/** Questions per set: enough for every gate threshold to mean something, a few seconds of answering. */
const SAMPLE = '48';

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
  examples: Array<{ fact: string; question: string; answer: string; closedBook: string; prepend: string }>;
  single_edit: {
    method: string;
    questions: Array<{ kind: string; correct_before: boolean | null; correct_after: boolean | null }>;
  } | null;
}

test('demo --json --sample: clean datasets, the gate passes on the sample, real test edits shown', async () => {
  const r = await runCliCaptured(['demo', '--json', '--sample', SAMPLE]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as DemoJson;
  assert.deepEqual(out.check, { errors: 0, warnings: 0 });
  const g = out.gate;
  assert.deepEqual(g.n, { one_hop: 48, two_hop_known: 48, propagation: 4 * 48 });
  assert.ok(g.one_hop >= 0.95, `1-hop ${g.one_hop}`);
  assert.ok(g.two_hop_known >= 0.85, `2-hop ${g.two_hop_known}`);
  assert.ok(
    g.propagation_before_edit <= g.propagation_chance + 0.05,
    `propagation ${g.propagation_before_edit}`,
  );
  assert.deepEqual(g.gate, { passed: true, failures: [] });
  // The Prepend baseline must be a real competitor: the model reads a fact in context and uses it.
  assert.ok(g.propagation_prepend > 0.8, `prepend ${g.propagation_prepend}`);
  const testSplit = readFileSync(join(root, 'assets/world/splits/test-in-domain.ripple.jsonl'), 'utf8');
  assert.equal(out.examples.length, 4);
  for (const e of out.examples) {
    assert.ok(testSplit.includes(JSON.stringify(e.fact)), `${e.fact} is a test-in-domain fact`);
    assert.ok(e.closedBook.length > 0 && e.prepend.length > 0);
  }
  // Part 4: the shipped PropMEND hypernetwork's edit of examples/new-person.edit.json propagates.
  const edit = out.single_edit;
  assert.ok(edit, 'the demo applies one PropMEND edit');
  assert.equal(edit.method, 'propmend');
  const gained = edit.questions.filter(
    (q) => q.kind === 'nonverbatim' && !q.correct_before && q.correct_after,
  );
  assert.ok(gained.length >= 2, `${gained.length} multi-hop questions answered right only after the edit`);
  const locality = edit.questions.filter((q) => q.kind === 'locality');
  assert.ok(locality.length > 0 && locality.every((q) => q.correct_after === q.correct_before));
});

test('demo: a bad flag is a usage error (exit 2)', async () => {
  const r = await runCliCaptured(['demo', '--sample', '0']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--sample must be >= 1, got 0/);
});
