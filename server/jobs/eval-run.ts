// `propmend eval` as a job: checks the datasets with the checker (errors stop it before any model work),
// resolves and claims everything it needs first (hypernetworks, MEMIT's corpus, the result file), reads the
// instances (--limit, then --shard), loads the model, runs the methods (server/runtime/eval/run-methods.ts),
// asks the optional LLM judge, and writes one result file (server/runtime/eval/result.ts) atomically.
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { packageRoot, shippedAssets } from '../common/paths';
import type { TextTokenizer } from '../common/tokenizer';
import { type Instance, readInstanceFile, splitFromFileName } from '../dataset/index';
import { checkPaths } from '../lsp/check/check-paths';
import type { FileReport } from '../lsp/check/types';
import { BaselineInputError } from '../runtime/baselines/index';
import { MemitRequestError } from '../runtime/baselines/memit-requests';
import { weightsChecksum } from '../runtime/baselines/weights';
import type { StatsMode } from '../runtime/edit/hypernetwork';
import { type JudgeConfig, JudgeError, judgeAnswers } from '../runtime/eval/judge';
import { DEFAULT_BOOTSTRAP } from '../runtime/eval/metrics';
import {
  EVAL_RESULT_FORMAT,
  EVAL_RESULT_VERSION,
  type EvalRunResult,
  type QuestionRecord,
  type ShardSpec,
  type SummaryRow,
  sortRecords,
  summarizeRecords,
} from '../runtime/eval/result';
import {
  EVAL_METHODS,
  type EvalItem,
  type EvalMethod,
  type HypernetForEval,
  type HypernetMethod,
  isEvalMethod,
  runMethods,
} from '../runtime/eval/run-methods';
import { inShard } from '../runtime/eval/shards';
import type { LanguageModel } from '../runtime/models/language-model';
import type { Runtime } from '../runtime/session/runtime';
import { JobCancelled, type JobContext, JobInputError, phase, throwIfCancelled } from './context';
import { runEnvironment } from './environment';
import { loadHypernetForJob, resolveHypernet } from './hypernet';
import { loadModelForJob } from './load';
import { claimResult } from './results';

export interface EvalRunParams {
  readonly datasets: readonly string[];
  readonly modelDir: string;
  readonly methods: readonly string[];
  /** Folder for the result file (eval-<methods>[.shard-I-of-N].json); no file when absent. */
  readonly outDir?: string;
  readonly force?: boolean;
  /** The first N instances of each dataset file (before sharding). */
  readonly limit?: number;
  readonly shard?: ShardSpec | null;
  /** The bootstrap seed (every other step is deterministic). */
  readonly seed?: number;
  /** Hypernetwork folder or file per method; the shipped ones for the shipped model otherwise. */
  readonly hypernets?: Partial<Record<HypernetMethod, string>>;
  readonly statsMode?: StatsMode;
  readonly editLrScale?: number;
  readonly cpt?: { readonly steps?: number; readonly lr?: number };
  /** MEMIT's statistics corpus (the world's corpus.jsonl for the shipped model). */
  readonly memitCorpus?: string;
  readonly judge?: JudgeConfig;
  /** Roots the checker may read edit-spec paths in (the CLI's working folder and inputs). */
  readonly checkRoots?: readonly string[];
  readonly verifyRestore?: boolean;
  /** For the recorded environment. */
  readonly threads?: number;
  /** One instance of the (single) dataset, by 1-based line or id, instead of all (the sidecar's Test Explorer runs). */
  readonly instance?: { readonly line?: number; readonly id?: string };
}

/** A model some other owner already loaded (the sidecar's session): the job evaluates it and loads nothing. */
export interface PreloadedModel {
  readonly model: LanguageModel;
  readonly tokenizer: TextTokenizer;
}

export interface EvalRunOutput {
  readonly result: EvalRunResult;
  readonly summary: SummaryRow[];
  /** The result file written, or null without an output folder. */
  readonly file: string | null;
}

/** A dataset the checker found errors in: the reports carry the diagnostics to print as `propmend check` does. */
export class DatasetCheckError extends JobInputError {
  constructor(readonly reports: readonly FileReport[]) {
    const errors = reports.reduce(
      (n, r) => n + r.diagnostics.filter((d) => d.severity === 'error').length,
      0,
    );
    super(
      `the dataset has ${errors} error${errors === 1 ? '' : 's'}; fix them (see propmend check) before evaluating`,
    );
  }
}

/** The result file's name for a run: eval-<methods joined by +>[.shard-I-of-N].json. */
export function resultFileName(methods: readonly string[], shard: ShardSpec | null): string {
  return `eval-${methods.join('+')}${shard ? `.shard-${shard.index}-of-${shard.count}` : ''}.json`;
}

function parseMethods(names: readonly string[]): EvalMethod[] {
  if (names.length === 0) throw new JobInputError(`give at least one method (${EVAL_METHODS.join(', ')})`);
  const out: EvalMethod[] = [];
  for (const name of names) {
    if (!isEvalMethod(name))
      throw new JobInputError(`unknown method "${name}"; use one of ${EVAL_METHODS.join(', ')}`);
    if (out.includes(name)) throw new JobInputError(`method "${name}" is given twice`);
    out.push(name);
  }
  return out;
}

function regularFile(path: string, what: string, fix: string): string {
  const abs = resolve(path);
  let ok = false;
  try {
    ok = statSync(abs).isFile();
  } catch {
    ok = false;
  }
  if (!ok) throw new JobInputError(`${what} ${abs} is not a readable file; ${fix}`);
  return abs;
}

/** MEMIT's corpus: the given file, else the world's corpus for the shipped model. */
function memitCorpusFor(modelDir: string, given: string | undefined): string {
  if (given)
    return regularFile(
      given,
      'the MEMIT corpus',
      'pass --memit-corpus FILE (one text per line, or JSONL with "text")',
    );
  if (resolve(modelDir) === resolve(shippedAssets().model))
    return join(shippedAssets().world, 'corpus.jsonl');
  throw new JobInputError(
    `memit needs a text corpus for its key statistics of ${resolve(modelDir)}; pass --memit-corpus FILE (one text per line, or JSONL with a "text" field)`,
  );
}

function readItems(
  datasets: readonly string[],
  limit: number | undefined,
  shard: ShardSpec | null,
  pick?: EvalRunParams['instance'],
): EvalItem[] {
  const items: EvalItem[] = [];
  for (const dataset of datasets) {
    const read = readInstanceFile(dataset);
    if (!read.ok) throw new JobInputError(read.message);
    // One picked instance needs only its own line to parse (the Test Explorer runs half-written files).
    const problem = pick
      ? read.problems.find((p) => pick.line !== undefined && p.line + 1 === pick.line)
      : read.problems[0];
    if (problem)
      throw new JobInputError(
        `${dataset}:${problem.line + 1}: ${problem.message}; run propmend check ${dataset}`,
      );
    const defaultSplit = splitFromFileName(basename(dataset)) ?? 'unknown';
    const records = limit === undefined ? read.instances : read.instances.slice(0, limit);
    records.forEach(({ line, instance }, index) => {
      if (!inShard(index, shard)) return;
      if (pick && !(pick.line !== undefined ? pick.line === line + 1 : pick.id === (instance as Instance).id))
        return;
      items.push({
        dataset,
        line: line + 1,
        index,
        split: (instance as Instance).split ?? defaultSplit,
        instance,
      });
    });
  }
  return items;
}

/** Runs the evaluation described by `params`; see the file header for the order of the steps. */
export async function evalRunJob(
  params: EvalRunParams,
  runtime: Runtime | PreloadedModel,
  ctx: JobContext,
): Promise<EvalRunOutput> {
  const started = performance.now();
  const methods = parseMethods(params.methods);
  if (params.datasets.length === 0) throw new JobInputError('give at least one --dataset FILE.ripple.jsonl');
  const datasets = params.datasets.map((d) => regularFile(d, 'the dataset', 'give a *.ripple.jsonl file'));
  const modelDir = resolve(params.modelDir);
  const shard = params.shard ?? null;
  const seed = params.seed ?? DEFAULT_BOOTSTRAP.seed;
  const hypernetPaths: Partial<Record<HypernetMethod, string>> = {};
  for (const m of methods)
    if (m === 'mend' || m === 'propmend')
      hypernetPaths[m] = resolveHypernet(m, modelDir, params.hypernets?.[m]);
  for (const m of Object.keys(params.hypernets ?? {}))
    if (!methods.includes(m as EvalMethod))
      throw new JobInputError(`--hypernet ${m}=... is given but ${m} is not among the methods`);
  const memitCorpus = methods.includes('memit') ? memitCorpusFor(modelDir, params.memitCorpus) : undefined;
  const inputs = [
    ...datasets,
    modelDir,
    ...Object.values(hypernetPaths),
    ...(memitCorpus ? [memitCorpus] : []),
  ];
  let claimed: ReturnType<typeof claimResult> | undefined;
  if (params.outDir !== undefined) {
    const dir = resolve(params.outDir);
    if (existsSync(dir) && !statSync(dir).isDirectory())
      throw new JobInputError(`--out ${dir} is not a folder; give a folder for the result file`);
    const file = join(resolve(params.outDir), resultFileName(methods, shard));
    claimed = claimResult({ file, ...(params.force !== undefined ? { force: params.force } : {}) }, inputs);
  }

  // A whole-file run is checked first; a single picked instance is read (and must parse) but the rest of
  // its file, possibly half-written, is not the run's business.
  if (!params.instance) {
    const checking = phase(ctx, 0, 0.03, 'checking');
    const reports = await checkPaths(datasets, {
      ...(params.checkRoots ? { roots: params.checkRoots } : {}),
      onProgress: (done, total) =>
        checking.progress({ fraction: done / total, message: `${done}/${total} files` }),
    });
    if (reports.some((r) => r.diagnostics.some((d) => d.severity === 'error')))
      throw new DatasetCheckError(reports);
  }
  throwIfCancelled(ctx, 'the evaluation');
  if (params.instance && datasets.length !== 1)
    throw new JobInputError('pick one instance from exactly one dataset file');
  const items = readItems(datasets, params.limit, shard, params.instance);
  if (items.length === 0)
    throw new JobInputError(
      params.instance
        ? `${datasets[0]}${params.instance.line !== undefined ? `:${params.instance.line}` : ` (id "${params.instance.id}")`} holds no instance`
        : shard
          ? `shard ${shard.index}/${shard.count} holds no instances; use fewer shards`
          : 'the datasets hold no instances',
    );

  const { model, tokenizer } =
    'tokenizer' in runtime
      ? runtime
      : await loadModelForJob(modelDir, runtime, phase(ctx, 0.03, 0.06, 'loading'));
  const hypernets: Partial<Record<HypernetMethod, HypernetForEval>> = {};
  for (const [m, path] of Object.entries(hypernetPaths) as Array<[HypernetMethod, string]>) {
    const loaded = loadHypernetForJob(path, model, m);
    hypernets[m] = {
      net: loaded.net,
      file: loaded.file,
      method: m,
      statsMode: params.statsMode ?? 'frozen',
      editLrScale: params.editLrScale ?? 1,
    };
  }
  const judging = params.judge !== undefined;
  const running = phase(ctx, 0.06, judging ? 0.85 : 1, 'evaluating');
  let run: Awaited<ReturnType<typeof runMethods>>;
  try {
    run = await runMethods(model, tokenizer, items, methods, {
      baselines: {
        ...(params.cpt ? { cpt: params.cpt } : {}),
        ...(memitCorpus ? { memitCorpus, memitCacheDir: join(packageRoot(), '.cache', 'memit') } : {}),
      },
      hypernets,
      ...(params.verifyRestore !== undefined ? { verifyRestore: params.verifyRestore } : {}),
      signal: ctx.signal,
      onProgress: (done, total, message) => running.progress({ fraction: done / total, message }),
      log: (line) => ctx.log(line),
    });
  } catch (error) {
    if (ctx.signal.aborted) throw new JobCancelled('evaluation cancelled');
    if (error instanceof BaselineInputError || error instanceof MemitRequestError)
      throw new JobInputError(error.message);
    throw error;
  }
  let records: QuestionRecord[] = run.records;
  if (params.judge) {
    const judge = params.judge;
    const asking = phase(ctx, 0.85, 1, 'judging');
    try {
      const verdicts = await judgeAnswers(
        judge,
        records.map((r) => ({
          question: r.question,
          answer: r.answer,
          aliases: r.aliases,
          prediction: r.after,
        })),
        {
          signal: ctx.signal,
          onDone: (done) =>
            asking.progress({ fraction: done / records.length, message: `${done}/${records.length}` }),
        },
      );
      records = records.map((r, i) => ({ ...r, judge: verdicts[i] as { correct: boolean; model: string } }));
    } catch (error) {
      if (ctx.signal.aborted) throw new JobCancelled('evaluation cancelled');
      if (error instanceof JudgeError) throw new JobInputError(error.message);
      throw error;
    }
  }
  const env = runEnvironment(params.threads ?? 1);
  const settings: Record<string, unknown> = { ...run.settings };
  const result: EvalRunResult = {
    format: EVAL_RESULT_FORMAT,
    version: EVAL_RESULT_VERSION,
    created: new Date().toISOString(),
    config: {
      methods,
      datasets,
      model: modelDir,
      hypernets: Object.fromEntries(Object.entries(hypernets).map(([m, h]) => [m, h.file])),
      seed,
      bootstrap: { resamples: DEFAULT_BOOTSTRAP.resamples, seed },
      limit: params.limit ?? null,
      shard,
      method_settings: settings,
      judge: params.judge ? { url: params.judge.url, model: params.judge.model } : null,
    },
    versions: {
      propmend: env.propmend,
      node: env.node,
      onnxruntime: env.onnxruntime,
      model_weights_sha256: weightsChecksum(model),
    },
    timings: {
      total_s: (performance.now() - started) / 1000,
      per_method_s: run.seconds,
    },
    environment: { platform: env.platform, cpu: env.cpu, threads: env.threads },
    records: sortRecords(records),
  };
  if (claimed) {
    if (!existsSync(resolve(params.outDir as string)))
      mkdirSync(resolve(params.outDir as string), { recursive: true });
    claimed.write(result);
  }
  const summary = summarizeRecords(result.records, result.config.bootstrap).sort(
    (a, b) => methods.indexOf(a.method as EvalMethod) - methods.indexOf(b.method as EvalMethod),
  );
  return { result, summary, file: claimed?.file ?? null };
}
