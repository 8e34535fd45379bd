// `propmend demo` (npm run demo): the main job on the embedded default. Checks the example datasets and the
// shipped world, runs the shipped base model's quality gate, and shows for a few test edits what the model
// answers before any edit, closed book and with the new fact in context (the Prepend baseline).
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot, shippedAssets } from '../../common/paths';
import { readInstanceFile } from '../../dataset/index';
import { checkPaths } from '../../lsp/check/check-paths';
import { exactMatch } from '../../runtime/eval/answers';
import { GATE, pct } from '../../runtime/eval/world-eval';
import { cutAtStop, generateGreedy } from '../../runtime/tasks/generate';
import { type CliCommand, CliError, parseFlags } from '../command';
import { loadModelForCli, makeRuntime, RUNTIME_FLAGS, tokenizerForCli } from '../model-args';
import { countSeverities, formatDiagnostic, summaryLine } from './check';
import { evaluateWithProgress, readQuestionsForCli } from './world-eval';

/** The first non-verbatim question of the first `n` instances of a split (read by the dataset model). */
function showcase(
  world: string,
  split: string,
  n: number,
): Array<{ fact: string; question: string; answer: string; path: string }> {
  const file = join(world, 'splits', `${split}.ripple.jsonl`);
  const read = readInstanceFile(file);
  if (!read.ok) throw new CliError(`${read.message}; rebuild the world with \`propmend world build\``);
  const out: Array<{ fact: string; question: string; answer: string; path: string }> = [];
  for (const { line, instance } of read.instances) {
    if (out.length >= n) break;
    const q = instance.propagation.find((p) => p.kind === 'non-verbatim' && (p.path?.length ?? 0) >= 2);
    if (!q) continue;
    if (instance.fact === undefined || q.question === undefined || q.answer === undefined || !q.path)
      throw new CliError(
        `${file}:${line + 1}: fact, question or answer missing; run \`propmend check ${file}\``,
      );
    out.push({ fact: instance.fact, question: q.question, answer: q.answer, path: q.path.join(' / ') });
  }
  return out;
}

export const demoCommand: CliCommand = {
  summary:
    'the embedded demo: check the datasets, measure the shipped model, show propagation before an edit',
  usage: `Usage: propmend demo [--json]

1. Checks examples/ and assets/world/ with the dataset checker.
2. Runs the quality gate of the shipped model assets/models/tiny-world on assets/world
   (the same as \`propmend world eval\`).
3. For a few test edits, asks a propagation question closed book (the model has never seen the new
   person) and with the new fact prepended (the Prepend baseline), next to the gold answer.
Exit 1 when a dataset has errors or the quality gate fails.`,
  async run(argv, io) {
    const { values } = parseFlags(argv, { json: { type: 'boolean' }, ...RUNTIME_FLAGS }, false);
    const root = packageRoot();
    const { world, model: modelDir } = shippedAssets();
    if (!existsSync(join(modelDir, 'config.json'))) {
      throw new CliError(
        `the shipped model ${modelDir} is missing; rebuild it with \`propmend pretrain --world assets/world --out assets/models/tiny-world\``,
      );
    }
    const say = (text: string) => {
      if (!values.json) io.stdout(text);
    };

    say('== 1. Checking datasets (examples/, assets/world/)\n');
    const targets = ['examples', 'assets/world'].map((d) => join(root, d)).filter((d) => existsSync(d));
    const reports = await checkPaths(targets, { roots: [root] });
    for (const r of reports) {
      const c = countSeverities([r]);
      say(
        `  ${relative(root, r.path).padEnd(48)} ${r.kind.padEnd(11)} ${c.error} errors, ${c.warning} warnings\n`,
      );
      for (const d of r.diagnostics) {
        if (d.severity === 'error' || d.severity === 'warning')
          say(`    ${formatDiagnostic(relative(root, r.path), d)}\n`);
      }
    }
    say(`  ${summaryLine(reports)}\n\n`);

    const runtime = makeRuntime(values);
    try {
      const model = loadModelForCli(modelDir, runtime, io);
      const tokenizer = await tokenizerForCli(modelDir);
      const training = JSON.parse(readFileSync(join(modelDir, 'training.json'), 'utf8')) as {
        steps: number;
        recipe: { epochs: number };
      };
      const params = [...model.weights.values()].reduce((n, w) => n + w.data.length, 0);
      say(
        `== 2. The shipped base model (${relative(root, modelDir)}: Llama architecture, ${(params / 1e6).toFixed(2)}M parameters, ${model.config.numLayers} layers, ${training.steps} training steps)\n`,
      );
      const gate = await evaluateWithProgress(
        model,
        tokenizer,
        readQuestionsForCli(world),
        io,
        '  evaluating',
      );
      say(
        `  1-hop questions about known entities      ${pct(gate.one_hop).padStart(6)}  (n=${gate.n.one_hop}, gate >= ${GATE.oneHop * 100}%)\n`,
      );
      say(
        `  2-hop questions about known people        ${pct(gate.two_hop_known).padStart(6)}  (n=${gate.n.two_hop_known}, gate >= ${GATE.twoHopKnown * 100}%)\n`,
      );
      say(
        `  propagation questions before any edit     ${pct(gate.propagation_before_edit).padStart(6)}  (n=${gate.n.propagation}, chance ${pct(gate.propagation_chance)}, gate <= chance + ${GATE.propagationMargin * 100})\n`,
      );
      say(
        `  the same, with the new fact in context     ${pct(gate.propagation_prepend).padStart(6)}  (the Prepend baseline; not gated)\n`,
      );
      say(
        gate.gate.passed
          ? '  quality gate: passed\n\n'
          : `  quality gate: FAILED (${gate.gate.failures.join('; ')})\n\n`,
      );

      say('== 3. New facts about new people, before any edit\n');
      const examples = showcase(world, 'test-in-domain', 4);
      const prompts = examples.flatMap((e) => [e.question, `${e.fact} ${e.question}`]);
      const generations = await generateGreedy(
        model,
        prompts.map((p) => tokenizer.encode(p, { addSpecialTokens: true })),
        { maxNewTokens: 8 },
      );
      const answers = generations.map((g) =>
        cutAtStop(tokenizer.decode(g.ids, { skipSpecialTokens: true }), ['\n']).trim(),
      );
      const shown = examples.map((e, i) => {
        const closed = answers[2 * i] as string;
        const prepend = answers[2 * i + 1] as string;
        return {
          ...e,
          closedBook: closed,
          prepend,
          closedBookCorrect: exactMatch(closed, e.answer),
          prependCorrect: exactMatch(prepend, e.answer),
        };
      });
      for (const e of shown) {
        say(`  fact:      ${e.fact}\n  question:  ${e.question}   (path ${e.path})\n`);
        say(
          `  gold: ${e.answer} | closed book: ${e.closedBook} ${e.closedBookCorrect ? '(right)' : '(wrong)'} | fact in context: ${e.prepend} ${e.prependCorrect ? '(right)' : '(wrong)'}\n\n`,
        );
      }
      say(
        'The model knows the world but not the new people; an edit that propagates must make the closed-book answer right.\n',
      );
      if (values.json) {
        io.stdout(
          `${JSON.stringify({ check: { errors: countSeverities(reports).error, warnings: countSeverities(reports).warning }, gate, examples: shown })}\n`,
        );
      }
      return countSeverities(reports).error > 0 || !gate.gate.passed ? 1 : 0;
    } finally {
      await runtime.dispose();
    }
  },
};
