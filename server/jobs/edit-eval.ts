// Batch evaluation of an editing method as a job (`propmend eval`): load the model, the dataset (through the
// dataset model) and, for mend/propmend, the hypernetwork; edit each instance alone from the original
// weights and return efficacy and specificity. The scoring is server/runtime/edit/evaluate.ts.
import { resolve } from 'node:path';
import { type EvalSummary, evaluateMethod } from '../runtime/edit/evaluate';
import type { StatsMode } from '../runtime/edit/hypernetwork';
import { InstanceFileError, readInstances } from '../runtime/edit/instances';
import type { Runtime } from '../runtime/session/runtime';
import { JobCancelled, type JobContext, JobInputError, phase } from './context';
import { loadHypernetForJob, resolveHypernet } from './hypernet';
import { loadModelForJob } from './load';

export const EVAL_METHODS = ['base', 'mend', 'propmend'] as const;
export type EvalMethod = (typeof EVAL_METHODS)[number];

export interface EditEvalParams {
  readonly dataset: string;
  readonly modelDir: string;
  readonly method: EvalMethod;
  readonly hypernet?: string;
  /** The first N instances only. */
  readonly limit?: number;
  readonly statsMode?: StatsMode;
  readonly editLrScale?: number;
}

export interface EditEvalResult extends EvalSummary {
  readonly dataset: string;
  readonly hypernet: string | null;
  readonly stats_mode: StatsMode | null;
  readonly edit_lr_scale: number;
}

export async function editEvalJob(
  params: EditEvalParams,
  runtime: Runtime,
  ctx: JobContext,
): Promise<EditEvalResult> {
  const dataset = resolve(params.dataset);
  let instances: ReturnType<typeof readInstances>;
  try {
    instances = readInstances(dataset);
  } catch (error) {
    if (error instanceof InstanceFileError) throw new JobInputError(error.message);
    throw error;
  }
  if (params.limit !== undefined) instances = instances.slice(0, params.limit);
  const { model, tokenizer } = await loadModelForJob(
    params.modelDir,
    runtime,
    phase(ctx, 0, 0.05, 'loading'),
  );
  let hypernet: ReturnType<typeof loadHypernetForJob> | undefined;
  if (params.method !== 'base') {
    const path = resolveHypernet(params.method, params.modelDir, params.hypernet);
    hypernet = loadHypernetForJob(path, model, params.method);
  }
  const statsMode = hypernet ? (params.statsMode ?? 'frozen') : null;
  const evalCtx = phase(ctx, 0.05, 1, 'editing and answering');
  try {
    const summary = await evaluateMethod(model, tokenizer, instances, {
      method: params.method,
      ...(hypernet ? { hypernet: hypernet.net } : {}),
      ...(statsMode ? { statsMode } : {}),
      ...(params.editLrScale !== undefined ? { editLrScale: params.editLrScale } : {}),
      signal: ctx.signal,
      onInstance: (done) =>
        evalCtx.progress({
          fraction: done / instances.length,
          message: `${done}/${instances.length} instances`,
        }),
    });
    return {
      ...summary,
      dataset,
      hypernet: hypernet?.file ?? null,
      stats_mode: statsMode,
      edit_lr_scale: params.editLrScale ?? 1,
    };
  } catch (error) {
    if (ctx.signal.aborted) throw new JobCancelled('evaluation cancelled');
    throw error;
  }
}
