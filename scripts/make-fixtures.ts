// Writes the named random test checkpoints (test/support/fixtures.ts) into a folder, one subfolder each, for
// trying the CLI or the extension on tiny models. Output is derived data under .cache/ by default; never committed.
// Usage: node --import tsx scripts/make-fixtures.ts [--out DIR] [--dtype float32|bfloat16|float16] [NAME...]
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SAVE_DTYPES, type SaveDType } from '../server/runtime/models/checkpoint';
import { FIXTURE_NAMES, type FixtureName, writeFixture } from '../test/support/fixtures';

const USAGE = `Usage: node --import tsx scripts/make-fixtures.ts [--out DIR] [--dtype float32|bfloat16|float16] [NAME...]
Names: ${FIXTURE_NAMES.join(', ')} (default: all)
Writes DIR/NAME/{config.json, model.safetensors, tokenizer.json, tokenizer_config.json}; DIR defaults to .cache/fixtures.
`;

function parse() {
  return parseArgs({
    options: { out: { type: 'string' }, dtype: { type: 'string' }, help: { type: 'boolean' } },
    allowPositionals: true,
  });
}

function main(): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const dtype = (values.dtype ?? 'float32') as SaveDType;
  if (!(dtype in SAVE_DTYPES)) {
    process.stderr.write(
      `--dtype must be one of ${Object.keys(SAVE_DTYPES).join(', ')}, got "${values.dtype}"\n`,
    );
    return 2;
  }
  const unknown = positionals.filter((n) => !(FIXTURE_NAMES as string[]).includes(n));
  if (unknown.length) {
    process.stderr.write(`unknown fixture ${unknown.join(', ')}; valid: ${FIXTURE_NAMES.join(', ')}\n`);
    return 2;
  }
  const out = resolve(values.out ?? join(__dirname, '..', '.cache', 'fixtures'));
  const names = (positionals.length ? positionals : FIXTURE_NAMES) as FixtureName[];
  for (const name of names) {
    const { dir, config } = writeFixture(join(out, name), name, { dtype });
    process.stderr.write(
      `${name}: ${config.family}, ${config.numLayers} layers, hidden ${config.hiddenSize}, ${config.numHeads} heads / ${config.numKvHeads} KV, ${config.tieWordEmbeddings ? 'tied' : 'untied'} head\n`,
    );
    process.stdout.write(`${dir}\n`);
  }
  return 0;
}

process.exitCode = main();
