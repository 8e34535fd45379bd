// Meta-training in the real sidecar (dist/sidecar.js through the extension's SidecarManager) on a smoke
// config that names no paths (so it trains the shipped model on the shipped world): the training view's
// watch reconnects to the running job after the panel is closed and reopened and gets the whole history;
// pause writes the state and resume continues the same run (steps and curve prefix kept); stop keeps the
// best checkpoint; a new sidecar (the window closed) finds the saved run and resumes it.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { nodeLaunch, SidecarManager } from '../../extension/sidecar/manager';
import { TrainingWatch } from '../../extension/training/session';
import type { TrainRunView } from '../../extension/views/train-view';
import {
  InspectTrainingRequest,
  RuntimeErrorCode,
  StartTrainingRequest,
  StopTrainingRequest,
  type TrainPoint,
} from '../../server/protocol';
import { bundle, ensureBundle } from './support';

/** How long any one wait may take before the test fails instead of hanging. */
const WAIT_MS = 120_000;

let work: string;
let config: string;

before(() => {
  ensureBundle();
  work = mkdtempSync(join(tmpdir(), 'propmend-train-'));
  config = join(work, 'train-smoke.json');
  writeFileSync(
    config,
    JSON.stringify({
      method: 'propmend',
      layers: 'top',
      rank: 8,
      instances_per_step: 1,
      lr: 0.001,
      max_steps: 2000,
      validate_every: 4,
      validation_instances: 2,
      locality_rows: 1,
      early_stopping: { metric: 'loss', patience: 1000 },
      checkpoint_every: 1,
    }),
  );
});

after(() => rmSync(work, { recursive: true, force: true }));

async function until(what: string, ok: () => boolean): Promise<void> {
  const end = Date.now() + WAIT_MS;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const trainSteps = (points: readonly TrainPoint[]) =>
  points.filter((p) => p.kind === 'train').map((p) => p.step);
const key = (p: TrainPoint) => `${p.step}:${p.kind}:${p.loss}`;

test('the training view reconnects to a running job; pause/resume continue the run; stop keeps the best', async () => {
  const manager = new SidecarManager(() => nodeLaunch(bundle, work));
  const out = join(work, 'runs', 'train-smoke');
  try {
    // The panel opens and starts the run.
    let first: TrainRunView | undefined;
    const panelA = new TrainingWatch(manager, (v) => {
      first = v;
    });
    const started = await panelA.start(config);
    assert.equal(started.run?.out, out);
    await until(
      '8 steps and 2 validations',
      () => (first?.points.filter((p) => p.kind === 'validation').length ?? 0) >= 2,
    );
    // The panel is closed; the run goes on without it.
    panelA.dispose();
    const seen = first?.points ?? [];
    const closedAt = trainSteps(seen).at(-1) as number;
    // Reopened: the whole history comes back, and the new panel follows the run live.
    let second: TrainRunView | undefined;
    const panelB = new TrainingWatch(manager, (v) => {
      second = v;
    });
    const reopened = await panelB.refresh();
    assert.equal(reopened.run?.state, 'running');
    assert.deepEqual(trainSteps(reopened.points).slice(0, 3), [1, 2, 3]);
    assert.ok((reopened.run?.step ?? 0) >= closedAt);
    assert.deepEqual(
      reopened.points.slice(0, seen.length).map(key),
      seen.map(key),
      'same curve as before closing',
    );
    const reopenStep = reopened.run?.step ?? 0;
    await until('steps after reopening', () => (second?.run?.step ?? 0) >= reopenStep + 3);
    const steps = trainSteps(second?.points ?? []);
    assert.deepEqual(
      steps,
      Array.from({ length: steps.length }, (_, i) => i + 1),
      'no step lost or repeated',
    );
    assert.ok(second?.run?.steps_per_second && second.run.steps_per_second > 0);
    assert.ok(second?.run?.seconds_left !== null);

    // Pause: state saved; resume continues the same run from its step with the same curve before it.
    await panelB.pause();
    await until('paused', () => second?.run?.state === 'paused');
    const paused = second as TrainRunView;
    const pausedStep = paused.run?.step as number;
    const inspected = await manager.request(InspectTrainingRequest, { config });
    assert.equal(inspected.saved_step, pausedStep);
    await panelB.resume();
    await until('steps after resuming', () => (second?.run?.step ?? 0) >= pausedStep + 3);
    const resumed = second as TrainRunView;
    assert.deepEqual(
      resumed.points.slice(0, paused.points.length).map(key),
      paused.points.map(key),
      'resume keeps the curve',
    );
    const resumedSteps = trainSteps(resumed.points);
    assert.deepEqual(
      resumedSteps,
      Array.from({ length: resumedSteps.length }, (_, i) => i + 1),
    );

    // A second run elsewhere is refused while this one goes.
    await assert.rejects(
      manager.request(StartTrainingRequest, { config, out: join(work, 'other') }),
      (e: { code: number; message: string }) =>
        e.code === RuntimeErrorCode.InputError && /pause or stop/.test(e.message),
    );

    // Stop: the run ends, its best checkpoint stays.
    const stopped = await manager.request(StopTrainingRequest, {});
    assert.equal(stopped.state, 'stopped');
    assert.ok(stopped.best.file && existsSync(stopped.best.file), `best checkpoint ${stopped.best.file}`);
    assert.equal(stopped.best.metric, 'loss');
    panelB.dispose();

    // The window closes (the sidecar goes); a new one finds the saved run and resumes it.
    await manager.stop();
    const again = await manager.request(InspectTrainingRequest, { config });
    assert.equal(again.saved_step, stopped.step);
    let third: TrainRunView | undefined;
    const panelC = new TrainingWatch(manager, (v) => {
      third = v;
    });
    await panelC.start(config);
    await until('steps after restarting', () => (third?.run?.step ?? 0) >= stopped.step + 2);
    const restartedSteps = trainSteps(third?.points ?? []);
    assert.deepEqual(
      restartedSteps,
      Array.from({ length: restartedSteps.length }, (_, i) => i + 1),
    );
    await manager.request(StopTrainingRequest, {});
    panelC.dispose();
  } finally {
    await manager.stop();
  }
});

test('bad training parameters and configs name the field or file', async () => {
  const manager = new SidecarManager(() => nodeLaunch(bundle, work));
  try {
    await assert.rejects(
      manager.request(StartTrainingRequest, { config: config, max_steps: 0 }),
      (e: { code: number; message: string }) =>
        e.code === RuntimeErrorCode.InvalidParams && /max_steps/.test(e.message),
    );
    const bad = join(work, 'train-bad.json');
    writeFileSync(bad, JSON.stringify({ method: 'propmend', rank: -1 }));
    await assert.rejects(
      manager.request(StartTrainingRequest, { config: bad }),
      (e: { code: number; message: string; data: { file?: string } }) =>
        e.code === RuntimeErrorCode.InputError && /"rank"/.test(e.message) && e.data.file === bad,
    );
    await assert.rejects(manager.request(StopTrainingRequest, {}), (e: { code: number; message: string }) =>
      /no training run/.test(e.message),
    );
  } finally {
    await manager.stop();
  }
});
