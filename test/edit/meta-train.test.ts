// Meta-training on a random fixture checkpoint with its word-level tokenizer: a run killed (aborted) after
// two steps and re-run resumes to the same losses, validation metrics and parameters as an uninterrupted
// run; a short smoke run on one instance lowers its meta loss; the best checkpoint loads back.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadTokenizer, type TextTokenizer } from '../../server/common/tokenizer';
import { loadHypernet } from '../../server/runtime/edit/hypernet-checkpoint';
import type { EditInstance } from '../../server/runtime/edit/instances';
import { BEST_DIR, METRICS_FILE, metaTrain } from '../../server/runtime/edit/meta-train';
import { defaultConfig, type TrainConfig } from '../../server/runtime/edit/train-config';
import { loadTrainState } from '../../server/runtime/edit/train-state';
import type { LanguageModel } from '../../server/runtime/models/language-model';
import { loadLanguageModel } from '../../server/runtime/models/load';
import { Runtime } from '../../server/runtime/session/runtime';
import { writeFixture } from '../support/fixtures';

const q = (question: string, answer: string, kind: 'verbatim' | 'nonverbatim' | 'locality') => ({
  question,
  answer,
  aliases: [],
  kind,
});

const INSTANCES: EditInstance[] = [
  {
    id: 'a',
    fact: 'alice was born in paris. alice works for the company.',
    entities: ['alice', 'paris'],
    questions: [
      q('where was alice born?', 'paris', 'verbatim'),
      q('in which country was alice born?', 'france', 'nonverbatim'),
    ],
  },
  {
    id: 'b',
    fact: 'bob lives in tokyo. bob is the author of the book.',
    entities: ['bob', 'tokyo'],
    questions: [
      q('where does bob live?', 'tokyo', 'verbatim'),
      q('which language do people in the city of bob speak?', 'japanese', 'nonverbatim'),
    ],
  },
  {
    id: 'c',
    fact: 'carol was born in rome. carol is a singer.',
    entities: ['carol', 'rome'],
    questions: [
      q('where was carol born?', 'rome', 'verbatim'),
      q('what is the currency of the country where carol was born?', 'euro', 'nonverbatim'),
    ],
  },
];
const TEXTS = [
  'the capital of france is paris.',
  'people in japan speak japanese.',
  'the river of the city is old.',
  'dave is a football player.',
];

describe('meta-training on a fixture model', () => {
  const runtime = new Runtime({ threads: 1 });
  const dir = mkdtempSync(join(tmpdir(), 'propmend-meta-'));
  let model: LanguageModel;
  let tokenizer: TextTokenizer;
  before(async () => {
    writeFixture(join(dir, 'model'), 'llama-tiny');
    model = loadLanguageModel(join(dir, 'model'), { runtime });
    tokenizer = await loadTokenizer(join(dir, 'model'));
  });
  after(async () => {
    await runtime.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const config = (over: Partial<TrainConfig>): TrainConfig => ({
    ...defaultConfig('propmend'),
    model: 'unused',
    train: 'unused',
    validation: 'unused',
    locality: 'unused',
    layers: 'all',
    rank: 8,
    instances_per_step: 2,
    max_steps: 4,
    validate_every: 2,
    validation_instances: 1,
    checkpoint_every: 1,
    early_stopping: { metric: 'loss', patience: 10 },
    ...over,
  });
  const run = (cfg: TrainConfig, out: string, signal?: AbortSignal, abortAfter?: () => void) =>
    metaTrain(
      {
        model,
        tokenizer,
        config: cfg,
        train: INSTANCES,
        validation: INSTANCES,
        localityTexts: TEXTS,
        outDir: out,
      },
      { ...(signal ? { signal } : {}), progress: (done) => (done === 2 ? abortAfter?.() : undefined) },
    );
  const curve = (out: string) =>
    readFileSync(join(out, METRICS_FILE), 'utf8')
      .trim()
      .split('\n')
      .map((l) => {
        const { train_seconds: _t, ...rest } = JSON.parse(l) as Record<string, unknown>;
        return rest;
      });

  test('a run aborted after two steps and resumed matches an uninterrupted run', async () => {
    const cfg = config({});
    const whole = join(dir, 'whole');
    await run(cfg, whole);
    const split = join(dir, 'split');
    const controller = new AbortController();
    const first = await run(cfg, split, controller.signal, () => controller.abort());
    assert.equal(first.steps, 2);
    const second = await run(cfg, split);
    assert.equal(second.steps, 4);
    assert.deepEqual(curve(split), curve(whole));
    const shapes = new Map([
      ['64x160', { dIn: 64, dOut: 160 }],
      ['160x64', { dIn: 160, dOut: 64 }],
    ]);
    const a = loadTrainState(whole, shapes)!;
    const b = loadTrainState(split, shapes)!;
    for (const [name, p] of a.params) assert.deepEqual(b.params.get(name), p, name);
    assert.deepEqual(b.stats, a.stats);
    const best = loadHypernet(join(whole, BEST_DIR), model);
    assert.equal(best.method, 'propmend');
    assert.equal(best.net.layout.spec.targets.length, 6);
  });

  test('a smoke run on one instance lowers its meta loss', async () => {
    const out = join(dir, 'smoke');
    const cfg = config({ instances_per_step: 1, max_steps: 12, lr: 1e-3, validate_every: 100, c_edit: 1 });
    await metaTrain(
      {
        model,
        tokenizer,
        config: cfg,
        train: INSTANCES.slice(0, 1),
        validation: INSTANCES,
        localityTexts: TEXTS,
        outDir: out,
      },
      {},
    );
    const losses = curve(out)
      .filter((r) => r.kind === 'train')
      .map((r) => r.edit_loss as number);
    const head = (losses[0]! + losses[1]! + losses[2]!) / 3;
    const tail = (losses.at(-1)! + losses.at(-2)! + losses.at(-3)!) / 3;
    assert.ok(tail < 0.8 * head, `edit loss went from ${head} to ${tail}`);
  });
});
