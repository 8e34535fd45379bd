// Loading what jobs run on, with the job's progress and its input errors: a model folder (weights with
// progress, then its tokenizer) and a tokenizer folder. Loader failures a user can fix become
// JobInputError; nothing here prints. The runtime (provider, threads) is the caller's.
import { resolve } from 'node:path';
import { loadTokenizer, type TextTokenizer } from '../common/tokenizer';
import { CheckpointError } from '../runtime/load/format';
import type { LanguageModel } from '../runtime/models/language-model';
import { loadLanguageModel } from '../runtime/models/load';
import { withinVocabulary } from '../runtime/models/model-input';
import type { Runtime } from '../runtime/session/runtime';
import { type JobContext, JobInputError } from './context';

/** A tokenizer folder's tokenizer; a missing or broken one is the user's input error. */
export async function loadTokenizerForJob(dir: string): Promise<TextTokenizer> {
  try {
    return await loadTokenizer(dir);
  } catch (error) {
    throw new JobInputError((error as Error).message);
  }
}

/** A model folder's weights (progress by bytes read) and its tokenizer. */
export async function loadModelForJob(
  dir: string,
  runtime: Runtime,
  ctx: JobContext,
): Promise<{ model: LanguageModel; tokenizer: TextTokenizer }> {
  const abs = resolve(dir);
  let model: LanguageModel;
  try {
    model = loadLanguageModel(abs, {
      runtime,
      onProgress: (p) =>
        ctx.progress({ fraction: p.bytesDone / Math.max(1, p.bytesTotal), message: p.tensor }),
    });
  } catch (error) {
    if (error instanceof CheckpointError) throw new JobInputError(error.message);
    throw error;
  }
  return { model, tokenizer: withinVocabulary(await loadTokenizerForJob(abs), model.config.vocabSize) };
}
