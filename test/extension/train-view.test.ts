// The training view's pure parts without VS Code: merging progress into the history (a resumed run's
// rewound log replaces the later points), the TrainView's buttons, labels and checkpoint offer per run
// state, the SVG chart geometry, the config templates (equal to examples/train-*.json), the resume choices, and training configs without paths resolving to the shipped
// assets.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import {
  nextRunFolder,
  resumeChoices,
  TRAIN_TEMPLATES,
  templateText,
} from '../../extension/views/train-templates';
import {
  formatDuration,
  fromStatus,
  mergePoints,
  trainView,
  withProgress,
} from '../../extension/views/train-view';
import type { TrainPoint, TrainRunInfo } from '../../server/protocol';
import { parseTrainConfig, resolveTrainPaths } from '../../server/runtime/edit/train-config';
import { chartGeometry } from '../../webviews/train/chart';
import { readFromWebview } from '../../webviews/train/messages';

const root = resolve(__dirname, '..', '..');

const train = (step: number, loss = 1 / step): TrainPoint => ({
  step,
  kind: 'train',
  loss,
  edit_loss: 10 * loss,
  loc_loss: 0.001,
  train_seconds: step,
});
const validation = (step: number, nv: number): TrainPoint => ({
  ...train(step),
  kind: 'validation',
  efficacy_nonverbatim: nv,
  efficacy_verbatim: nv / 2,
});

const run = (over: Partial<TrainRunInfo> = {}): TrainRunInfo => ({
  config: '/w/train-smoke.json',
  out: '/w/runs/train-smoke',
  method: 'propmend',
  max_steps: 100,
  state: 'running',
  step: 4,
  steps_per_second: 2,
  seconds_left: 48,
  best: {
    metric: 'efficacy_nonverbatim',
    step: 4,
    value: 0.25,
    file: '/w/runs/train-smoke/best/hypernet.safetensors',
  },
  error: null,
  ...over,
});

describe('history', () => {
  test('progress appends; a point at or before the last held one rewinds the history from there', () => {
    const held = [train(1), train(2), validation(2, 0.1), train(3)];
    assert.deepEqual(mergePoints(held, [train(4)]), [...held, train(4)]);
    assert.deepEqual(mergePoints(held, [validation(3, 0.2)]), [...held, validation(3, 0.2)]);
    // A resume from step 2's state: step 3 was logged after it and is dropped; step 2's validation stays.
    assert.deepEqual(mergePoints(held, [train(3, 9)]), [train(1), train(2), validation(2, 0.1), train(3, 9)]);
    // The whole log again (the first notification after a resume) replaces everything.
    assert.deepEqual(mergePoints(held, [train(1), train(2)]), [train(1), train(2)]);
  });

  test('a status answer replaces the view; progress of another run replaces its points', () => {
    const view = fromStatus({ run: run(), points: [train(1), train(2)] });
    const next = withProgress(view, { run: run({ step: 3 }), points: [train(3)] });
    assert.deepEqual(
      next.points.map((p) => p.step),
      [1, 2, 3],
    );
    const other = withProgress(next, { run: run({ out: '/elsewhere' }), points: [train(1)] });
    assert.deepEqual(other.points, [train(1)]);
  });
});

describe('view', () => {
  test('running: pause and stop, no resume, no checkpoint offered yet; steps/s and time left shown', () => {
    const v = trainView({ run: run(), points: [train(1), train(2), validation(2, 0.5)] });
    assert.deepEqual([v.canPause, v.canResume, v.canStop], [true, false, true]);
    assert.equal(v.checkpoint, null);
    assert.equal(v.stepText, 'step 4 / 100');
    assert.equal(v.rateText, '2.00 steps/s');
    assert.equal(v.leftText, '0:48 left');
    assert.equal(v.bestText, 'best efficacy_nonverbatim 0.250 at step 4');
    assert.equal(v.fraction, 0.04);
    const [loss, locality, val] = v.charts;
    assert.deepEqual(loss?.series[0]?.points, [
      [1, 10],
      [2, 5],
    ]);
    assert.deepEqual(locality?.series[0]?.points.length, 2);
    assert.deepEqual(val?.series[0]?.points, [[2, 0.5]]);
    assert.deepEqual(val?.yRange, [0, 1]);
  });

  test('paused: resume and the checkpoint; stopped and finished: the checkpoint, no buttons; failed says why', () => {
    const paused = trainView({ run: run({ state: 'paused', seconds_left: null }), points: [] });
    assert.deepEqual([paused.canPause, paused.canResume, paused.canStop], [false, true, false]);
    assert.equal(paused.checkpoint, '/w/runs/train-smoke/best/hypernet.safetensors');
    assert.equal(paused.leftText, '');
    for (const state of ['stopped', 'finished'] as const) {
      const v = trainView({ run: run({ state }), points: [] });
      assert.deepEqual([v.canPause, v.canResume, v.canStop], [false, false, false], state);
      assert.ok(v.checkpoint, state);
    }
    const failed = trainView({
      run: run({ state: 'failed', error: 'x.json: "rank" must be…', best: { ...run().best, file: null } }),
      points: [],
    });
    assert.match(failed.stateLabel, /^Failed: x\.json/);
    assert.equal(failed.checkpoint, null);
    assert.equal(trainView({ run: null, points: [] }).canPause, false);
  });

  test('durations', () => {
    assert.equal(formatDuration(9.4), '0:09');
    assert.equal(formatDuration(247), '4:07');
    assert.equal(formatDuration(3903), '1:05:03');
  });

  test('only known intents come from the page', () => {
    assert.deepEqual(readFromWebview({ type: 'stop' }), { type: 'stop' });
    assert.equal(readFromWebview({ type: 'rm -rf' }), null);
    assert.equal(readFromWebview(null), null);
  });
});

describe('chart', () => {
  test('series scale into the plot box; gaps (NaN) lift the pen; fixed ranges hold', () => {
    const g = chartGeometry(
      {
        id: 'validation',
        title: 't',
        yRange: [0, 1],
        series: [
          {
            name: 'nv',
            tone: 'nonverbatim',
            points: [
              [0, 0],
              [50, Number.NaN],
              [100, 1],
            ],
          },
        ],
      },
      100,
      252,
      126,
    );
    // Plot box: x 44..244, y 8..108.
    assert.equal(g.paths[0]?.d, 'M44 108M244 8');
    assert.deepEqual(
      g.yTicks.map((t) => t.label),
      ['0', '0.50', '1'],
    );
    assert.deepEqual(
      g.xTicks.map((t) => [t.x, t.label]),
      [
        [44, '0'],
        [144, '50'],
        [244, '100'],
      ],
    );
    const flat = chartGeometry(
      {
        id: 'loss',
        title: 't',
        yRange: null,
        series: [
          {
            name: 'l',
            tone: 'edit',
            points: [
              [1, 2],
              [2, 2],
            ],
          },
        ],
      },
      2,
      252,
      126,
    );
    assert.match(flat.paths[0]?.d ?? '', /^M144 58L244 58$/);
  });
});

describe('configs', () => {
  test('the templates are the examples', () => {
    for (const t of Object.values(TRAIN_TEMPLATES)) {
      const example = JSON.parse(readFileSync(join(root, 'examples', t.file), 'utf8'));
      assert.deepEqual(example, t.config, t.file);
      assert.equal(
        templateText(t.file.replace(/^train-|\.json$/g, '') as keyof typeof TRAIN_TEMPLATES),
        `${JSON.stringify(example, null, 2)}\n`,
      );
    }
  });

  test('a config without paths trains the shipped model and world; given paths are relative to the file', () => {
    const shipped = { model: '/pkg/assets/models/tiny-world', world: '/pkg/assets/world' };
    const bare = resolveTrainPaths(
      parseTrainConfig({ method: 'mend' }, '/w/train-x.json'),
      '/w/train-x.json',
      shipped,
    );
    assert.equal(bare.model, shipped.model);
    assert.equal(bare.train, '/pkg/assets/world/splits/train.ripple.jsonl');
    assert.equal(bare.validation, '/pkg/assets/world/splits/validation.ripple.jsonl');
    assert.equal(bare.locality, '/pkg/assets/world/corpus.jsonl');
    const own = resolveTrainPaths(
      parseTrainConfig({ model: 'm', train: 'd/t.jsonl' }, '/w/train-x.json'),
      '/w/train-x.json',
      shipped,
    );
    assert.equal(own.model, '/w/m');
    assert.equal(own.train, '/w/d/t.jsonl');
    assert.equal(own.locality, '/pkg/assets/world/corpus.jsonl');
    assert.throws(() => parseTrainConfig({ model: '' }, '/w/train-x.json'), /"model" must be a path/);
  });

  test('a saved run is offered for resuming, a finished one for showing; a new folder gets the next free suffix', () => {
    assert.deepEqual(resumeChoices(null, 10), []);
    assert.deepEqual(
      resumeChoices(4, 10).map((c) => c.action),
      ['resume', 'new'],
    );
    assert.match(resumeChoices(4, 10)[0]?.label ?? '', /step 4 of 10/);
    assert.deepEqual(
      resumeChoices(10, 10).map((c) => c.action),
      ['show', 'new'],
    );
    const taken = new Set(['/r/a-2', '/r/a-3']);
    assert.equal(
      nextRunFolder('/r/a', (p) => taken.has(p)),
      '/r/a-4',
    );
  });
});
