// `propmend pretrain`: trains a small Llama-architecture model on a world's corpus with a named recipe,
// checkpointing to OUT.training/ (resumed automatically after a kill) and writing an HF folder with
// config.json, fp16 safetensors, the world's tokenizer and training.json (recipe, seed, versions, losses).
import { createHash } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Progress } from '../../common/progress';
import { type SaveDType, saveCheckpoint } from '../../runtime/models/checkpoint';
import { parameterNames } from '../../runtime/models/registry';
import { FileCheckpointStore } from '../../runtime/train/checkpoint-store';
import { CorpusError, readCorpus } from '../../runtime/train/corpus';
import {
  llamaConfig,
  type PretrainRecipe,
  pretrain,
  TrainingCancelled,
  totalSteps,
} from '../../runtime/train/pretrain';
import { RECIPE_NAMES, RECIPES, type RecipeName } from '../../runtime/train/recipes';
import { type CliCommand, CliError, numberFlag, parseFlags, UsageError } from '../command';
import { runEnvironment } from '../environment';
import { makeRuntime, RUNTIME_FLAGS, RUNTIME_USAGE, tokenizerForCli } from '../model-args';

/** Where a world keeps its tokenizer: a tokenizer/ subfolder, else the world folder itself. */
export function worldTokenizerDir(world: string): string {
  const sub = join(world, 'tokenizer');
  return existsSync(join(sub, 'tokenizer.json')) ? sub : world;
}

const SAVE_DTYPE_NAMES: readonly SaveDType[] = ['float16', 'bfloat16', 'float32'];

export const pretrainCommand: CliCommand = {
  summary: 'pretrain a small Llama-architecture model on a world corpus (checkpoints, resume)',
  usage: `Usage: propmend pretrain --world DIR --out MODEL_DIR [options]

Trains on DIR/corpus.jsonl with DIR's tokenizer. Checkpoints go to MODEL_DIR.training/ every few hundred
steps and on Ctrl-C; running the same command again resumes from there. The finished model is an HF folder.

  --recipe NAME      ${RECIPE_NAMES.join(' | ')} (default tiny-world)
  --epochs N         override the recipe's epochs
  --max-steps N      stop after N steps (smoke runs)
  --seed N           override the recipe's seed
  --save-dtype D     ${SAVE_DTYPE_NAMES.join(' | ')} (default float16)
  --fresh            discard an existing checkpoint instead of resuming
  --force            replace MODEL_DIR if it exists
${RUNTIME_USAGE}
  --json             print the summary as JSON`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(
      argv,
      {
        world: { type: 'string' },
        out: { type: 'string' },
        recipe: { type: 'string' },
        epochs: { type: 'string' },
        'max-steps': { type: 'string' },
        seed: { type: 'string' },
        'save-dtype': { type: 'string' },
        fresh: { type: 'boolean' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
        ...RUNTIME_FLAGS,
      },
      false,
    );
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (!values.world || !values.out) throw new UsageError('give --world DIR and --out MODEL_DIR');
    const recipeName = (values.recipe ?? 'tiny-world') as RecipeName;
    if (!RECIPE_NAMES.includes(recipeName))
      throw new UsageError(`--recipe must be one of ${RECIPE_NAMES.join(', ')}, got "${values.recipe}"`);
    const saveDtype = (values['save-dtype'] ?? 'float16') as SaveDType;
    if (!SAVE_DTYPE_NAMES.includes(saveDtype))
      throw new UsageError(`--save-dtype must be one of ${SAVE_DTYPE_NAMES.join(', ')}`);
    const base: PretrainRecipe = RECIPES[recipeName];
    const recipe: PretrainRecipe = {
      ...base,
      epochs: numberFlag('epochs', values.epochs, base.epochs, { min: 1, integer: true }),
      seed: numberFlag('seed', values.seed, base.seed, { min: 0, integer: true }),
      ...(values['max-steps'] !== undefined || base.maxSteps !== undefined
        ? {
            maxSteps: numberFlag('max-steps', values['max-steps'], base.maxSteps ?? 0, {
              min: 1,
              integer: true,
            }),
          }
        : {}),
    };
    const world = resolve(values.world);
    const out = resolve(values.out);
    if (existsSync(out) && !values.force)
      throw new CliError(`${out} already exists; choose another --out or pass --force`);
    const tokenizerDir = worldTokenizerDir(world);
    const tokenizer = await tokenizerForCli(tokenizerDir);
    let corpus: ReturnType<typeof readCorpus>;
    try {
      corpus = readCorpus(join(world, 'corpus.jsonl'), tokenizer);
    } catch (error) {
      if (error instanceof CorpusError) throw new CliError(error.message);
      throw error;
    }
    const eos = tokenizer.eosTokenId as number;
    const tokens = { bos: tokenizer.bosTokenId, eos: [eos], pad: tokenizer.padTokenId ?? eos };
    const recipeHash = createHash('sha256')
      .update(JSON.stringify({ recipe, corpus: corpus.sha256, vocab: tokenizer.vocabSize, tokens }))
      .digest('hex');
    const store = new FileCheckpointStore(`${out}.training`);
    if (values.fresh) store.clear();
    const runtime = makeRuntime(values);
    const total = totalSteps(corpus.sequences.length, recipe);
    io.stderr(
      `pretraining ${recipeName}: ${corpus.sequences.length} sequences, ${corpus.tokens} tokens, ${total} steps, ${runtime.threads} threads\n`,
    );
    const progress = new Progress('pretrain', total, { write: (t) => io.stderr(t), isTTY: io.stderrIsTTY });
    try {
      const state = await pretrain({
        runtime,
        sequences: corpus.sequences,
        vocabSize: tokenizer.vocabSize,
        tokens,
        recipe,
        recipeHash,
        store,
        signal: io.signal,
        onResume: (step) => {
          progress.resumeFrom(step);
          io.stderr(`resuming from the checkpoint at step ${step} in ${out}.training\n`);
        },
        onStep: (r) =>
          progress.update(r.step, {
            epoch: String(r.epoch + 1),
            loss: r.loss.toFixed(4),
            lr: r.lr.toExponential(2),
            'tok/s': r.tokensPerSecond.toFixed(0),
          }),
      });
      progress.finish();
      const config = llamaConfig(tokenizer.vocabSize, recipe.architecture, tokens);
      const training = {
        recipeName,
        recipe,
        recipeHash,
        corpus: {
          file: 'corpus.jsonl',
          sha256: corpus.sha256,
          sequences: corpus.sequences.length,
          tokens: corpus.tokens,
          kinds: corpus.kinds,
        },
        steps: state.step,
        epochLosses: state.epochLosses,
        finalEpochLoss: state.epochLosses[state.epochLosses.length - 1] ?? null,
        trainSeconds: Math.round(state.trainSeconds),
        savedDtype: saveDtype,
        rebuild: `propmend pretrain --world ${values.world} --out ${values.out} --recipe ${recipeName}${values.epochs ? ` --epochs ${recipe.epochs}` : ''}${values.seed ? ` --seed ${recipe.seed}` : ''}`,
        environment: runEnvironment(runtime.threads),
      };
      const shapes = new Map(parameterNames(config).map((p) => [p.name, p.shape]));
      const weights = new Map(
        [...state.weights].map(([n, data]) => [n, { shape: shapes.get(n) ?? [data.length], data }]),
      );
      saveCheckpoint(out, config, weights, {
        dtype: saveDtype,
        tokenizerFrom: tokenizerDir,
        overwrite: Boolean(values.force),
        extraFiles: { 'training.json': `${JSON.stringify(training, null, 2)}\n` },
      });
      store.clear();
      rmSync(`${out}.training`, { recursive: true, force: true });
      const summary = {
        out,
        steps: state.step,
        finalEpochLoss: training.finalEpochLoss,
        trainSeconds: training.trainSeconds,
      };
      if (values.json) io.stdout(`${JSON.stringify(summary)}\n`);
      else
        io.stdout(
          `trained ${state.step} steps in ${training.trainSeconds}s, final epoch loss ${training.finalEpochLoss?.toFixed(4)} -> ${out}\n`,
        );
      return 0;
    } catch (error) {
      progress.finish();
      if (error instanceof TrainingCancelled)
        throw new CliError(`${error.message} (in ${out}.training; run the same command to resume)`, 130);
      throw error;
    } finally {
      await runtime.dispose();
    }
  },
};
