// `propmend convert rippleedits IN.json -o OUT.ripple.jsonl`: RippleEdits benchmark records to our dataset
// format (server/dataset/rippleedits.ts does the mapping). Refuses an existing output without --force and
// never writes over its input; writes atomically; notes go to stderr.
import { resolve } from 'node:path';
import { writeFileAtomic } from '../../common/atomic';
import { claimOutput } from '../../common/output';
import { readTextFile } from '../../dataset/file';
import { JsonDoc } from '../../dataset/json';
import { convertRippleEdits } from '../../dataset/rippleedits';
import { SPLITS, type Split } from '../../dataset/splits';
import { type CliCommand, CliError, parseFlags, UsageError } from '../command';

const FORMATS = ['rippleedits'] as const;

export const convertCommand: CliCommand = {
  summary: 'convert RippleEdits benchmark JSON into a *.ripple.jsonl dataset',
  usage: `Usage: propmend convert rippleedits IN.json -o OUT.ripple.jsonl [--split SPLIT] [--id-prefix P] [--force] [--json]

Converts each RippleEdits record to one instance: the edit prompt is the fact; Logical_Generalization,
Compositionality_I/II and Subject_Aliasing become propagation questions; Relation_Specificity and
Forgetfulness become locality questions; Wikidata ids go to "meta". Queries without answers are dropped.

Options:
  -o, --out FILE     output file (written atomically; never the input)
  --force            replace an existing output file
  --split SPLIT      tag every instance with this split (${SPLITS.join(', ')})
  --id-prefix P      instance ids P-0, P-1, ... (default: the record's example_type)
  --json             print {"instances","notes"} to stdout instead of a summary`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      out: { type: 'string', short: 'o' },
      split: { type: 'string' },
      'id-prefix': { type: 'string' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const [format, input] = positionals;
    if (positionals.length !== 2 || format === undefined || input === undefined) {
      throw new UsageError(
        'give the input format and one input file, e.g. `propmend convert rippleedits popular.json -o popular.ripple.jsonl`',
      );
    }
    if (!(FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`unknown input format "${format}"; valid formats: ${FORMATS.join(', ')}`);
    }
    if (!values.out) throw new UsageError('give the output file with -o OUT.ripple.jsonl');
    if (values.split !== undefined && !(SPLITS as readonly string[]).includes(values.split)) {
      throw new UsageError(`--split must be one of ${SPLITS.join(', ')}, got "${values.split}"`);
    }
    const out = claimOutput(values.out, {
      kind: 'file',
      inputs: [input],
      force: Boolean(values.force),
      flag: '-o',
    });
    const read = readTextFile(resolve(input));
    if (!read.ok) throw new CliError(read.message);
    const text = read.text;
    const doc = new JsonDoc(text);
    if (!doc.ok) {
      const e = doc.syntaxErrors()[0];
      const where = e ? `${input}:${e.range.start.line + 1}:${e.range.start.character + 1}` : input;
      throw new CliError(
        `${where}: invalid JSON: ${e?.message ?? 'cannot parse'}; run \`propmend check ${input}\` for details`,
      );
    }
    if (!Array.isArray(doc.value))
      throw new CliError(`${input} is not a RippleEdits file: expected a JSON array of records`);
    const result = convertRippleEdits(doc.value, {
      ...(values.split ? { split: values.split as Split } : {}),
      ...(values['id-prefix'] ? { idPrefix: values['id-prefix'] } : {}),
    });
    for (const note of result.notes) io.stderr(`${input}: ${note}\n`);
    writeFileAtomic(out, result.instances.map((i) => `${JSON.stringify(i)}\n`).join(''));
    if (values.json)
      io.stdout(
        `${JSON.stringify({ output: out, instances: result.instances.length, notes: result.notes })}\n`,
      );
    else
      io.stderr(
        `wrote ${result.instances.length} instances from ${doc.value.length} records to ${values.out}\n`,
      );
    return 0;
  },
};
