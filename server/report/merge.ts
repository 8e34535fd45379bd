// Combining result files into one run for the report: shards of one run (`propmend eval --shard I/N`) are
// joined back, and runs of other methods on the same model and datasets are added as more table rows.
// The merged records are the union of the inputs in canonical order, so every number summarizeRecords
// derives from them equals what one unsharded run gives. Pure: results in, one result or a MergeError out.
// (Engineer "eval" owns server/runtime/eval; this is the report's merge until a shared one lands there.)
import {
  EVAL_RESULT_FORMAT,
  EVAL_RESULT_VERSION,
  type EvalRunConfig,
  type EvalRunResult,
  sortRecords,
} from '../runtime/eval/result';
import { recordKey } from './load';

/** Results that cannot be shown as one table; the message names the inputs and the fix. */
export class MergeError extends Error {
  override name = 'MergeError';
}

/** A run is its configuration without the shard: shards of one run share it. */
function runKey(config: EvalRunConfig): string {
  const { shard: _shard, ...rest } = config;
  return JSON.stringify(rest);
}

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

function checkShards(
  group: readonly number[],
  results: readonly EvalRunResult[],
  name: (i: number) => string,
) {
  const first = results[group[0] as number] as EvalRunResult;
  const sharded = group.filter((i) => (results[i] as EvalRunResult).config.shard !== null);
  if (sharded.length === 0) {
    if (group.length > 1)
      throw new MergeError(`${group.map(name).join(' and ')} are the same run given twice; pass one of them`);
    return;
  }
  if (sharded.length !== group.length)
    throw new MergeError(
      `${group.map(name).join(', ')} mix shards and an unsharded copy of the same run; pass the shards or the whole run`,
    );
  const count = first.config.shard?.count as number;
  const seen = new Map<number, number>();
  for (const i of group) {
    const shard = (results[i] as EvalRunResult).config.shard as { index: number; count: number };
    if (shard.count !== count)
      throw new MergeError(
        `${name(i)} is shard ${shard.index + 1}/${shard.count} but ${name(group[0] as number)} is one of ${count}; pass the shards of one --shard split`,
      );
    const twice = seen.get(shard.index);
    if (twice !== undefined)
      throw new MergeError(
        `${name(twice)} and ${name(i)} are both shard ${shard.index + 1}/${count}; pass it once`,
      );
    seen.set(shard.index, i);
  }
  const missing = Array.from({ length: count }, (_, k) => k).filter((k) => !seen.has(k));
  if (missing.length > 0)
    throw new MergeError(
      `shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k + 1}/${count}`).join(', ')} of the run in ${name(group[0] as number)} ${missing.length > 1 ? 'are' : 'is'} missing; pass every shard's result (or run \`propmend eval\` without --shard)`,
    );
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
  const methodRun = new Map<string, number>();
  for (const group of groups.values()) {
    checkShards(group, results, name);
    const lead = group[0] as number;
    for (const m of (results[lead] as EvalRunResult).config.methods) {
      const other = methodRun.get(m);
      if (other !== undefined)
        throw new MergeError(
          `the method ${m} is in two different runs (${name(other)} and ${name(lead)}); pass the results of one of them`,
        );
      methodRun.set(m, lead);
    }
  }
  const seen = new Map<string, number>();
  const records = [];
  for (const [i, r] of results.entries())
    for (const record of r.records) {
      const key = recordKey(record);
      const twice = seen.get(key);
      if (twice !== undefined)
        throw new MergeError(
          `${name(twice)} and ${name(i)} both hold ${record.method}'s answer to question ${record.question_index} of instance ${record.instance_id}; pass results that do not overlap`,
        );
      seen.set(key, i);
      records.push(record);
    }
  const perMethod: Record<string, number> = {};
  let total = 0;
  const hypernets: Record<string, string> = {};
  const settings: Record<string, unknown> = {};
  for (const r of results) {
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
