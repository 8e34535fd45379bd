// Combining result files into one table for the report: the files are grouped into runs (same config but
// the shard), each run's shards joined back by the eval's own mergeResults (runtime/eval/shards.ts), and runs
// of other methods on the same model, datasets and bootstrap added as more rows. The records are the union
// in canonical order, so every number summarizeRecords derives equals what one unsharded run gives.
// Pure: results in, one result or a MergeError out.
import {
  EVAL_RESULT_FORMAT,
  EVAL_RESULT_VERSION,
  type EvalRunConfig,
  type EvalRunResult,
  sortRecords,
} from '../runtime/eval/result';
import { mergeResults as mergeShards, ShardError } from '../runtime/eval/shards';

/** Results that cannot be shown as one table; the message names the inputs and the fix. */
export class MergeError extends Error {
  override name = 'MergeError';
}

/** A run is its configuration without the shard: shards of one run share it. */
function runKey(config: EvalRunConfig): string {
  const { shard: _shard, ...rest } = config;
  return JSON.stringify(rest);
}

const sameList = (a: readonly string[], b: readonly string[]) => {
  const sortedB = [...b].sort();
  return a.length === b.length && [...a].sort().every((x, i) => x === sortedB[i]);
};

/** One run from its files: a single unsharded file as it is, else the eval's shard merge. */
function joinRun(
  group: readonly number[],
  results: readonly EvalRunResult[],
  name: (i: number) => string,
): EvalRunResult {
  const members = group.map((i) => results[i] as EvalRunResult);
  if (members.every((r) => r.config.shard === null)) {
    if (group.length > 1)
      throw new MergeError(`${group.map(name).join(' and ')} are the same run given twice; pass one of them`);
    return members[0] as EvalRunResult;
  }
  try {
    return mergeShards(members, group.map(name));
  } catch (error) {
    if (error instanceof ShardError) throw new MergeError(error.message);
    throw error;
  }
}

/**
 * One result from several: the shards of each run joined, and runs of different methods on the same model,
 * datasets and bootstrap combined. `names` (file paths) name the inputs in messages.
 */
export function mergeResults(
  results: readonly EvalRunResult[],
  names: readonly string[] = [],
): EvalRunResult {
  const name = (i: number) => names[i] ?? `result ${i + 1}`;
  const first = results[0];
  if (!first) throw new MergeError('no result to report; pass at least one result file');
  if (results.length === 1 && first.config.shard === null) return first;
  results.forEach((r, i) => {
    if (r.config.model !== first.config.model)
      throw new MergeError(
        `${name(i)} evaluates the model ${r.config.model} but ${name(0)} evaluates ${first.config.model}; a table compares one model: report them separately`,
      );
    if (!sameList(r.config.datasets, first.config.datasets))
      throw new MergeError(
        `${name(i)} evaluates ${r.config.datasets.join(', ')} but ${name(0)} evaluates ${first.config.datasets.join(', ')}; a table compares methods on the same datasets: report them separately`,
      );
    const [wa, wb] = [r.versions.model_weights_sha256, first.versions.model_weights_sha256];
    if (wa !== undefined && wb !== undefined && wa !== wb)
      throw new MergeError(
        `${name(i)} and ${name(0)} evaluate different weights under ${first.config.model} (model_weights_sha256 differs); re-run one of them on the current model`,
      );
    const [a, b] = [r.config.bootstrap, first.config.bootstrap];
    if (a.resamples !== b.resamples || a.seed !== b.seed)
      throw new MergeError(
        `${name(i)} uses bootstrap ${a.resamples} resamples, seed ${a.seed}, but ${name(0)} uses ${b.resamples}, seed ${b.seed}; re-run one of them with the other's --seed`,
      );
  });
  const groups = new Map<string, number[]>();
  results.forEach((r, i) => {
    const key = runKey(r.config);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const runs: EvalRunResult[] = [];
  const methodRun = new Map<string, number>();
  for (const group of groups.values()) {
    const run = joinRun(group, results, name);
    const lead = group[0] as number;
    for (const m of run.config.methods) {
      const other = methodRun.get(m);
      if (other !== undefined)
        throw new MergeError(
          `the method ${m} is in two different runs (${name(other)} and ${name(lead)}); pass the results of one of them`,
        );
      methodRun.set(m, lead);
    }
    runs.push(run);
  }
  if (runs.length === 1) return runs[0] as EvalRunResult;
  const records = runs.flatMap((r) => r.records);
  const perMethod: Record<string, number> = {};
  let total = 0;
  const hypernets: Record<string, string> = {};
  const settings: Record<string, unknown> = {};
  for (const r of runs) {
    total += r.timings.total_s;
    for (const [m, s] of Object.entries(r.timings.per_method_s)) perMethod[m] = (perMethod[m] ?? 0) + s;
    Object.assign(hypernets, r.config.hypernets);
    Object.assign(settings, r.config.method_settings);
  }
  return {
    format: EVAL_RESULT_FORMAT,
    version: EVAL_RESULT_VERSION,
    created: results.map((r) => r.created).sort()[results.length - 1] as string,
    config: {
      ...first.config,
      methods: [...methodRun.keys()],
      hypernets,
      method_settings: settings,
      shard: null,
    },
    versions: first.versions,
    timings: { total_s: total, per_method_s: perMethod },
    records: sortRecords(records),
  };
}
