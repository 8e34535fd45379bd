// `propmend demo` (npm run demo): the main job on the embedded default, as a thin adapter over
// server/jobs/demo.ts: parses flags, runs the job with a progress line on stderr and prints its parts
// (or --json). Writes only the eval result and report.html into its output folder (default .cache/demo/).
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { packageRoot, shippedAssets } from '../../common/paths';
import { TEST_SPLITS } from '../../dataset/index';
import { DEMO_METHODS, type DemoMethod, type DemoTable, demoJob } from '../../jobs/demo';
import { markdownTable } from '../../report/index';
import type { EditReport } from '../../runtime/edit/single-edit';
import type { MetricSummary } from '../../runtime/eval/metrics';
import { GATE, pct } from '../../runtime/eval/world-eval';
import { type CliCommand, CliError, numberFlag, parseFlags, UsageError } from '../command';
import { runJob } from '../job-io';
import { makeRuntime, RUNTIME_FLAGS, RUNTIME_USAGE } from '../model-args';
import { countSeverities, formatDiagnostic, summaryLine } from './check';

/** Instances per test split in the default table: enough for propmend > mend >= base on test-in-domain
 * non-verbatim questions to hold with a few hundred questions per cell, and the demo under 5 minutes. */
export const DEMO_INSTANCES = 25;
/** Gate questions per set by default: the gate's thresholds hold with margin at this n, in a tenth of the
 * time of all 10,888 answers (`--full` or `propmend world eval` answers every question). */
export const DEMO_GATE_SAMPLE = 200;

export const demoCommand: CliCommand = {
  summary: 'the embedded demo: check, gate, one PropMEND edit, and six methods compared on the test splits',
  usage: `Usage: propmend demo [--instances N | --full] [--methods LIST] [--out DIR [--force]] [--sample N] [--json]

On the shipped world (assets/world) and model (assets/models/tiny-world):
1. checks examples/ and assets/world/ with the dataset checker;
2. runs the model's quality gate (the same as \`propmend world eval\`);
3. applies examples/new-person.edit.json with the shipped PropMEND hypernetwork and shows every question
   before and after the edit (the same as \`propmend edit examples/new-person.edit.json\`);
4. edits the first N instances of each of the four test splits alone with each method and prints the
   paper's table: efficacy on verbatim and non-verbatim questions and specificity, exact match in % with
   bootstrap 95% intervals and the number of questions;
5. writes the run as an eval result (eval-METHODS.json) and the HTML report (\`propmend report\`) into the
   output folder.
Exit 1 when a dataset has errors or the quality gate fails.

  --instances N      instances per test split in the table (default ${DEMO_INSTANCES})
  --full             every instance of every test split and every gate question (takes much longer)
  --methods LIST     comma-separated, of ${DEMO_METHODS.join(', ')} (default: all six)
  --out DIR          where the eval result and report.html go (default .cache/demo/, replaced on every run;
                     another folder's files are replaced only with --force)
  --sample N         gate on N questions of each set, evenly spread (default ${DEMO_GATE_SAMPLE}; --full: all)
${RUNTIME_USAGE}
  --json             {"check","gate","single_edit","table":[{method,split,n,efficacy_*,specificity,...}],"report"}`,
  async run(argv, io) {
    const { values } = parseFlags(
      argv,
      {
        json: { type: 'boolean' },
        sample: { type: 'string' },
        instances: { type: 'string' },
        full: { type: 'boolean' },
        methods: { type: 'string' },
        out: { type: 'string' },
        force: { type: 'boolean' },
        ...RUNTIME_FLAGS,
      },
      false,
    );
    const sample = values.full
      ? values.sample === undefined
        ? undefined
        : numberFlag('sample', values.sample, 0, { min: 1, integer: true })
      : numberFlag('sample', values.sample, DEMO_GATE_SAMPLE, { min: 1, integer: true });
    if (values.full && values.instances !== undefined)
      throw new UsageError('give --instances N or --full, not both');
    const instances = values.full
      ? null
      : numberFlag('instances', values.instances, DEMO_INSTANCES, { min: 1, integer: true });
    const methods = (values.methods ?? DEMO_METHODS.join(',')).split(',').map((m) => m.trim());
    for (const m of methods)
      if (!(DEMO_METHODS as readonly string[]).includes(m))
        throw new UsageError(`--methods: unknown method "${m}"; valid: ${DEMO_METHODS.join(', ')}`);
    const root = packageRoot();
    const out = values.out ?? join(root, '.cache', 'demo');
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
            ...(sample !== undefined ? { sample } : {}),
            table: {
              splits: TEST_SPLITS,
              instances,
              methods: methods as DemoMethod[],
              out,
              // The default folder is the demo's own cache; a folder the user names is replaced only with --force.
              force: values.out === undefined || (values.force ?? false),
            },
          },
          runtime,
          ctx,
        ),
      );
      const { reports, gate, singleEdit, table } = result;
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
      if (sample !== undefined)
        say(
          `  (on a sample of at most ${sample} questions per set; \`propmend world eval\` answers all of them)\n`,
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
        gate.gate.passed
          ? '  quality gate: passed\n\n'
          : `  quality gate: FAILED (${gate.gate.failures.join('; ')})\n\n`,
      );
      if (singleEdit) say(formatSingleEdit(singleEdit));
      if (table) say(formatTable(table, instances, root));
      const counts = countSeverities(reports);
      if (values.json) {
        io.stdout(
          `${JSON.stringify({
            check: { errors: counts.error, warnings: counts.warning },
            gate,
            single_edit: singleEdit ?? null,
            sample: { instances_per_split: instances, splits: TEST_SPLITS, methods },
            table: table ? tableJson(table) : [],
            report: table?.reportFile ?? null,
            result: table?.resultFile ?? null,
          })}\n`,
        );
      }
      return counts.error > 0 || !gate.gate.passed ? 1 : 0;
    } finally {
      await runtime.dispose();
    }
  },
};

/** Part 3: one PropMEND edit with the shipped hypernetwork as a before/after table of its questions. */
function formatSingleEdit(report: EditReport): string {
  const mark = (ok: boolean | null) => (ok === null ? ' ' : ok ? '✓' : '✗');
  const rows = report.questions.map((q) => [
    q.kind === 'nonverbatim' ? 'non-verbatim' : q.kind,
    q.question,
    q.gold ?? '-',
    `${q.before} ${mark(q.correct_before)}`,
    `${q.after} ${mark(q.correct_after)}`,
  ]);
  const head = ['kind', 'question', 'gold', 'before', 'after'];
  const widths = head.map((h, i) => rows.reduce((w, r) => Math.max(w, (r[i] as string).length), h.length));
  const line = (cells: readonly string[]) =>
    `  | ${cells.map((c, i) => c.padEnd(widths[i] as number)).join(' | ')} |\n`;
  const rate = (kind: string, key: 'correct_before' | 'correct_after') => {
    const qs = report.questions.filter((q) => q.kind === kind);
    return `${qs.filter((q) => q[key]).length}/${qs.length}`;
  };
  return [
    '== 3. One PropMEND edit with the shipped hypernetwork (examples/new-person.edit.json)\n',
    `  fact: ${report.fact}\n\n`,
    line(head),
    `  |${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n`,
    ...rows.map(line),
    `\n  right before -> after: non-verbatim ${rate('nonverbatim', 'correct_before')} -> ${rate('nonverbatim', 'correct_after')}, verbatim ${rate('verbatim', 'correct_before')} -> ${rate('verbatim', 'correct_after')}, locality ${rate('locality', 'correct_before')} -> ${rate('locality', 'correct_after')}\n`,
    `  edit: ${report.edit_size.targets} matrices, rank ${report.edit_size.rank}; capture ${Math.round(report.timings_ms.capture)} ms, transform ${Math.round(report.timings_ms.transform)} ms, questions ${Math.round(report.timings_ms.answering)} ms\n\n`,
  ].join('');
}

/** Part 4 and 5: the paper's table and where the run and the report were written. */
function formatTable(table: DemoTable, instances: number | null, root: string): string {
  const { run } = table;
  const sized = instances === null ? 'every instance' : `the first ${instances} instances`;
  const seconds = Object.entries(run.timings.per_method_s)
    .map(([m, s]) => `${m} ${s.toFixed(0)} s`)
    .join(', ');
  const shown = (p: string) => (p.startsWith(root) ? relative(root, p) : p);
  return [
    `== 4. Each method on ${sized} of each test split, every instance edited alone from the original weights\n`,
    markdownTable(table.rows),
    `(${run.records.length} answers in ${run.timings.total_s.toFixed(0)} s: ${seconds}; \`propmend demo --full\` runs every instance)\n\n`,
    '== 5. The report\n',
    `  HTML report: ${shown(table.reportFile)}\n`,
    `  eval result: ${shown(table.resultFile)} (\`propmend report ${shown(table.resultFile)}\` renders it again)\n`,
  ].join('');
}

const interval = (s: MetricSummary) => ({
  mean: s.exact_match.mean,
  low: s.exact_match.low,
  high: s.exact_match.high,
  n: s.exact_match.n,
});

function tableJson(table: DemoTable) {
  return table.rows.map((r) => ({
    method: r.method,
    split: r.split,
    n: r.n_instances,
    efficacy_verbatim: r.efficacy_verbatim.exact_match.mean,
    efficacy_nonverbatim: r.efficacy_nonverbatim.exact_match.mean,
    specificity: r.specificity.exact_match.mean,
    ci: {
      efficacy_verbatim: interval(r.efficacy_verbatim),
      efficacy_nonverbatim: interval(r.efficacy_nonverbatim),
      specificity: interval(r.specificity),
    },
  }));
}
