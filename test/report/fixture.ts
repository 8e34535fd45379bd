// Eval results for the report's tests, generated instead of committed: a seeded run over a few methods,
// splits and instances whose per-method accuracies differ, and the shards (--shard I/N) of such a run.
// Builds plain EvalRunResult objects; reads and writes no file.
import { Rng } from '../../server/common/random';
import {
  EVAL_RESULT_FORMAT,
  EVAL_RESULT_VERSION,
  type EvalRunResult,
  type QuestionRecord,
  type RecordKind,
} from '../../server/runtime/eval/result';

export interface FixtureOptions {
  readonly methods?: readonly string[];
  readonly splits?: readonly string[];
  readonly instances?: number;
  readonly seed?: number;
  readonly model?: string;
  /** Replaces the question text of the first record (escaping tests). */
  readonly firstQuestion?: string;
}

/** Chance of a right answer per method and kind: propmend propagates, mend and base mostly do not. */
const SKILL: Record<string, Record<RecordKind, number>> = {
  base: { verbatim: 0.1, 'non-verbatim': 0.1, locality: 1 },
  prepend: { verbatim: 0.95, 'non-verbatim': 0.9, locality: 0.95 },
  memit: { verbatim: 0.7, 'non-verbatim': 0.2, locality: 0.95 },
  mend: { verbatim: 0.6, 'non-verbatim': 0.15, locality: 0.9 },
  propmend: { verbatim: 0.8, 'non-verbatim': 0.5, locality: 0.9 },
};

const KINDS: RecordKind[] = [
  'verbatim',
  'non-verbatim',
  'non-verbatim',
  'non-verbatim',
  'locality',
  'locality',
];
const PATHS = ['employer', 'employer/company_industry', 'born_in/city_country', 'studied_at/located_in'];

/** A whole (unsharded) run: every method answers every question of every instance of every split. */
export function makeResult(options: FixtureOptions = {}): EvalRunResult {
  const methods = options.methods ?? ['base', 'mend', 'propmend'];
  const splits = options.splits ?? ['test-in-domain', 'test-ood-entity'];
  const instances = options.instances ?? 12;
  const seed = options.seed ?? 7;
  const rng = new Rng(seed);
  const records: QuestionRecord[] = [];
  for (const split of splits) {
    const dataset = `/data/world/${split}.ripple.jsonl`;
    for (let i = 0; i < instances; i++)
      for (const method of methods)
        KINDS.forEach((kind, q) => {
          const right = rng.next() < (SKILL[method]?.[kind] ?? 0.5);
          const answer = `Answer${i}x${q}`;
          const after = right ? answer : `Wrong${rng.int(9)}`;
          records.push({
            method,
            dataset,
            line: i + 1,
            split,
            instance_id: `${split}-${i}`,
            instance_index: i,
            question_index: q,
            kind,
            path: kind === 'locality' ? 'capital' : (PATHS[q % PATHS.length] as string),
            relation_path: kind === 'locality' ? 'capital' : (PATHS[q % PATHS.length] as string),
            category: null,
            question: `Question ${q} about person ${i} of ${split}?`,
            answer,
            aliases: q === 1 ? [`${answer} Ltd`] : [],
            before: kind === 'locality' ? answer : `Before${q}`,
            after,
            exact_match: right,
            f1: right ? 1 : 0,
            logprob_before: -3 - rng.next(),
            logprob_after: right ? -0.5 * rng.next() : -2 - rng.next(),
          });
        });
  }
  if (options.firstQuestion !== undefined && records[0])
    records[0] = { ...records[0], question: options.firstQuestion };
  return {
    format: EVAL_RESULT_FORMAT,
    version: EVAL_RESULT_VERSION,
    created: '2026-11-29T12:00:00.000Z',
    config: {
      methods,
      datasets: splits.map((s) => `/data/world/${s}.ripple.jsonl`),
      model: options.model ?? '/models/tiny-world',
      hypernets: {},
      seed,
      bootstrap: { resamples: 200, seed: 11 },
      limit: null,
      shard: null,
      method_settings: {},
    },
    versions: { propmend: '0.1.0', node: 'v20.19.0' },
    timings: { total_s: 10, per_method_s: Object.fromEntries(methods.map((m) => [m, 10 / methods.length])) },
    records,
  };
}

/** Shard I of N of a run: the instances whose index is I modulo N, as `propmend eval --shard` slices. */
export function shardOf(run: EvalRunResult, index: number, count: number): EvalRunResult {
  return {
    ...run,
    config: { ...run.config, shard: { index, count } },
    timings: { total_s: run.timings.total_s / count, per_method_s: run.timings.per_method_s },
    records: run.records.filter((r) => r.instance_index % count === index),
  };
}
