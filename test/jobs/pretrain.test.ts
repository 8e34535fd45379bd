// The pretraining job through its JobContext: a cancelled run throws JobCancelled and leaves a checkpoint
// that the next run resumes; a finished run run again reports itself complete (also after a kill between
// the final rename and the clean-up, or during the final save); a run that stops inside an epoch reports
// that epoch's loss; progress fractions rise to 1.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { JobCancelled, type JobProgress, quietContext } from '../../server/jobs/context';
import { type PretrainParams, pretrainJob } from '../../server/jobs/pretrain';
import { Runtime } from '../../server/runtime/session/runtime';
import { RECIPES } from '../../server/runtime/train/recipes';
import { writeToyWorld } from '../support/toy-world';

describe('pretraining job', () => {
  const dir = mkdtempSync(join(tmpdir(), 'propmend-pretrain-job-'));
  const world = join(dir, 'world');
  const runtime = new Runtime({ threads: 1 });
  const params = (out: string, maxSteps: number): PretrainParams => ({
    world,
    out,
    recipeName: 'smoke',
    recipe: { ...RECIPES.smoke, maxSteps, checkpointEvery: 5 },
    saveDtype: 'float32',
    rebuild: 'test',
  });
  before(() => writeToyWorld(world));
  after(async () => {
    await runtime.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a cancelled run leaves a resumable checkpoint; the resumed run finishes and cleans up', async () => {
    const out = join(dir, 'cancelled');
    const controller = new AbortController();
    const seen: JobProgress[] = [];
    const ctx = {
      ...quietContext(controller.signal),
      progress: (p: JobProgress) => {
        seen.push(p);
        if (p.fraction >= 0.5) controller.abort();
      },
    };
    await assert.rejects(pretrainJob(params(out, 12), runtime, ctx), (e: Error) => {
      assert.ok(e instanceof JobCancelled);
      assert.equal(e.resumeHint, 'run the same command to resume');
      return true;
    });
    const state = JSON.parse(readFileSync(join(`${out}.training`, 'checkpoint', 'state.json'), 'utf8'));
    assert.equal(state.step, 6, 'the checkpoint holds the step the run stopped at');
    assert.ok(!existsSync(out), 'no model folder from a cancelled run');
    assert.ok(seen.every((p, i) => i === 0 || p.fraction >= (seen[i - 1] as JobProgress).fraction));

    const logs: string[] = [];
    const resumed = await pretrainJob(params(out, 12), runtime, {
      ...quietContext(),
      log: (l) => logs.push(l),
    });
    assert.equal(resumed.steps, 12);
    assert.ok(logs.some((l) => /resuming from the checkpoint at step 6/.test(l)));
    assert.ok(existsSync(join(out, 'model.safetensors')));
    assert.ok(!existsSync(`${out}.training`));
  });

  test('running a finished run again reports it complete, after a kill at any point of the final save', async () => {
    const out = join(dir, 'finished');
    const first = await pretrainJob(params(out, 4), runtime, quietContext());
    assert.equal(first.alreadyComplete, false);
    // A kill after the rename, before the clean-up, leaves the checkpoint folder; a kill during the save, a
    // temp folder of a process that no longer exists.
    mkdirSync(join(`${out}.training`, 'checkpoint'), { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    mkdirSync(join(dir, `.finished.${dead}.x.saving`));
    const again = await pretrainJob(params(out, 4), runtime, quietContext());
    assert.deepEqual(
      { complete: again.alreadyComplete, steps: again.steps, loss: again.finalEpochLoss },
      { complete: true, steps: 4, loss: first.finalEpochLoss },
    );
    assert.ok(!existsSync(`${out}.training`));
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('.finished.')),
      [],
    );
    // Another recipe is not this run: the folder is refused without --force.
    await assert.rejects(pretrainJob(params(out, 5), runtime, quietContext()), /already exists/);
  });

  test('a run that stops inside an epoch reports the loss of the steps it ran', async () => {
    // 200 sequences in batches of 32 make 7 steps an epoch; 4 steps stop inside the first.
    const r = await pretrainJob(params(join(dir, 'partial'), 4), runtime, quietContext());
    assert.equal(r.finalEpochSteps, 4);
    assert.ok(r.finalEpochLoss !== null && Number.isFinite(r.finalEpochLoss));
    const training = JSON.parse(readFileSync(join(dir, 'partial', 'training.json'), 'utf8'));
    assert.equal(training.finalEpochLoss, r.finalEpochLoss);
    assert.equal(training.finalEpochSteps, 4);
  });
});
