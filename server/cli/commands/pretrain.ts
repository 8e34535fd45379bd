// `propmend pretrain`: trains a small Llama-architecture model on a world's corpus with a named recipe, as a
// thin adapter over server/jobs/pretrain.ts: parses flags into a recipe, runs the job with a progress line
// on stderr (checkpoints in MODEL_DIR.training/, resumed by running the same command) and prints a summary.
import { resolve } from 'node:path';
import { pretrainJob } from '../../jobs/pretrain';
import type { SaveDType } from '../../runtime/models/checkpoint';
import type { PretrainRecipe } from '../../runtime/train/pretrain';
import { RECIPE_NAMES, RECIPES, type RecipeName } from '../../runtime/train/recipes';
import { type CliCommand, numberFlag, parseFlags, UsageError } from '../command';
import { runJob } from '../job-io';
import { makeRuntime, RUNTIME_FLAGS, RUNTIME_USAGE } from '../model-args';

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
    const runtime = makeRuntime(values);
    try {
      const r = await runJob(io, 'pretrain', (ctx) =>
        pretrainJob(
          {
            world: resolve(values.world as string),
            out: resolve(values.out as string),
            recipeName,
            recipe,
            saveDtype,
            fresh: Boolean(values.fresh),
            force: Boolean(values.force),
            rebuild: `propmend pretrain --world ${values.world} --out ${values.out} --recipe ${recipeName}${values.epochs ? ` --epochs ${recipe.epochs}` : ''}${values.seed ? ` --seed ${recipe.seed}` : ''}`,
          },
          runtime,
          ctx,
        ),
      );
      const summary = {
        out: r.out,
        steps: r.steps,
        finalEpochLoss: r.finalEpochLoss,
        trainSeconds: r.trainSeconds,
        ...(r.alreadyComplete ? { alreadyComplete: true } : {}),
      };
      const loss =
        r.finalEpochLoss === null
          ? 'no finished step'
          : `final epoch loss ${r.finalEpochLoss.toFixed(4)}${r.finalEpochSteps !== null ? ` (over the ${r.finalEpochSteps} steps run of its last epoch)` : ''}`;
      if (values.json) io.stdout(`${JSON.stringify(summary)}\n`);
      else if (r.alreadyComplete)
        io.stdout(
          `already trained: ${r.out} holds this run's model (${r.steps} steps, ${loss}); pass --force to train again\n`,
        );
      else io.stdout(`trained ${r.steps} steps in ${r.trainSeconds}s, ${loss} -> ${r.out}\n`);
      return 0;
    } finally {
      await runtime.dispose();
    }
  },
};
