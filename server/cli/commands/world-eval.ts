// `propmend world eval`: the embedded world's quality gate for a base model (1-hop, 2-hop about known people,
// propagation before any edit vs chance). Table or --json on stdout, progress on stderr, eval.json written
// into the model folder; exit 1 when the gate fails. Dispatched from world.ts; `propmend demo` shares its
// question reading and progress-reporting evaluation.
import { join, relative, resolve } from 'node:path';
import { maxOf } from '../../common/arrays';
import { writeJsonAtomic } from '../../common/atomic';
import { shippedAssets } from '../../common/paths';
import { Progress } from '../../common/progress';
import type { TextTokenizer } from '../../common/tokenizer';
import {
  evaluateWorld,
  pct,
  readWorldQuestions,
  TEST_SPLITS,
  type WorldEvaluation,
  WorldFileError,
  type WorldQuestions,
  worldQuestionCount,
} from '../../runtime/eval/world-eval';
import type { LanguageModel } from '../../runtime/models/language-model';
import { CliError, type CliIO, numberFlag, parseFlags, UsageError } from '../command';
import { runEnvironment } from '../environment';
import { loadModelForCli, makeRuntime, RUNTIME_FLAGS, RUNTIME_USAGE, tokenizerForCli } from '../model-args';

export const WORLD_EVAL_USAGE = `Usage: propmend world eval [MODEL_DIR] [--world DIR] [--json]

Measures the quality gate of a base model on a world (default: the shipped assets/models/tiny-world on
assets/world): exact-match accuracy on every 1-hop question about known entities, on the 2-hop
questions about known people, and on the propagation questions of the test splits before any edit,
against the accuracy of always giving each relation path's most frequent answer; and, not gated, the same
propagation questions with the edit's fact prepended (the Prepend baseline). Writes eval.json (results and
environment) into the model folder. Exit 1 when the gate fails (1-hop >= 95%, 2-hop >= 85%, propagation <= chance + 5).

  --world DIR        world folder (corpus.jsonl, splits/) (default assets/world)
  --batch-size N     prompts per forward pass (default 64)
  --no-write         do not write eval.json
${RUNTIME_USAGE}
  --json             {"one_hop","two_hop_known","propagation_before_edit","propagation_chance","n",...}`;

export async function runWorldEval(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    world: { type: 'string' },
    'batch-size': { type: 'string' },
    'no-write': { type: 'boolean' },
    json: { type: 'boolean' },
    ...RUNTIME_FLAGS,
  });
  if (positionals.length > 1)
    throw new UsageError(`expected at most one model folder, got ${positionals.length}`);
  const assets = shippedAssets();
  const modelDir = resolve(positionals[0] ?? assets.model);
  const world = resolve(values.world ?? assets.world);
  const batchSize = numberFlag('batch-size', values['batch-size'], 64, { min: 1, integer: true });
  const questions = readQuestionsForCli(world);
  const runtime = makeRuntime(values);
  try {
    const model = loadModelForCli(modelDir, runtime, io);
    const tokenizer = await tokenizerForCli(modelDir);
    const result = await evaluateWithProgress(model, tokenizer, questions, io, 'evaluating', batchSize);
    if (!values['no-write'])
      writeJsonAtomic(join(modelDir, 'eval.json'), {
        world: relative(modelDir, world),
        ...result,
        environment: runEnvironment(runtime.threads),
      });
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

/** The world's evaluation questions, with a broken world folder reported as a CLI error. */
export function readQuestionsForCli(world: string): WorldQuestions {
  try {
    return readWorldQuestions(world);
  } catch (error) {
    if (error instanceof WorldFileError) throw new CliError(error.message);
    throw error;
  }
}

/** `evaluateWorld` with a progress line on stderr and the command's cancellation signal. */
export async function evaluateWithProgress(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  questions: WorldQuestions,
  io: CliIO,
  label: string,
  batchSize?: number,
): Promise<WorldEvaluation> {
  const progress = new Progress(label, worldQuestionCount(questions), {
    write: (t) => io.stderr(t),
    isTTY: io.stderrIsTTY,
  });
  try {
    return await evaluateWorld(model, tokenizer, questions, {
      ...(batchSize !== undefined ? { batchSize } : {}),
      signal: io.signal,
      onProgress: (done) => progress.update(done),
    });
  } finally {
    progress.finish();
  }
}
