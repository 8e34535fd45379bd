// `propmend world eval`: the embedded world's quality gate for a base model, as a thin adapter over
// server/jobs/world-gate.ts. Table or --json on stdout, progress on stderr; eval.json only where asked
// (--out DIR, or --write for the model folder's own eval.json); exit 1 when the gate fails.
import { join, resolve } from 'node:path';
import { maxOf } from '../../common/arrays';
import { shippedAssets } from '../../common/paths';
import { worldGateJob } from '../../jobs/world-gate';
import { pct, TEST_SPLITS } from '../../runtime/eval/world-eval';
import { type CliIO, numberFlag, parseFlags, UsageError } from '../command';
import { runJob } from '../job-io';
import { makeRuntime, RUNTIME_FLAGS, RUNTIME_USAGE } from '../model-args';

export const WORLD_EVAL_USAGE = `Usage: propmend world eval [MODEL_DIR] [--world DIR] [--sample N] [--out DIR | --write] [--force] [--json]

Measures the quality gate of a base model on a world (default: the shipped assets/models/tiny-world on
assets/world): exact-match accuracy on every 1-hop question about known entities, on the 2-hop
questions about known people, and on the propagation questions of the test splits before any edit,
against the accuracy of always giving each relation path's most frequent answer; and, not gated, the same
propagation questions with the edit's fact prepended (the Prepend baseline). Writes no file unless asked.
Exit 1 when the gate fails (1-hop >= 95%, 2-hop >= 85%, propagation <= chance + 5).

  --world DIR        world folder (corpus.jsonl, splits/) (default assets/world)
  --batch-size N     prompts per forward pass (default 64)
  --sample N         at most N questions of each set, evenly spread (a quick look; default: all)
  --out DIR          write DIR/eval.json (results, sample size and run environment)
  --write            write MODEL_DIR/eval.json, the file committed next to a model (maintainers)
  --force            replace an existing eval.json
${RUNTIME_USAGE}
  --json             {"one_hop","two_hop_known","propagation_before_edit","propagation_chance","n",...}`;

export async function runWorldEval(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    world: { type: 'string' },
    'batch-size': { type: 'string' },
    sample: { type: 'string' },
    out: { type: 'string' },
    write: { type: 'boolean' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
    ...RUNTIME_FLAGS,
  });
  if (positionals.length > 1)
    throw new UsageError(`expected at most one model folder, got ${positionals.length}`);
  const assets = shippedAssets();
  const modelDir = resolve(positionals[0] ?? assets.model);
  const world = resolve(values.world ?? assets.world);
  const batchSize = numberFlag('batch-size', values['batch-size'], 64, { min: 1, integer: true });
  const sample =
    values.sample === undefined
      ? undefined
      : numberFlag('sample', values.sample, 0, { min: 1, integer: true });
  if (values.out !== undefined && values.write)
    throw new UsageError('give either --out DIR or --write, not both');
  const save =
    values.out !== undefined
      ? { file: join(resolve(values.out), 'eval.json'), force: Boolean(values.force) }
      : values.write
        ? { file: join(modelDir, 'eval.json'), force: Boolean(values.force), flag: '--write' }
        : undefined;
  const runtime = makeRuntime(values);
  try {
    const { evaluation: result } = await runJob(io, 'evaluating', (ctx) =>
      worldGateJob(
        {
          modelDir,
          world,
          batchSize,
          ...(sample !== undefined ? { sample } : {}),
          ...(save ? { save } : {}),
        },
        runtime,
        ctx,
      ),
    );
    if (values.json) io.stdout(`${JSON.stringify(result)}\n`);
    else {
      const rows: Array<[string, string, string]> = [
        ['1-hop questions (known entities)', pct(result.one_hop), String(result.n.one_hop)],
        ['2-hop questions (known people)', pct(result.two_hop_known), String(result.n.two_hop_known)],
        ['propagation before any edit', pct(result.propagation_before_edit), String(result.n.propagation)],
        ['  chance (most frequent answer per path)', pct(result.propagation_chance), ''],
        ...TEST_SPLITS.map((s): [string, string, string] => {
          const r = result.per_split[s] as { accuracy: number; chance: number; n: number };
          return [`  ${s}`, `${pct(r.accuracy)} (chance ${pct(r.chance)})`, String(r.n)];
        }),
        [
          'propagation with the fact in context (Prepend)',
          pct(result.propagation_prepend),
          String(result.n.propagation),
        ],
        ...TEST_SPLITS.map((s): [string, string, string] => {
          const r = result.per_split[s] as { prepend: number; n: number };
          return [`  ${s}`, pct(r.prepend), String(r.n)];
        }),
      ];
      const w0 = maxOf(rows.map((r) => r[0].length));
      const w1 = maxOf(rows.map((r) => r[1].length));
      io.stdout(`${'question set'.padEnd(w0)}  ${'accuracy'.padEnd(w1)}  n\n`);
      for (const [a, b, c] of rows) io.stdout(`${a.padEnd(w0)}  ${b.padEnd(w1)}  ${c}\n`);
      io.stdout(
        result.gate.passed
          ? 'quality gate: passed\n'
          : `quality gate: FAILED (${result.gate.failures.join('; ')})\n`,
      );
    }
    return result.gate.passed ? 0 : 1;
  } finally {
    await runtime.dispose();
  }
}
