// `propmend world`: the synthetic world behind the embedded model. `build` generates a world folder from a
// seed (KB, corpus, edit splits, tokenizer, manifest); `eval` runs the quality gate of a base model on it
// (world-eval.ts). The folder is written whole (temp folder renamed into place) and an existing one is
// replaced only with --force. Summary on stdout (--json for machines), logs on stderr.
import { writeFolderAtomic } from '../../common/atomic';
import { claimOutput } from '../../common/output';
import { Rng } from '../../common/random';
import { buildWorld, DEFAULT_WORLD, type WorldOptions } from '../../world/build';
import { allocatePeople } from '../../world/instances';
import { buildKb } from '../../world/kb';
import { type CliCommand, numberFlag, parseFlags, UsageError } from '../command';
import { runWorldEval, WORLD_EVAL_USAGE } from './world-eval';

const BUILD_USAGE = `Usage: propmend world build --out DIR [--seed N] [--train N] [--validation N] [--test N] [--reading N] [--known-people N] [--force] [--json]

Generates a world: DIR/world.kb.json, DIR/corpus.jsonl, DIR/splits/*.ripple.jsonl (train, validation,
test-in-domain, test-ood-entity, test-ood-relation, test-ood-both), DIR/tokenizer/ and DIR/manifest.json.
The same seed and sizes always give byte-identical files.

  --seed N           random seed (default ${DEFAULT_WORLD.seed})
  --train N          train instances (default ${DEFAULT_WORLD.splits.train})
  --validation N     validation instances (default ${DEFAULT_WORLD.splits.validation})
  --test N           instances in each of the four test splits (default ${DEFAULT_WORLD.splits.test})
  --reading N        reading-comprehension examples in the corpus (default ${DEFAULT_WORLD.reading})
  --known-people N   people in the KB (default ${DEFAULT_WORLD.sizes.knownPeople})
  --force            replace DIR if it exists and is not empty`;

async function build(argv: string[], io: Parameters<CliCommand['run']>[1]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    {
      out: { type: 'string' },
      seed: { type: 'string' },
      train: { type: 'string' },
      validation: { type: 'string' },
      test: { type: 'string' },
      reading: { type: 'string' },
      'known-people': { type: 'string' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
    },
    false,
  );
  if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.out) throw new UsageError('give --out DIR');
  const d = DEFAULT_WORLD;
  const options: WorldOptions = {
    seed: numberFlag('seed', values.seed, d.seed, { min: 0, integer: true }),
    sizes: {
      ...d.sizes,
      knownPeople: numberFlag('known-people', values['known-people'], d.sizes.knownPeople, {
        min: 1,
        max: 2000,
        integer: true,
      }),
    },
    splits: {
      train: numberFlag('train', values.train, d.splits.train, { min: 1, integer: true }),
      validation: numberFlag('validation', values.validation, d.splits.validation, { min: 1, integer: true }),
      test: numberFlag('test', values.test, d.splits.test, { min: 1, integer: true }),
    },
    reading: numberFlag('reading', values.reading, d.reading, { min: 0, integer: true }),
  };
  checkNamePool(options);
  const out = claimOutput(values.out, { kind: 'folder', force: Boolean(values.force) });
  const built = writeFolderAtomic(
    out,
    (dir) => buildWorld(dir, options, (line) => io.stderr(`${line}\n`)),
    Boolean(values.force),
  );
  const summary = { ...built, out };
  if (values.json) io.stdout(`${JSON.stringify(summary)}\n`);
  else {
    io.stdout(
      `world (seed ${summary.seed}) -> ${summary.out}\n  ${summary.entities} entities, ${summary.relations} relations, ${summary.facts} facts\n` +
        `  corpus: ${summary.corpusLines} lines, ${summary.corpusTokens} tokens; vocabulary ${summary.vocabSize} words\n` +
        `  instances: ${Object.entries(summary.instances)
          .map(([s, n]) => `${s} ${n}`)
          .join(', ')}\n`,
    );
  }
  return 0;
}

/**
 * Every reading-comprehension person and edit subject needs its own first-last name combination that no
 * known person has: refuse sizes the name pool cannot serve before generating anything.
 */
function checkNamePool(o: WorldOptions): void {
  // The same streams as buildWorld (server/world/build.ts): kb, reserve, then people.
  const rng = new Rng(o.seed);
  const kb = buildKb(rng.fork('kb'), o.sizes);
  rng.fork('reserve');
  const pool = kb.firstNames.length * kb.lastNames.length - (kb.entities.get('person')?.length ?? 0);
  const edits = o.splits.train + o.splits.validation + 4 * o.splits.test;
  if (o.reading + edits > pool) {
    throw new UsageError(
      `the world's names allow ${pool} new people, fewer than --reading ${o.reading} + --train ${o.splits.train} + --validation ${o.splits.validation} + 4 x --test ${o.splits.test} = ${o.reading + edits}; lower them`,
    );
  }
  // The reading examples must also use every name word once; allocating the people is cheap, and its only
  // failures are about these sizes.
  try {
    allocatePeople(rng.fork('people'), kb, o.reading, edits);
  } catch (error) {
    throw new UsageError(`--reading ${o.reading}: ${(error as Error).message}`);
  }
}

export const worldCommand: CliCommand = {
  summary: 'build the synthetic world (build) or measure a base model on it (eval)',
  usage: `Usage: propmend world <build|eval> ...\n\n${BUILD_USAGE}\n\n${WORLD_EVAL_USAGE}`,
  async run(argv, io) {
    const [sub, ...rest] = argv;
    if (sub === 'build') return build(rest, io);
    if (sub === 'eval') return runWorldEval(rest, io);
    throw new UsageError(`unknown subcommand "${sub ?? ''}"; valid: build, eval`);
  },
};
