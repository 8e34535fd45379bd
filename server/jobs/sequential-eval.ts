// Sequential (multi-edit) evaluation as a job (`propmend eval --sequential K`): the first K instances of a
// dataset are edited one after another without restoring, by each of propmend, mend and memit in turn (the
// weights are restored between methods), and the curve of efficacy and specificity as edits accumulate is
// returned per method. The accumulation and scoring are server/runtime/eval/sequential.ts; here: loading,
// the per-method editors (a hypernetwork edit or a MEMIT edit computed on the already-edited weights).
import { resolve } from 'node:path';
import type { TextTokenizer } from '../common/tokenizer';
import { type Instance, readInstanceFile } from '../dataset/index';
import { BaselineInputError, Baselines } from '../runtime/baselines';
import { MemitRequestError } from '../runtime/baselines/memit-requests';
import { MemitCorpusError } from '../runtime/baselines/memit-stats';
import { computeEdit } from '../runtime/edit/edit';
import { innerExample } from '../runtime/edit/episode';
import { type StatsMode, withOwnStatistics } from '../runtime/edit/hypernetwork';
import { type EditInstance, editInstanceOf, InstanceFileError } from '../runtime/edit/instances';
import { DEFAULT_BOOTSTRAP } from '../runtime/eval/metrics';
import {
  checkpointsFor,
  runSequential,
  type SequentialEditor,
  type SequentialRun,
  type StackingMode,
} from '../runtime/eval/sequential';
import type { LanguageModel } from '../runtime/models/language-model';
import type { Runtime } from '../runtime/session/runtime';
import { JobCancelled, type JobContext, JobInputError, phase } from './context';
import { runEnvironment } from './environment';
import { loadHypernetForJob, resolveHypernet } from './hypernet';
import { loadModelForJob } from './load';

export const SEQUENTIAL_METHODS = ['propmend', 'mend', 'memit'] as const;
export type SequentialMethod = (typeof SEQUENTIAL_METHODS)[number];

export const SEQUENTIAL_RESULT_FORMAT = 'propmend.sequential-result';

export interface SequentialEvalParams {
  readonly dataset: string;
  readonly modelDir: string;
  readonly methods: readonly SequentialMethod[];
  /** Edits applied one after another: the first K instances of the dataset. */
  readonly k: number;
  /** Hypernetwork per method (default: the shipped one for the shipped model). */
  readonly hypernets?: Partial<Record<'propmend' | 'mend', string>>;
  readonly statsMode?: StatsMode;
  /** MEMIT's key-statistics corpus and cache folder. */
  readonly memitCorpus?: string;
  readonly memitCacheDir?: string;
  readonly bootstrap?: { readonly resamples: number; readonly seed: number };
  /** sequential (default): each edit on the already-edited model; independent: on the original weights. */
  readonly stacking?: StackingMode;
}

export interface SequentialCurve extends SequentialRun {
  readonly method: SequentialMethod;
  readonly hypernet: string | null;
  readonly seconds: number;
}

export interface SequentialEvalResult {
  readonly format: typeof SEQUENTIAL_RESULT_FORMAT;
  readonly dataset: string;
  readonly model: string;
  readonly k: number;
  readonly checkpoints: readonly number[];
  readonly instances: readonly string[];
  readonly stats_mode: StatsMode;
  readonly stacking: StackingMode;
  readonly bootstrap: { readonly resamples: number; readonly seed: number };
  readonly curves: readonly SequentialCurve[];
  readonly environment: ReturnType<typeof runEnvironment>;
}

interface Pair {
  readonly source: Instance;
  readonly edit: EditInstance;
}

function readPairs(file: string, k: number): Pair[] {
  const read = readInstanceFile(file);
  if (!read.ok) throw new JobInputError(read.message);
  const problem = read.problems[0];
  if (problem)
    throw new JobInputError(
      `${file}:${problem.line + 1}: ${problem.message}; run \`propmend check ${file}\``,
    );
  if (read.instances.length < k)
    throw new JobInputError(
      `${file} holds ${read.instances.length} instances; --sequential ${k} needs at least ${k} (pass a smaller K)`,
    );
  try {
    return read.instances.slice(0, k).map(({ line, instance }) => ({
      source: instance,
      edit: editInstanceOf(instance, `${file}:${line + 1}`),
    }));
  } catch (error) {
    if (error instanceof InstanceFileError) throw new JobInputError(error.message);
    throw error;
  }
}

function hypernetEditor(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  pairs: readonly Pair[],
  method: 'propmend' | 'mend',
  params: SequentialEvalParams,
): { editor: SequentialEditor; file: string } {
  const path = resolveHypernet(method, params.modelDir, params.hypernets?.[method]);
  const loaded = loadHypernetForJob(path, model, method);
  const online = params.statsMode === 'reference_online';
  const net = online ? withOwnStatistics(loaded.net, true) : loaded.net;
  return {
    file: loaded.file,
    editor: async (i) => {
      const instance = (pairs[i] as Pair).edit;
      const inner = innerExample(model, tokenizer, instance, net.innerLoss);
      return (await computeEdit(model, net, inner, { updateStats: online })).edit;
    },
  };
}

function memitEditor(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  pairs: readonly Pair[],
  params: SequentialEvalParams,
  ctx: JobContext,
): SequentialEditor {
  const baselines = new Baselines(model, tokenizer, {
    ...(params.memitCorpus ? { memitCorpus: params.memitCorpus } : {}),
    ...(params.memitCacheDir ? { memitCacheDir: params.memitCacheDir } : {}),
  });
  const statsCtx = phase(ctx, 0, 0, 'MEMIT key statistics');
  return async (i) => {
    const edited = await baselines.editWith('memit', (pairs[i] as Pair).source, statsCtx);
    edited.restore();
    if (!edited.edit) throw new Error('MEMIT returned no edit');
    return edited.edit;
  };
}

export async function sequentialEvalJob(
  params: SequentialEvalParams,
  runtime: Runtime,
  ctx: JobContext,
): Promise<SequentialEvalResult> {
  if (params.methods.length === 0) throw new JobInputError('give at least one method');
  const dataset = resolve(params.dataset);
  const checkpoints = checkpointsFor(params.k);
  const pairs = readPairs(dataset, params.k);
  const bootstrap = params.bootstrap ?? DEFAULT_BOOTSTRAP;
  const { model, tokenizer } = await loadModelForJob(
    params.modelDir,
    runtime,
    phase(ctx, 0, 0.02, 'loading'),
  );
  const instances = pairs.map((p) => p.edit);
  const curves: SequentialCurve[] = [];
  for (const [m, method] of params.methods.entries()) {
    const methodCtx = phase(
      ctx,
      0.02 + (0.98 * m) / params.methods.length,
      0.02 + (0.98 * (m + 1)) / params.methods.length,
      method,
    );
    const started = performance.now();
    let editor: SequentialEditor;
    let hypernet: string | null = null;
    if (method === 'memit') editor = memitEditor(model, tokenizer, pairs, params, methodCtx);
    else {
      const made = hypernetEditor(model, tokenizer, pairs, method, params);
      editor = made.editor;
      hypernet = made.file;
    }
    let run: SequentialRun;
    try {
      run = await runSequential(model, tokenizer, instances, editor, {
        bootstrap,
        stacking: params.stacking ?? 'sequential',
        signal: ctx.signal,
        onEdit: (done, total) =>
          methodCtx.progress({ fraction: done / total, message: `${done}/${total} edits` }),
      });
    } catch (error) {
      if (ctx.signal.aborted) throw new JobCancelled('sequential evaluation cancelled');
      if (
        error instanceof BaselineInputError ||
        error instanceof MemitCorpusError ||
        error instanceof MemitRequestError
      )
        throw new JobInputError(error.message);
      throw error;
    }
    const seconds = (performance.now() - started) / 1000;
    const last = run.points[run.points.length - 1];
    ctx.log(
      `${method}: ${params.k} sequential edits in ${seconds.toFixed(0)}s; after ${last?.edits}: efficacy non-verbatim ${last?.efficacy_nonverbatim.exact_match.mean.toFixed(3)}, specificity ${last?.specificity.exact_match.mean.toFixed(3)}; weights restored (checksum ${run.checksum.restored ? 'equal' : 'DIFFERENT'})`,
    );
    curves.push({ method, hypernet, seconds, ...run });
  }
  return {
    format: SEQUENTIAL_RESULT_FORMAT,
    dataset,
    model: resolve(params.modelDir),
    k: params.k,
    checkpoints,
    instances: instances.map((i) => i.id),
    stats_mode: params.statsMode ?? 'frozen',
    stacking: params.stacking ?? 'sequential',
    bootstrap,
    curves,
    environment: runEnvironment(runtime.threads),
  };
}
