// The paper's ablations as a job (`propmend ablate`): from one base PropMEND training config, meta-train the
// baseline and three variants with the same budget (outer loss on the direct questions instead of the
// propagation ones, `top` layers instead of the base's layers, SFT inner loss instead of CLM), one after
// another, each resumable in OUT/<variant>/; then evaluate each kept (best-on-validation) hypernetwork on the
// evaluation splits with frozen statistics, and the baseline also with the reference's online statistics, and
// write OUT/ablation.json. Training is server/runtime/edit/meta-train.ts (through jobs/meta-train.ts).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { writeJsonAtomic } from '../common/atomic';
import { claimOutput } from '../common/output';
import { packageRoot } from '../common/paths';
import type { TextTokenizer } from '../common/tokenizer';
import { computeEdit } from '../runtime/edit/edit';
import { innerExample } from '../runtime/edit/episode';
import { type Hypernetwork, type StatsMode, withOwnStatistics } from '../runtime/edit/hypernetwork';
import {
  type EditInstance,
  InstanceFileError,
  readInstances,
  readLocalityTexts,
} from '../runtime/edit/instances';
import { BEST_DIR, configHash, metaTrain } from '../runtime/edit/meta-train';
import type { TrainConfig } from '../runtime/edit/train-config';
import {
  DEFAULT_BOOTSTRAP,
  type MetricSummary,
  type ScoredQuestion,
  summarize,
} from '../runtime/eval/metrics';
import { scoreQuestions } from '../runtime/eval/sequential';
import type { LanguageModel } from '../runtime/models/language-model';
import type { Runtime } from '../runtime/session/runtime';
import { JobCancelled, type JobContext, JobInputError, phase } from './context';
import { runEnvironment } from './environment';
import { loadHypernetForJob } from './hypernet';
import { loadModelForJob } from './load';
import { claimResult } from './results';

export const ABLATION_RESULT_FORMAT = 'propmend.ablation-result';
export const ABLATION_RESULT_FILE = 'ablation.json';

interface Ablation {
  readonly name: string;
  readonly change: string;
  readonly field: 'outer_loss' | 'layers' | 'inner_loss' | null;
  readonly value: TrainConfig[keyof TrainConfig] | null;
}

/** The baseline and the paper's three ablations, each one field changed from the base config. */
export const ABLATIONS: readonly Ablation[] = [
  { name: 'baseline', change: 'none (the base config)', field: null, value: null },
  {
    name: 'outer-direct',
    change: 'outer loss on the direct (verbatim) questions instead of the propagation questions',
    field: 'outer_loss',
    value: 'direct',
  },
  {
    name: 'layers-top',
    change: 'the `top` layers instead of the base config layers',
    field: 'layers',
    value: 'top',
  },
  {
    name: 'inner-sft',
    change: 'SFT inner loss (verbatim answers) instead of CLM on the fact',
    field: 'inner_loss',
    value: 'sft',
  },
];

/** The config of one ablation; refuses a base config that already has the ablated value. */
export function ablationConfig(base: TrainConfig, ablation: Ablation, steps?: number): TrainConfig {
  const budget = steps === undefined ? base : { ...base, max_steps: steps };
  if (ablation.field === null) return budget;
  if (JSON.stringify(base[ablation.field]) === JSON.stringify(ablation.value))
    throw new JobInputError(
      `the base config already has "${ablation.field}": ${JSON.stringify(ablation.value)}, so the ${ablation.name} ablation would change nothing; give a PropMEND config (outer_loss "propagation", inner_loss "clm", layers other than "top")`,
    );
  return { ...budget, [ablation.field]: ablation.value };
}

export interface AblateParams {
  /** The base config (paths absolute). */
  readonly config: TrainConfig;
  /** Optimiser steps of every training (default: the base config's max_steps). */
  readonly steps?: number;
  readonly outDir: string;
  /** Evaluation splits: a name for the table and a *.ripple.jsonl file. */
  readonly evalSplits: ReadonlyArray<{ readonly name: string; readonly file: string }>;
  /** The first N instances of each evaluation split. */
  readonly limit?: number;
  readonly force?: boolean;
  readonly bootstrap?: { readonly resamples: number; readonly seed: number };
}

export interface AblationTraining {
  readonly name: string;
  readonly change: string;
  readonly config: TrainConfig;
  readonly steps: number;
  readonly best_step: number;
  readonly best_validation: number | null;
  readonly stopped_early: boolean;
  /** Seconds of optimiser steps over all runs of this training (validation excluded). */
  readonly train_seconds: number;
  /** Wall seconds this invocation spent on it (0 when it was already complete). */
  readonly wall_seconds: number;
  readonly hypernet: string;
}

export interface AblationRow {
  readonly variant: string;
  readonly stats: StatsMode | null;
  readonly split: string;
  readonly n_instances: number;
  readonly efficacy_verbatim: MetricSummary;
  readonly efficacy_nonverbatim: MetricSummary;
  readonly specificity: MetricSummary;
}

export interface AblationResult {
  readonly format: typeof ABLATION_RESULT_FORMAT;
  readonly base_config: TrainConfig;
  readonly steps: number;
  readonly trainings: readonly AblationTraining[];
  readonly rows: readonly AblationRow[];
  readonly bootstrap: { readonly resamples: number; readonly seed: number };
  readonly environment: ReturnType<typeof runEnvironment>;
}

function storedConfigHash(dir: string): string | null {
  for (const folder of ['state', 'state.old']) {
    const file = join(dir, folder, 'state.json');
    if (!existsSync(file)) continue;
    try {
      return String((JSON.parse(readFileSync(file, 'utf8')) as { configHash?: unknown }).configHash);
    } catch {
      return 'unreadable';
    }
  }
  return null;
}

function readSplit(file: string, limit?: number): EditInstance[] {
  try {
    const all = readInstances(file);
    return limit === undefined ? all : all.slice(0, limit);
  } catch (error) {
    if (error instanceof InstanceFileError) throw new JobInputError(error.message);
    throw error;
  }
}

async function evaluate(
  model: LanguageModel,
  tokenizer: TextTokenizer,
  instances: readonly EditInstance[],
  net: Hypernetwork | null,
  stats: StatsMode,
  ctx: JobContext,
): Promise<ScoredQuestion[]> {
  if (!net)
    return scoreQuestions(
      model,
      tokenizer,
      instances.flatMap((i) => i.questions),
    );
  const online = stats === 'reference_online';
  const used = online ? withOwnStatistics(net, true) : net;
  const scored: ScoredQuestion[] = [];
  for (const [k, instance] of instances.entries()) {
    if (ctx.signal.aborted)
      throw new JobCancelled('ablation evaluation cancelled', 'run the same command to resume');
    const inner = innerExample(model, tokenizer, instance, used.innerLoss);
    const { edit } = await computeEdit(model, used, inner, { updateStats: online });
    for (const s of await scoreQuestions(model, tokenizer, instance.questions, edit)) scored.push(s);
    ctx.progress({ fraction: (k + 1) / instances.length, message: `${k + 1}/${instances.length} instances` });
  }
  return scored;
}

export async function ablateJob(
  params: AblateParams,
  runtime: Runtime,
  ctx: JobContext,
): Promise<AblationResult> {
  const base = params.config;
  const configs = ABLATIONS.map((a) => ({ ablation: a, config: ablationConfig(base, a, params.steps) }));
  const outDir = resolve(params.outDir);
  const assets = join(packageRoot(), 'assets');
  if (outDir === assets || outDir.startsWith(`${assets}${sep}`))
    throw new JobInputError(`--out ${outDir} is inside the shipped assets; choose a folder of your own`);
  const inputs = [
    base.model,
    base.train,
    base.validation,
    base.locality,
    ...params.evalSplits.map((s) => s.file),
  ];
  // The folder may hold this plan's resumable trainings; only the result file needs --force to be replaced.
  claimOutput(outDir, { kind: 'folder', inputs, force: true });
  const result = claimResult(
    { file: join(outDir, ABLATION_RESULT_FILE), ...(params.force ? { force: true } : {}) },
    inputs,
  );
  const splits = params.evalSplits.map((s) => ({ ...s, instances: readSplit(s.file, params.limit) }));
  for (const { ablation, config } of configs) {
    const dir = join(outDir, ablation.name);
    const stored = storedConfigHash(dir);
    if (stored !== null && stored !== configHash(config)) {
      if (!params.force)
        throw new JobInputError(
          `${dir} holds a training of another configuration; pass --force to restart it, or choose another --out`,
        );
      rmSync(dir, { recursive: true, force: true });
    }
  }

  let data: { train: EditInstance[]; validation: EditInstance[]; localityTexts: string[] };
  try {
    data = {
      train: readInstances(base.train),
      validation: readInstances(base.validation),
      localityTexts: readLocalityTexts(base.locality),
    };
  } catch (error) {
    if (error instanceof InstanceFileError) throw new JobInputError(error.message);
    throw error;
  }
  // One model for every training and evaluation, so graphs shared by the variants compile once.
  const { model, tokenizer } = await loadModelForJob(base.model, runtime, phase(ctx, 0, 0.01, 'loading'));
  const trainings: AblationTraining[] = [];
  for (const [i, { ablation, config }] of configs.entries()) {
    const dir = join(outDir, ablation.name);
    const trainCtx = phase(
      ctx,
      0.01 + (0.79 * i) / configs.length,
      0.01 + (0.79 * (i + 1)) / configs.length,
      ablation.name,
    );
    ctx.log(`training ${ablation.name} (${ablation.change}) into ${dir}`);
    const started = performance.now();
    const summary = await metaTrain(
      { model, tokenizer, config, ...data, outDir: dir },
      {
        signal: ctx.signal,
        log: (line) => ctx.log(`${ablation.name}: ${line}`),
        progress: (done, total, fields) =>
          trainCtx.progress({
            fraction: done / total,
            message: `step ${done}/${total} | loss ${fields.loss ?? '-'} | steps/s ${fields['steps/s'] ?? '-'}`,
          }),
      },
    );
    const wall = (performance.now() - started) / 1000;
    writeJsonAtomic(join(dir, 'training.json'), {
      method: config.method,
      config,
      ...summary,
      wall_seconds: wall,
      environment: runEnvironment(runtime.threads),
    });
    if (ctx.signal.aborted)
      throw new JobCancelled(
        `ablation training ${ablation.name} stopped at step ${summary.steps}`,
        'run the same command to resume',
      );
    ctx.log(
      `${ablation.name}: ${summary.steps} steps, best ${config.early_stopping.metric} ${summary.best.value} at step ${summary.best.step}, ${summary.trainSeconds.toFixed(0)}s of steps, ${wall.toFixed(0)}s wall now`,
    );
    trainings.push({
      name: ablation.name,
      change: ablation.change,
      config,
      steps: summary.steps,
      best_step: summary.best.step,
      best_validation: summary.best.value,
      stopped_early: summary.stoppedEarly,
      train_seconds: summary.trainSeconds,
      wall_seconds: wall,
      hypernet: join(summary.bestFile, 'hypernet.safetensors'),
    });
  }

  const bootstrap = params.bootstrap ?? DEFAULT_BOOTSTRAP;
  const runs: Array<{ variant: string; stats: StatsMode | null; net: Hypernetwork | null }> = [
    { variant: 'no edit', stats: null, net: null },
  ];
  for (const t of trainings) {
    const net = loadHypernetForJob(join(outDir, t.name, BEST_DIR), model, 'propmend').net;
    runs.push({ variant: t.name, stats: 'frozen', net });
    if (t.name === 'baseline') runs.push({ variant: t.name, stats: 'reference_online', net });
  }
  const rows: AblationRow[] = [];
  const total = runs.length * splits.length;
  for (const [r, run] of runs.entries())
    for (const [s, split] of splits.entries()) {
      const at = 0.8 + (0.2 * (r * splits.length + s)) / total;
      const label = `evaluating ${run.variant}${run.stats === 'reference_online' ? ' (online statistics)' : ''} on ${split.name}`;
      const scored = await evaluate(
        model,
        tokenizer,
        split.instances,
        run.net,
        run.stats ?? 'frozen',
        phase(ctx, at, at + 0.2 / total, label),
      );
      const of = (kind: ScoredQuestion['kind']) =>
        summarize(
          scored.filter((q) => q.kind === kind),
          bootstrap,
        );
      rows.push({
        variant: run.variant,
        stats: run.stats,
        split: split.name,
        n_instances: split.instances.length,
        efficacy_verbatim: of('verbatim'),
        efficacy_nonverbatim: of('non-verbatim'),
        specificity: of('locality'),
      });
    }
  const value: AblationResult = {
    format: ABLATION_RESULT_FORMAT,
    base_config: base,
    steps: params.steps ?? base.max_steps,
    trainings,
    rows,
    bootstrap,
    environment: runEnvironment(runtime.threads),
  };
  result.write(value);
  return value;
}
