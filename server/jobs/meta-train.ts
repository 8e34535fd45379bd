// Meta-training of a PropMEND or MEND hypernetwork as a job (`propmend train`): load the model, the train and
// validation instances (through the dataset model) and the locality text, run the resumable loop of
// server/runtime/edit/meta-train.ts into the output folder, and write training.json with the environment.
import { join } from 'node:path';
import { writeJsonAtomic } from '../common/atomic';
import { InstanceFileError, readInstances, readLocalityTexts } from '../runtime/edit/instances';
import { type MetaTrainResult, metaTrain } from '../runtime/edit/meta-train';
import type { TrainConfig } from '../runtime/edit/train-config';
import type { Runtime } from '../runtime/session/runtime';
import { JobCancelled, type JobContext, JobInputError, phase } from './context';
import { runEnvironment } from './environment';
import { loadModelForJob } from './load';

export interface MetaTrainParams {
  /** Paths inside are absolute. */
  readonly config: TrainConfig;
  readonly outDir: string;
}

export interface MetaTrainSummary extends MetaTrainResult {
  readonly method: string;
  readonly config: TrainConfig;
}

export async function metaTrainJob(
  params: MetaTrainParams,
  runtime: Runtime,
  ctx: JobContext,
): Promise<MetaTrainSummary> {
  const { config } = params;
  let data: {
    train: ReturnType<typeof readInstances>;
    validation: ReturnType<typeof readInstances>;
    localityTexts: string[];
  };
  try {
    data = {
      train: readInstances(config.train),
      validation: readInstances(config.validation),
      localityTexts: readLocalityTexts(config.locality),
    };
  } catch (error) {
    if (error instanceof InstanceFileError) throw new JobInputError(error.message);
    throw error;
  }
  const { model, tokenizer } = await loadModelForJob(config.model, runtime, phase(ctx, 0, 0.01, 'loading'));
  const result = await metaTrain(
    { model, tokenizer, config, ...data, outDir: params.outDir },
    {
      signal: ctx.signal,
      log: (line) => ctx.log(line),
      progress: (done, total, fields) =>
        ctx.progress({
          fraction: done / total,
          message: `step ${done}/${total} | ${Object.entries(fields)
            .map(([k, v]) => `${k} ${v}`)
            .join(' | ')}`,
        }),
    },
  );
  const summary: MetaTrainSummary = { method: config.method, config, ...result };
  writeJsonAtomic(join(params.outDir, 'training.json'), {
    ...summary,
    environment: runEnvironment(runtime.threads),
  });
  if (ctx.signal.aborted)
    throw new JobCancelled(`meta-training stopped at step ${result.steps}`, 'run the same command to resume');
  return summary;
}
