// The ablate job's plumbing on the shipped model with a micro budget (one optimiser step of one instance,
// rank 4, two evaluation instances): four trainings that differ from the base in exactly the ablated field,
// a row per variant and split (plus no edit and the baseline's online statistics), the result file, resume
// and --force rules, and the bad-input errors of the job and the command (one line, no stack trace).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readTrainConfig } from '../../server/cli/commands/train';
import { packageRoot, shippedAssets } from '../../server/common/paths';
import {
  ABLATION_RESULT_FILE,
  ABLATIONS,
  type AblateParams,
  ablateJob,
  ablationConfig,
} from '../../server/jobs/ablate';
import { quietContext } from '../../server/jobs/context';
import type { TrainConfig } from '../../server/runtime/edit/train-config';
import { Runtime } from '../../server/runtime/session/runtime';
import { runCliCaptured } from '../support/cli';

describe('propmend ablate', () => {
  const runtime = new Runtime({ threads: 1 });
  const work = mkdtempSync(join(tmpdir(), 'propmend-ablate-'));
  const { world } = shippedAssets();
  const lines = (split: string, n: number) =>
    readFileSync(join(world, 'splits', `${split}.ripple.jsonl`), 'utf8')
      .split('\n')
      .slice(0, n)
      .join('\n');
  let base: TrainConfig;
  let params: AblateParams;
  before(() => {
    writeFileSync(join(work, 'train.ripple.jsonl'), `${lines('train', 2)}\n`);
    writeFileSync(join(work, 'validation.ripple.jsonl'), `${lines('validation', 1)}\n`);
    writeFileSync(join(work, 'test-in-domain.ripple.jsonl'), `${lines('test-in-domain', 2)}\n`);
    const corpus = readFileSync(join(world, 'corpus.jsonl'), 'utf8').split('\n').slice(0, 300).join('\n');
    writeFileSync(join(work, 'corpus.jsonl'), `${corpus}\n`);
    const configFile = join(work, 'base.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        method: 'propmend',
        model: shippedAssets().model,
        train: 'train.ripple.jsonl',
        validation: 'validation.ripple.jsonl',
        locality: 'corpus.jsonl',
        layers: 'all',
        rank: 4,
        instances_per_step: 1,
        validate_every: 1,
        validation_instances: 1,
        max_steps: 5,
      }),
    );
    base = readTrainConfig(configFile);
    params = {
      config: base,
      steps: 1,
      outDir: join(work, 'out'),
      evalSplits: [{ name: 'test-in-domain', file: join(work, 'test-in-domain.ripple.jsonl') }],
      bootstrap: { resamples: 100, seed: 1 },
    };
  });
  after(async () => {
    await runtime.dispose();
    rmSync(work, { recursive: true, force: true });
  });

  test('each ablation changes exactly its field; a base that already has it is refused', () => {
    for (const a of ABLATIONS) {
      const c = ablationConfig(base, a, 7);
      const changed = Object.keys(c).filter(
        (k) => JSON.stringify(c[k as keyof TrainConfig]) !== JSON.stringify(base[k as keyof TrainConfig]),
      );
      assert.deepEqual(changed.sort(), ['max_steps', ...(a.field ? [a.field] : [])].sort(), a.name);
    }
    assert.throws(
      () => ablationConfig({ ...base, layers: 'top' }, ABLATIONS[2] as (typeof ABLATIONS)[number]),
      (e: Error) => e.name === 'JobInputError' && /already has "layers": "top"/.test(e.message),
    );
  });

  test('a micro run trains four variants and evaluates them; re-running needs --force for the result', async () => {
    const result = await ablateJob(params, runtime, quietContext());
    assert.deepEqual(
      result.trainings.map((t) => [t.name, t.steps]),
      ABLATIONS.map((a) => [a.name, 1]),
    );
    for (const t of result.trainings) assert.ok(existsSync(t.hypernet), t.hypernet);
    assert.deepEqual(
      result.rows.map((r) => `${r.variant}/${r.stats}`),
      [
        'no edit/null',
        'baseline/frozen',
        'baseline/reference_online',
        'outer-direct/frozen',
        'layers-top/frozen',
        'inner-sft/frozen',
      ],
    );
    for (const r of result.rows) {
      assert.equal(r.n_instances, 2);
      assert.ok(r.efficacy_nonverbatim.exact_match.n > 0 && r.specificity.exact_match.n > 0);
      const { mean, low, high } = r.efficacy_verbatim.exact_match;
      assert.ok(low <= mean && mean <= high);
    }
    const written = JSON.parse(readFileSync(join(params.outDir, ABLATION_RESULT_FILE), 'utf8'));
    assert.deepEqual(written, JSON.parse(JSON.stringify(result)));

    await assert.rejects(ablateJob(params, runtime, quietContext()), (e: Error) =>
      /ablation\.json already exists; .*--force/.test(e.message),
    );
    rmSync(join(params.outDir, ABLATION_RESULT_FILE));
    await assert.rejects(ablateJob({ ...params, steps: 2 }, runtime, quietContext()), (e: Error) =>
      /baseline holds a training of another configuration; pass --force/.test(e.message),
    );
  });

  test('bad input: --out inside the shipped assets, a missing evaluation split, bad flags and configs', async () => {
    await assert.rejects(
      ablateJob({ ...params, outDir: join(packageRoot(), 'assets', 'ablate') }, runtime, quietContext()),
      /inside the shipped assets/,
    );
    const cli = async (...argv: string[]) => runCliCaptured(['ablate', ...argv]);
    let run = await cli('--config', join(work, 'missing.json'));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^propmend ablate: --config .*missing\.json does not exist\n$/);
    run = await cli('--config', join(work, 'base.json'), '--steps', '0');
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--steps must be >= 1/);
    run = await cli('--config', join(work, 'base.json'), '--out', join(work, 'o2'));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /test-ood-relation\.ripple\.jsonl does not exist; pass --eval FILE/);
    writeFileSync(
      join(work, 'mend.json'),
      JSON.stringify({ ...JSON.parse(readFileSync(join(work, 'base.json'), 'utf8')), method: 'mend' }),
    );
    run = await cli('--config', join(work, 'mend.json'));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /"method" is "mend"; the ablations start from a PropMEND config/);
    assert.doesNotMatch(run.stderr, /at .*\.ts:\d+/);
  });
});
