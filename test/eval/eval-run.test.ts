// `propmend eval` end to end on the shipped model, at a tiny size: a run of several methods writes a result file
// that validates against schemas/eval-result.schema.json, shares the unedited answers across methods and leaves
// the weights as they were (checksum-verified restores); shards 0/2 and 1/2 merge into exactly the records and
// summaries of the unsharded run; mergeResults refuses foreign, missing and repeated shards.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import Ajv2020 from 'ajv/dist/2020';
import schema from '../../schemas/eval-result.schema.json';
import { shippedAssets } from '../../server/common/paths';
import { JobCancelled, quietContext } from '../../server/jobs/context';
import { type EvalRunParams, evalRunJob, resultFileName } from '../../server/jobs/eval-run';
import type { EvalRunResult } from '../../server/runtime/eval/result';
import { summarizeRecords } from '../../server/runtime/eval/result';
import { mergeResults, ShardError } from '../../server/runtime/eval/shards';
import { Runtime } from '../../server/runtime/session/runtime';

const { model, world } = shippedAssets();
const work = mkdtempSync(join(tmpdir(), 'propmend-eval-run-'));
/** The first 3 validation instances in a folder of their own (the checker's pass stays short). */
const validation = join(work, 'validation.ripple.jsonl');
writeFileSync(
  validation,
  `${readFileSync(join(world, 'splits', 'validation.ripple.jsonl'), 'utf8')
    .split('\n')
    .slice(0, 3)
    .join('\n')}\n`,
);
const runtime = new Runtime({ threads: 1 });
after(() => {
  runtime.dispose();
  rmSync(work, { recursive: true, force: true });
});
const validate = new Ajv2020({ allErrors: true, allowUnionTypes: true }).compile(schema);

const run = (params: Partial<EvalRunParams>) =>
  evalRunJob(
    { datasets: [validation], modelDir: model, methods: ['base'], limit: 2, verifyRestore: true, ...params },
    runtime,
    quietContext(),
  );

describe('propmend eval on the shipped model', () => {
  test('a cancelled evaluation stops with JobCancelled and writes nothing', async () => {
    const aborted = new AbortController();
    aborted.abort();
    const out = join(work, 'cancelled');
    await assert.rejects(
      evalRunJob(
        { datasets: [validation], modelDir: model, methods: ['base'], outDir: out },
        runtime,
        quietContext(aborted.signal),
      ),
      (e) => e instanceof JobCancelled,
    );
    assert.ok(!existsSync(out));
  });

  test('a run of several methods writes a schema-valid result with one record per question and method', async () => {
    const out = join(work, 'out', 'several');
    const methods = ['base', 'prepend', 'cpt-midupper', 'propmend'];
    const { result, summary, file } = await run({ methods, outDir: out, cpt: { steps: 1 } });
    assert.equal(file, join(out, resultFileName(methods, null)));
    const written = JSON.parse(readFileSync(file as string, 'utf8')) as EvalRunResult;
    assert.ok(validate(written), JSON.stringify(validate.errors));
    assert.deepEqual(written.records, result.records);
    // 2 instances of the validation split; every question once per method.
    const perMethod = result.records.filter((r) => r.method === 'base').length;
    assert.ok(perMethod > 2);
    assert.equal(result.records.length, perMethod * methods.length);
    for (const m of methods) assert.equal(result.records.filter((r) => r.method === m).length, perMethod);
    // "before" is computed once per instance and shared: equal across methods for the same question.
    const key = (r: { instance_index: number; question_index: number }) =>
      `${r.instance_index}:${r.question_index}`;
    const before = new Map(result.records.filter((r) => r.method === 'base').map((r) => [key(r), r.before]));
    for (const r of result.records) assert.equal(r.before, before.get(key(r)));
    for (const r of result.records.filter((x) => x.method === 'base')) {
      assert.equal(r.after, r.before);
      assert.equal(r.logprob_after, r.logprob_before);
    }
    assert.deepEqual(result.config.method_settings.prepend, { format: '{fact} {question}' });
    assert.deepEqual((result.config.method_settings['cpt-midupper'] as { steps: number }).steps, 1);
    assert.deepEqual(
      summary.map((r) => r.method),
      methods,
    );
    for (const row of summary) {
      assert.equal(row.split, 'validation');
      assert.equal(row.n_instances, 2);
      for (const cell of [row.efficacy_verbatim, row.efficacy_nonverbatim, row.specificity]) {
        assert.ok(cell.exact_match.mean >= 0 && cell.exact_match.mean <= 1);
        assert.ok(
          cell.exact_match.low <= cell.exact_match.mean && cell.exact_match.mean <= cell.exact_match.high,
        );
      }
    }
    // The prepend answers see the fact, so they differ from the bare answers somewhere.
    assert.ok(result.records.some((r) => r.method === 'prepend' && r.after !== r.before));
    // A second run to the same folder is refused without --force, before any work.
    await assert.rejects(run({ methods, outDir: out }), /exists|--force/);
  });

  test('shards 0/2 and 1/2 merge into the records and summaries of the unsharded run', async () => {
    const methods = ['base', 'prepend'];
    const whole = (await run({ methods, limit: 3 })).result;
    const s0 = (await run({ methods, limit: 3, shard: { index: 0, count: 2 } })).result;
    const s1 = (await run({ methods, limit: 3, shard: { index: 1, count: 2 } })).result;
    assert.deepEqual([...new Set(s0.records.map((r) => r.instance_index))], [0, 2]);
    assert.deepEqual([...new Set(s1.records.map((r) => r.instance_index))], [1]);
    const merged = mergeResults([s1, s0]);
    assert.equal(merged.config.shard, null);
    assert.deepEqual(merged.config, whole.config);
    assert.deepEqual(merged.records, whole.records);
    assert.deepEqual(
      summarizeRecords(merged.records, merged.config.bootstrap),
      summarizeRecords(whole.records, whole.config.bootstrap),
    );
    assert.ok(validate(JSON.parse(JSON.stringify(merged))), JSON.stringify(validate.errors));

    assert.throws(
      () => mergeResults([s0]),
      (e) => e instanceof ShardError && /shard 1\/2 missing/.test(e.message),
    );
    assert.throws(
      () => mergeResults([s0, s0, s1], ['a.json', 'b.json', 'c.json']),
      /given twice \(a\.json and b\.json\)/,
    );
    assert.throws(
      () => mergeResults([s0, { ...s1, config: { ...s1.config, seed: 7 } }]),
      /another configuration/,
    );
    assert.throws(
      () => mergeResults([s0, { ...s1, versions: { ...s1.versions, propmend: '0.0.0' } }]),
      /propmend/,
    );
    assert.throws(() => mergeResults([s0, whole]), /not a shard/);
    const stray = { ...s1, records: [...s1.records, { ...(s0.records[0] as (typeof s0.records)[number]) }] };
    assert.throws(() => mergeResults([s0, stray]), /not in shard 1\/2/);
  });
});
