// The result file of one `propmend eval` run (format "propmend.eval-result", schemas/eval-result.schema.json):
// what was run (config, versions, seed, timings) and one record per question and method, so every number a
// report prints traces back to a question, its file and line, and the model's answers before and after the
// edit. Summaries are derived from the records (summarizeRecords), never stored independently of them, so
// merged shards give the same numbers as one run. Types and pure functions only; no file or model access.
import { type Aggregate, aggregate, bootstrapInterval, type Interval, type ScoredQuestion } from './metrics';

export const EVAL_RESULT_FORMAT = 'propmend.eval-result';
export const EVAL_RESULT_VERSION = 1;

export type RecordKind = 'verbatim' | 'non-verbatim' | 'locality';

/** One question of one instance answered under one method's edit of that instance. */
export interface QuestionRecord {
  readonly method: string;
  /** Absolute path of the dataset file and the 1-based line of the instance in it. */
  readonly dataset: string;
  readonly line: number;
  readonly split: string;
  readonly instance_id: string;
  /** Position of the instance in its dataset file (0-based), the unit that shards split on. */
  readonly instance_index: number;
  /** Position of the question within its instance's questions (propagation first, then locality). */
  readonly question_index: number;
  readonly kind: RecordKind;
  /** Relation path joined by "/" ("" when none); RippleEdits categories keep their name here. */
  readonly path: string;
  /** The question's relation path joined by "/" ("" when none), also when `path` holds a category. */
  readonly relation_path: string;
  /** The question's category (RippleEdits' Logical_Generalization, ...), null when it has none. */
  readonly category: string | null;
  readonly question: string;
  readonly answer: string;
  readonly aliases: readonly string[];
  /** The unedited model's answer and the edited model's answer (equal for `base`). */
  readonly before: string;
  readonly after: string;
  readonly exact_match: boolean;
  readonly f1: number;
  /** Mean log-probability of the gold answer's tokens before and after the edit. */
  readonly logprob_before: number;
  readonly logprob_after: number;
  /** Present only when an LLM judge was configured. */
  readonly judge?: { readonly correct: boolean; readonly model: string };
}

export interface ShardSpec {
  /** 0-based shard index I of N. */
  readonly index: number;
  readonly count: number;
}

export interface EvalRunConfig {
  readonly methods: readonly string[];
  readonly datasets: readonly string[];
  readonly model: string;
  /** Hypernetwork file per method that uses one. */
  readonly hypernets: Readonly<Record<string, string>>;
  readonly seed: number;
  readonly bootstrap: { readonly resamples: number; readonly seed: number };
  readonly limit: number | null;
  readonly shard: ShardSpec | null;
  /** Method settings as run (prepend context format, CPT steps and learning rate, MEMIT layers, ...). */
  readonly method_settings: Readonly<Record<string, unknown>>;
  /** The LLM judge's endpoint and model when one was configured (absent or null otherwise). */
  readonly judge?: { readonly url: string; readonly model: string } | null;
}

export interface EvalRunResult {
  readonly format: typeof EVAL_RESULT_FORMAT;
  readonly version: typeof EVAL_RESULT_VERSION;
  readonly created: string;
  readonly config: EvalRunConfig;
  /** propmend, node, onnxruntime versions and the model's weights digest. */
  readonly versions: Readonly<Record<string, string>>;
  /** Wall time per method in seconds, and in total. */
  readonly timings: { readonly total_s: number; readonly per_method_s: Readonly<Record<string, number>> };
  /** Where it ran (platform, CPU, threads); not compared when shards are merged. */
  readonly environment?: Readonly<Record<string, string | number>>;
  readonly records: readonly QuestionRecord[];
}

/** One table cell group: a method on a split, with intervals and n. */
export interface SummaryRow extends Aggregate {
  readonly method: string;
  readonly split: string;
  readonly n_instances: number;
  /** The LLM judge's accuracy, when every record of the row has a verdict. */
  readonly judge?: {
    readonly efficacy_verbatim: Interval;
    readonly efficacy_nonverbatim: Interval;
    readonly specificity: Interval;
  };
}

/** Records in their canonical order: dataset, instance, method, question. */
export function sortRecords(records: readonly QuestionRecord[]): QuestionRecord[] {
  return [...records].sort(
    (a, b) =>
      (a.dataset < b.dataset ? -1 : a.dataset > b.dataset ? 1 : 0) ||
      a.instance_index - b.instance_index ||
      (a.method < b.method ? -1 : a.method > b.method ? 1 : 0) ||
      a.question_index - b.question_index,
  );
}

/** Summary rows per (method, split), in first-seen method order and sorted split order. */
export function summarizeRecords(
  records: readonly QuestionRecord[],
  bootstrap: { resamples: number; seed: number },
): SummaryRow[] {
  const sorted = sortRecords(records);
  const methods = [...new Set(records.map((r) => r.method))];
  const splits = [...new Set(sorted.map((r) => r.split))].sort();
  const rows: SummaryRow[] = [];
  for (const method of methods)
    for (const split of splits) {
      const mine = sorted.filter((r) => r.method === method && r.split === split);
      if (mine.length === 0) continue;
      const scored: ScoredQuestion[] = mine.map((r) => ({
        kind: r.kind,
        path: r.path,
        exactMatch: r.exact_match,
        f1: r.f1,
        logprob: r.logprob_after,
      }));
      const instances = new Set(mine.map((r) => `${r.dataset}\n${r.instance_index}`));
      const judged = mine.every((r) => r.judge !== undefined);
      const verdicts = (kind: RecordKind) =>
        bootstrapInterval(
          mine.filter((r) => r.kind === kind).map((r) => (r.judge?.correct ? 1 : 0)),
          bootstrap,
        );
      rows.push({
        method,
        split,
        n_instances: instances.size,
        ...aggregate(scored, bootstrap),
        ...(judged
          ? {
              judge: {
                efficacy_verbatim: verdicts('verbatim'),
                efficacy_nonverbatim: verdicts('non-verbatim'),
                specificity: verdicts('locality'),
              },
            }
          : {}),
      });
    }
  return rows;
}
