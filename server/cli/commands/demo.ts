// `propmend demo` (npm run demo): the main job on the embedded default, as a thin adapter over
// server/jobs/demo.ts: parses flags, runs the job with a progress line on
// stderr and prints the four parts (or --json). Writes no file.
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot, shippedAssets } from '../../common/paths';
import { demoJob } from '../../jobs/demo';
import type { EditReport } from '../../runtime/edit/single-edit';
import { GATE, pct } from '../../runtime/eval/world-eval';
import { type CliCommand, CliError, numberFlag, parseFlags } from '../command';
import { runJob } from '../job-io';
import { makeRuntime, RUNTIME_FLAGS } from '../model-args';
import { countSeverities, formatDiagnostic, summaryLine } from './check';

export const demoCommand: CliCommand = {
  summary: 'the embedded demo: check the datasets, measure the shipped model, apply one PropMEND edit',
  usage: `Usage: propmend demo [--sample N] [--json]

1. Checks examples/ and assets/world/ with the dataset checker.
2. Runs the quality gate of the shipped model assets/models/tiny-world on assets/world
   (the same as \`propmend world eval\`).
3. For a few test edits, asks a propagation question closed book (the model has never seen the new
   person) and with the new fact prepended (the Prepend baseline), next to the gold answer.
4. Applies examples/new-person.edit.json with the shipped PropMEND hypernetwork and shows every question's
   answer before and after the edit (the same as \`propmend edit examples/new-person.edit.json\`).
Exit 1 when a dataset has errors or the quality gate fails. Writes no file.

  --sample N         gate on N questions of each set, evenly spread (a quick look; default: all)
  --json             {"check","gate","examples","single_edit"} on stdout`,
  async run(argv, io) {
    const { values } = parseFlags(
      argv,
      { json: { type: 'boolean' }, sample: { type: 'string' }, ...RUNTIME_FLAGS },
      false,
    );
    const sample =
      values.sample === undefined
        ? undefined
        : numberFlag('sample', values.sample, 0, { min: 1, integer: true });
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
    const runtime = makeRuntime(values);
    try {
      const result = await runJob(io, '  demo', (ctx) =>
        demoJob(
          {
            checkTargets: ['examples', 'assets/world'].map((d) => join(root, d)).filter((d) => existsSync(d)),
            checkRoots: [root],
            editSpec: join(root, 'examples', 'new-person.edit.json'),
            world,
            modelDir,
            showcase: { split: 'test-in-domain', count: 4 },
            ...(sample !== undefined ? { sample } : {}),
          },
          runtime,
          ctx,
        ),
      );
      const { reports, gate, examples, singleEdit } = result;
      say('== 1. Checking datasets (examples/, assets/world/)\n');
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
      const m = result.model;
      say(
        `== 2. The shipped base model (${relative(root, m.dir)}: Llama architecture, ${(m.parameters / 1e6).toFixed(2)}M parameters, ${m.layers} layers, ${m.trainingSteps ?? 'unknown'} training steps)\n`,
      );
      if (sample !== undefined) say(`  (on a sample of at most ${sample} questions per set)\n`);
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
      for (const e of examples) {
        say(`  fact:      ${e.fact}\n  question:  ${e.question}   (path ${e.path})\n`);
        say(
          `  gold: ${e.answer} | closed book: ${e.closedBook} ${e.closedBookCorrect ? '(right)' : '(wrong)'} | fact in context: ${e.prepend} ${e.prependCorrect ? '(right)' : '(wrong)'}\n\n`,
        );
      }
      say(
        'The model knows the world but not the new people; an edit that propagates must make the closed-book answer right.\n\n',
      );
      if (singleEdit) say(formatSingleEdit(singleEdit));
      const counts = countSeverities(reports);
      if (values.json) {
        io.stdout(
          `${JSON.stringify({ check: { errors: counts.error, warnings: counts.warning }, gate, examples, single_edit: singleEdit ?? null })}\n`,
        );
      }
      return counts.error > 0 || !gate.gate.passed ? 1 : 0;
    } finally {
      await runtime.dispose();
    }
  },
};

/** Part 4: one PropMEND edit with the shipped hypernetwork, a line per question, before -> after. */
function formatSingleEdit(report: EditReport): string {
  const mark = (ok: boolean | null) => (ok === null ? '' : ok ? ' (right)' : ' (wrong)');
  const lines = [
    '== 4. One PropMEND edit with the shipped hypernetwork (examples/new-person.edit.json)\n',
    `  fact: ${report.fact}\n`,
  ];
  for (const q of report.questions) {
    lines.push(`  [${q.kind}] ${q.question}\n`);
    lines.push(
      `    gold: ${q.gold ?? '-'} | before: ${q.before}${mark(q.correct_before)} | after: ${q.after}${mark(q.correct_after)}\n`,
    );
  }
  const rate = (kind: string, key: 'correct_before' | 'correct_after') => {
    const qs = report.questions.filter((q) => q.kind === kind);
    return `${qs.filter((q) => q[key]).length}/${qs.length}`;
  };
  lines.push(
    `  right before -> after: non-verbatim ${rate('nonverbatim', 'correct_before')} -> ${rate('nonverbatim', 'correct_after')}, verbatim ${rate('verbatim', 'correct_before')} -> ${rate('verbatim', 'correct_after')}, locality ${rate('locality', 'correct_before')} -> ${rate('locality', 'correct_after')}\n`,
  );
  lines.push(
    `  edit: ${report.edit_size.targets} matrices, rank ${report.edit_size.rank}; capture ${Math.round(report.timings_ms.capture)} ms, transform ${Math.round(report.timings_ms.transform)} ms, questions ${Math.round(report.timings_ms.answering)} ms\n`,
  );
  return lines.join('');
}
