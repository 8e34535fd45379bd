// Shards of an evaluation and their merge: shard I of N holds the instances whose 0-based position in their
// dataset file (after --limit) is I modulo N, so shards are balanced across files and splits; mergeResults
// joins the result files of all N shards into the result one unsharded run gives (same records, so the same
// summaries). Pure functions over result values; reading and writing files is the caller's.
import { type EvalRunConfig, type EvalRunResult, type ShardSpec, sortRecords } from './result';

/** Parses "I/N" (0 <= I < N); the error names the flag's form. */
export function parseShard(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!(Number.isSafeInteger(index) && Number.isSafeInteger(count) && count >= 1 && index < count))
    throw new ShardError(`--shard must be I/N with 0 <= I < N (e.g. 0/4), got "${text}"`);
  return { index, count };
}

/** Whether the instance at `index` of its file belongs to `shard` (every instance when null). */
export function inShard(index: number, shard: ShardSpec | null): boolean {
  return shard === null || index % shard.count === shard.index;
}

/** Shard results that cannot be merged; the message names the files' difference and the fix. */
export class ShardError extends Error {
  override name = 'ShardError';
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

function withoutShard(config: EvalRunConfig): Omit<EvalRunConfig, 'shard'> {
  const { shard: _shard, ...rest } = config;
  return rest;
}

/** What the results are called in messages: their `names` when given, else "result 1", "result 2", .... */
function nameOf(names: readonly string[] | undefined, i: number): string {
  return names?.[i] ?? `result ${i + 1}`;
}

/**
 * Merges the results of shards 0..N-1 of one run (any order) into the result of the unsharded run: the
 * same config (shard null), records in canonical order, per-method times summed. Refuses results of
 * different runs (config or versions differ), a missing or repeated shard, and records outside their shard.
 * A single unsharded result is returned as it is.
 */
export function mergeResults(results: readonly EvalRunResult[], names?: readonly string[]): EvalRunResult {
  const first = results[0];
  if (!first) throw new ShardError('no results to merge');
  if (results.length === 1 && first.config.shard === null) return first;
  const base = canonical(withoutShard(first.config));
  const versions = canonical(first.versions);
  const seen = new Map<number, number>();
  let count: number | undefined;
  results.forEach((r, i) => {
    const shard = r.config.shard;
    if (!shard)
      throw new ShardError(
        `${nameOf(names, i)} is not a shard (config.shard is null); merge only the files of one --shard run`,
      );
    if (count === undefined) count = shard.count;
    if (shard.count !== count)
      throw new ShardError(
        `${nameOf(names, i)} is shard ${shard.index}/${shard.count} but ${nameOf(names, 0)} is of ${count} shards; merge the shards of one run`,
      );
    if (canonical(withoutShard(r.config)) !== base)
      throw new ShardError(
        `${nameOf(names, i)} was run with another configuration than ${nameOf(names, 0)} (methods, datasets, model, seed, limit or method settings differ); merge the shards of one run`,
      );
    if (canonical(r.versions) !== versions)
      throw new ShardError(
        `${nameOf(names, i)} was run with other versions than ${nameOf(names, 0)} (${Object.keys(r.versions)
          .filter((k) => r.versions[k] !== first.versions[k])
          .join(', ')}); rerun the shards with one build`,
      );
    const again = seen.get(shard.index);
    if (again !== undefined)
      throw new ShardError(
        `shard ${shard.index}/${shard.count} is given twice (${nameOf(names, again)} and ${nameOf(names, i)})`,
      );
    seen.set(shard.index, i);
    const stray = r.records.find((rec) => !inShard(rec.instance_index, shard));
    if (stray)
      throw new ShardError(
        `${nameOf(names, i)} holds instance ${stray.instance_index} of ${stray.dataset}, which is not in shard ${shard.index}/${shard.count}; the file was altered`,
      );
  });
  const missing = Array.from({ length: count as number }, (_, k) => k).filter((k) => !seen.has(k));
  if (missing.length)
    throw new ShardError(
      `shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${count}`).join(', ')} missing; merge all ${count} shards of the run`,
    );
  const perMethod: Record<string, number> = {};
  for (const r of results)
    for (const [m, s] of Object.entries(r.timings.per_method_s)) perMethod[m] = (perMethod[m] ?? 0) + s;
  return {
    format: first.format,
    version: first.version,
    created: results.map((r) => r.created).sort()[results.length - 1] as string,
    config: { ...first.config, shard: null },
    versions: first.versions,
    timings: { total_s: results.reduce((s, r) => s + r.timings.total_s, 0), per_method_s: perMethod },
    records: sortRecords(results.flatMap((r) => r.records)),
  };
}
