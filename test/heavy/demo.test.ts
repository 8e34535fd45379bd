// Heavy ring (PROPMEND_HEAVY=1): `propmend demo` at full size, as `npm run demo` runs it: datasets check
// clean, the shipped model passes its quality gate on every question (1-hop >= 95%, 2-hop >= 85%,
// propagation before any edit <= chance + 5 points) with the numbers committed in eval.json, and the
// showcased edits are real test instances answered by the model. test/cli/demo.test.ts runs it on a sample.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { runCliCaptured } from '../support/cli';

const root = resolve(__dirname, '..', '..');

function demo(...flags: string[]) {
  return runCliCaptured(['demo', ...flags]);
}

interface DemoJson {
  check: { errors: number; warnings: number };
  gate: {
    one_hop: number;
    two_hop_known: number;
    propagation_before_edit: number;
    propagation_chance: number;
    propagation_prepend: number;
    gate: { passed: boolean; failures: string[] };
  };
  examples: Array<{ fact: string; question: string; answer: string; closedBook: string; prepend: string }>;
}

test('demo --json: clean datasets, the shipped model passes the full quality gate', async () => {
  const r = await demo('--json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as DemoJson;
  assert.deepEqual(out.check, { errors: 0, warnings: 0 });
  const g = out.gate;
  assert.ok(g.one_hop >= 0.95, `1-hop ${g.one_hop}`);
  assert.ok(g.two_hop_known >= 0.85, `2-hop ${g.two_hop_known}`);
  assert.ok(
    g.propagation_before_edit <= g.propagation_chance + 0.05,
    `propagation ${g.propagation_before_edit}`,
  );
  assert.deepEqual(g.gate, { passed: true, failures: [] });
  // The Prepend baseline must be a real competitor: the model reads a fact in context and uses it.
  assert.ok(g.propagation_prepend > 0.8, `prepend ${g.propagation_prepend}`);
  // The eval the demo prints is the one committed next to the model.
  const committed = JSON.parse(readFileSync(join(root, 'assets/models/tiny-world/eval.json'), 'utf8'));
  assert.equal(committed.one_hop, g.one_hop);
  assert.equal(committed.two_hop_known, g.two_hop_known);
  assert.equal(committed.propagation_before_edit, g.propagation_before_edit);

  const testSplit = readFileSync(join(root, 'assets/world/splits/test-in-domain.ripple.jsonl'), 'utf8');
  assert.equal(out.examples.length, 4);
  for (const e of out.examples) {
    assert.ok(testSplit.includes(JSON.stringify(e.fact)), `${e.fact} is a test-in-domain fact`);
    assert.ok(e.closedBook.length > 0 && e.prepend.length > 0);
  }
});
