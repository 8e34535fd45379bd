// The embedded demo as a job: check the example datasets and the shipped world, run the shipped model's
// quality gate (world-gate.ts), apply one PropMEND edit and show its questions before and after (edit.ts),
// then the paper's table: base, prepend, cpt-midupper, memit, mend and propmend on fixed subsets of the four
// test splits (demo-methods.ts), written as an eval result and an HTML report into the folder the caller
// names. Returns plain data; `propmend demo` prints it. Writes only the two files it claimed first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../common/atomic';
import { claimOutput } from '../common/output';
import { readInstanceFile, type TestSplit } from '../dataset/index';
import { checkPaths } from '../lsp/check/check-paths';
import type { FileReport } from '../lsp/check/types';
import { renderReport } from '../report/index';
import { reportRows } from '../report/summary';
import { Baselines } from '../runtime/baselines/index';
import type { EditReport } from '../runtime/edit/single-edit';
import { DEFAULT_BOOTSTRAP } from '../runtime/eval/metrics';
import {
  EVAL_RESULT_FORMAT,
  EVAL_RESULT_VERSION,
  type EvalRunResult,
  type SummaryRow,
} from '../runtime/eval/result';
import type { WorldEvaluation } from '../runtime/eval/world-eval';
import type { Runtime } from '../runtime/session/runtime';
import { type JobContext, JobInputError, phase, throwIfCancelled } from './context';
import { type DemoMethod, type LocatedInstance, runMethods } from './demo-methods';
import { editJob } from './edit';
import { runEnvironment } from './environment';
import { loadHypernetForJob, shippedHypernet } from './hypernet';
import { loadModelForJob } from './load';
import { gateOnModel, readGateQuestions, sampleQuestions } from './world-gate';

/** The seed of everything random in the demo's table (the bootstrap; the methods are deterministic). */
export const DEMO_SEED = 20260101;

export interface DemoTableParams {
  readonly splits: readonly TestSplit[];
  /** The first N instances of each split; null for all of them. */
  readonly instances: number | null;
  readonly methods: readonly DemoMethod[];
  /** Where result.json and report.html go (claimed before any work), and whether they may be replaced. */
  readonly out: string;
  readonly force: boolean;
  /** MEMIT's key statistics cache. */
  readonly memitCacheDir: string;
}

export interface DemoParams {
  /** Dataset files and folders to check. */
  readonly checkTargets: readonly string[];
  /** Folders an edit spec's kb/model/hypernetwork may point into (default: the checker's own roots). */
  readonly checkRoots?: readonly string[];
  readonly world: string;
  readonly modelDir: string;
  /** Gate on a fixed sample of each question set (default: every question). */
  readonly sample?: number;
  /** An edit spec to apply with its hypernetwork after the gate (the demo's single PropMEND edit). */
  readonly editSpec?: string;
  /** The comparison table; absent: no table. */
  readonly table?: DemoTableParams;
}

export interface DemoTable {
  readonly run: EvalRunResult;
  readonly rows: SummaryRow[];
  readonly resultFile: string;
  readonly reportFile: string;
}

export interface DemoResult {
  readonly reports: FileReport[];
  readonly model: {
    readonly dir: string;
    readonly parameters: number;
    readonly layers: number;
    /** From the model's training.json; null when it has none. */
    readonly trainingSteps: number | null;
  };
  readonly gate: WorldEvaluation;
  /** The before/after report of `editSpec`'s edit, when one was given. */
  readonly singleEdit?: EditReport;
  readonly table?: DemoTable;
}

function trainingSteps(modelDir: string): number | null {
  try {
    const steps = (JSON.parse(readFileSync(join(modelDir, 'training.json'), 'utf8')) as { steps?: unknown })
      .steps;
    return typeof steps === 'number' ? steps : null;
  } catch {
    return null;
  }
}

/** The first `n` instances (all when null) of each of the world's test splits, in file order. */
export function tableInstances(
  world: string,
  splits: readonly TestSplit[],
  n: number | null,
): LocatedInstance[] {
  const out: LocatedInstance[] = [];
  for (const split of splits) {
    const file = join(world, 'splits', `${split}.ripple.jsonl`);
    const read = readInstanceFile(file);
    if (!read.ok) throw new JobInputError(`${read.message}; rebuild the world with \`propmend world build\``);
    const problem = read.problems[0];
    if (problem)
      throw new JobInputError(
        `${file}:${problem.line + 1}: ${problem.message}; run \`propmend check ${file}\``,
      );
    const chosen = n === null ? read.instances : read.instances.slice(0, n);
    chosen.forEach(({ line, instance }, index) => {
      out.push({ dataset: file, line, index, split, instance });
    });
  }
  return out;
}

export async function demoJob(params: DemoParams, runtime: Runtime, ctx: JobContext): Promise<DemoResult> {
  const table = params.table;
  const targets = table
    ? {
        result: claimOutput(join(table.out, 'result.json'), { kind: 'file', force: table.force }),
        report: claimOutput(join(table.out, 'report.html'), { kind: 'file', force: table.force }),
      }
    : undefined;
  const ends = table ? { check: 0.05, gate: 0.15, edit: 0.2 } : { check: 0.2, gate: 0.9, edit: 1 };
  const checking = phase(ctx, 0, ends.check, 'checking');
  const reports = await checkPaths([...params.checkTargets], {
    ...(params.checkRoots ? { roots: params.checkRoots } : {}),
    onProgress: (done, total) =>
      checking.progress({ fraction: done / total, message: `${done}/${total} files` }),
  });
  throwIfCancelled(ctx, 'the demo');
  const items = table ? tableInstances(params.world, table.splits, table.instances) : [];
  const all = readGateQuestions(params.world);
  const questions = params.sample !== undefined ? sampleQuestions(all, params.sample) : all;
  const { model, tokenizer } = await loadModelForJob(
    params.modelDir,
    runtime,
    phase(ctx, ends.check, ends.check + 0.01, 'loading'),
  );
  const gate = await gateOnModel(
    model,
    tokenizer,
    questions,
    phase(ctx, ends.check + 0.01, ends.gate, 'gate'),
  );
  const singleEdit = params.editSpec
    ? (await editJob({ specFile: params.editSpec }, runtime, phase(ctx, ends.gate, ends.edit, 'editing')))
        .report
    : undefined;
  let demoTable: DemoTable | undefined;
  if (table && targets) {
    const started = performance.now();
    const methods = table.methods;
    const hypernets = {
      ...(methods.includes('mend')
        ? { mend: loadHypernetForJob(shippedHypernet('mend'), model, 'mend') }
        : {}),
      ...(methods.includes('propmend')
        ? { propmend: loadHypernetForJob(shippedHypernet('propmend'), model, 'propmend') }
        : {}),
    };
    const baselines = new Baselines(model, tokenizer, {
      memitCorpus: join(params.world, 'corpus.jsonl'),
      memitCacheDir: table.memitCacheDir,
    });
    const running = phase(ctx, ends.edit, 0.99, 'table');
    if (methods.includes('memit'))
      await baselines.memitStatistics(phase(running, 0, 0.1, 'MEMIT statistics'));
    const { records, seconds: perMethod } = await runMethods(
      model,
      tokenizer,
      items,
      methods,
      {
        baselines,
        hypernets: Object.fromEntries(Object.entries(hypernets).map(([m, h]) => [m, h.net])),
      },
      phase(running, methods.includes('memit') ? 0.1 : 0, 1, 'editing'),
    );
    const seconds = (performance.now() - started) / 1000;
    const run: EvalRunResult = {
      format: EVAL_RESULT_FORMAT,
      version: EVAL_RESULT_VERSION,
      created: new Date().toISOString(),
      config: {
        methods: [...methods],
        datasets: [...new Set(items.map((i) => i.dataset))],
        model: params.modelDir,
        hypernets: Object.fromEntries(Object.entries(hypernets).map(([m, h]) => [m, h.file])),
        seed: DEMO_SEED,
        bootstrap: { resamples: DEFAULT_BOOTSTRAP.resamples, seed: DEMO_SEED },
        limit: table.instances,
        shard: null,
        method_settings: { demo: true },
      },
      versions: Object.fromEntries(
        Object.entries(runEnvironment(runtime.threads)).map(([k, v]) => [k, String(v)]),
      ),
      timings: { total_s: seconds, per_method_s: perMethod },
      records,
    };
    writeJsonAtomic(targets.result, run);
    writeFileAtomic(targets.report, renderReport(run, { sources: [targets.result] }));
    demoTable = { run, rows: reportRows(run), resultFile: targets.result, reportFile: targets.report };
  }
  ctx.progress({ fraction: 1, message: 'done' });
  return {
    reports,
    model: {
      dir: params.modelDir,
      parameters: [...model.weights.values()].reduce((n, w) => n + w.data.length, 0),
      layers: model.config.numLayers,
      trainingSteps: trainingSteps(params.modelDir),
    },
    gate,
    ...(singleEdit ? { singleEdit } : {}),
    ...(demoTable ? { table: demoTable } : {}),
  };
}
