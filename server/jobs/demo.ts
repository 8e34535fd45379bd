// The embedded demo as a job: check the example datasets and the shipped world, run the shipped model's
// quality gate (world-gate.ts), apply one PropMEND edit and show its questions before and after (edit.ts),
// then the paper's table: base, prepend, cpt-midupper, memit, mend and propmend on the first instances of
// the four test splits, run as an ordinary `propmend eval` (eval-run.ts) whose result file and HTML report
// go into the folder the caller names. Returns plain data; `propmend demo` prints it. Writes only there.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomic';
import { claimOutput } from '../common/output';
import type { TestSplit } from '../dataset/index';
import { checkPaths } from '../lsp/check/check-paths';
import type { FileReport } from '../lsp/check/types';
import { renderReport } from '../report/index';
import { reportRows } from '../report/summary';
import type { EditReport } from '../runtime/edit/single-edit';
import type { EvalRunResult, SummaryRow } from '../runtime/eval/result';
import type { WorldEvaluation } from '../runtime/eval/world-eval';
import type { Runtime } from '../runtime/session/runtime';
import { type JobContext, phase, throwIfCancelled } from './context';
import { editJob } from './edit';
import { evalRunJob } from './eval-run';
import { loadModelForJob } from './load';
import { gateOnModel, readGateQuestions, sampleQuestions } from './world-gate';

/** The methods of the paper's table, in its order. */
export const DEMO_METHODS = ['base', 'prepend', 'cpt-midupper', 'memit', 'mend', 'propmend'] as const;
export type DemoMethod = (typeof DEMO_METHODS)[number];

export interface DemoTableParams {
  readonly splits: readonly TestSplit[];
  /** The first N instances of each split; null for all of them. */
  readonly instances: number | null;
  readonly methods: readonly DemoMethod[];
  /** Where result.json and report.html go (claimed before any work), and whether they may be replaced. */
  readonly out: string;
  readonly force: boolean;
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

export async function demoJob(params: DemoParams, runtime: Runtime, ctx: JobContext): Promise<DemoResult> {
  const table = params.table;
  // The report is claimed before any work; the eval job claims its result file itself, also before its work.
  const reportTarget = table
    ? claimOutput(join(table.out, 'report.html'), { kind: 'file', force: table.force })
    : undefined;
  const ends = table ? { check: 0.05, gate: 0.15, edit: 0.2 } : { check: 0.2, gate: 0.9, edit: 1 };
  const checking = phase(ctx, 0, ends.check, 'checking');
  const reports = await checkPaths([...params.checkTargets], {
    ...(params.checkRoots ? { roots: params.checkRoots } : {}),
    onProgress: (done, total) =>
      checking.progress({ fraction: done / total, message: `${done}/${total} files` }),
  });
  throwIfCancelled(ctx, 'the demo');
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
  if (table && reportTarget) {
    const evaluated = await evalRunJob(
      {
        datasets: table.splits.map((s) => join(params.world, 'splits', `${s}.ripple.jsonl`)),
        modelDir: params.modelDir,
        methods: [...table.methods],
        outDir: table.out,
        force: table.force,
        ...(table.instances !== null ? { limit: table.instances } : {}),
        ...(params.checkRoots ? { checkRoots: params.checkRoots } : {}),
        threads: runtime.threads,
      },
      runtime,
      phase(ctx, ends.edit, 0.99, 'table'),
    );
    const run = evaluated.result;
    const resultFile = evaluated.file as string;
    writeFileAtomic(reportTarget, renderReport(run, { sources: [resultFile] }));
    demoTable = { run, rows: reportRows(run), resultFile, reportFile: reportTarget };
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
