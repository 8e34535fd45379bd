// `propmend ablate`: the paper's three ablations and the baseline, trained with one budget from a base
// PropMEND config and evaluated on test splits (frozen and online statistics for the baseline); a thin
// adapter over server/jobs/ablate.ts. The table goes to stdout (--json: the whole result), progress to stderr.
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { packageRoot } from '../../common/paths';
import { splitFromFileName, TEST_SPLITS } from '../../dataset/index';
import { ABLATION_RESULT_FILE, ABLATIONS, type AblationResult, ablateJob } from '../../jobs/ablate';
import type { MetricSummary } from '../../runtime/eval/metrics';
import { type CliCommand, CliError, numberFlag, parseFlags, UsageError } from '../command';
import { runJob } from '../job-io';
import { makeRuntime, RUNTIME_FLAGS, RUNTIME_USAGE } from '../model-args';
import { readTrainConfig } from './train';

/** The paper's ablation table: in-domain and held-out relations (TEST_SPLITS[0] and [2]). */
const DEFAULT_SPLITS = [TEST_SPLITS[0], TEST_SPLITS[2]] as const;

function cell(m: MetricSummary): string {
  const { mean, low, high, n } = m.exact_match;
  if (n === 0) return '-';
  return `${(100 * mean).toFixed(1)} [${(100 * low).toFixed(1)}, ${(100 * high).toFixed(1)}] (n=${n})`;
}

/** The result as two markdown tables: trainings, then efficacy and specificity per variant and split. */
export function ablationTables(result: AblationResult): string {
  const lines = [
    '| variant | change | steps | best step | best validation | train s |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const t of result.trainings)
    lines.push(
      `| ${t.name} | ${t.change} | ${t.steps} | ${t.best_step} | ${t.best_validation?.toFixed(3) ?? '-'} | ${t.train_seconds.toFixed(0)} |`,
    );
  lines.push(
    '',
    '| variant | statistics | split | instances | efficacy verbatim | efficacy non-verbatim | specificity |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of result.rows)
    lines.push(
      `| ${r.variant} | ${r.stats ?? '-'} | ${r.split} | ${r.n_instances} | ${cell(r.efficacy_verbatim)} | ${cell(r.efficacy_nonverbatim)} | ${cell(r.specificity)} |`,
    );
  return `${lines.join('\n')}\n`;
}

export const ablateCommand: CliCommand = {
  summary: "train and evaluate the paper's three PropMEND ablations with one budget",
  usage: `Usage: propmend ablate [--config BASE.json] [--steps N] [--out DIR] [options]

Meta-trains, one after another and each resumable, the base PropMEND config and its three ablations with the
same budget: ${ABLATIONS.filter((a) => a.field)
    .map((a) => `${a.name} (${a.change})`)
    .join('; ')}.
Each kept (best on validation) hypernetwork is evaluated on the evaluation splits with frozen statistics,
the baseline also with the reference's online statistics. Run the same command again to resume.
DIR receives one training folder per variant and ${ABLATION_RESULT_FILE}.

  --config FILE      base training config (default: examples/train-propmend.json of this package)
  --steps N          optimiser steps of every training (default: the config's max_steps)
  --out DIR          output folder (default: runs/ablate)
  --eval FILE        an evaluation split, repeatable (default: ${DEFAULT_SPLITS.join(' and ')}
                     next to the config's train file)
  --limit N          the first N instances of each evaluation split
  --force            replace ${ABLATION_RESULT_FILE} and restart trainings of another configuration
${RUNTIME_USAGE}
  --json             print the whole result (trainings, rows with bootstrap intervals and n)`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      config: { type: 'string' },
      steps: { type: 'string' },
      out: { type: 'string' },
      eval: { type: 'string', multiple: true },
      limit: { type: 'string' },
      force: { type: 'boolean' },
      json: { type: 'boolean' },
      ...RUNTIME_FLAGS,
    });
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const steps =
      values.steps === undefined
        ? undefined
        : numberFlag('steps', values.steps, 0, { min: 1, integer: true });
    const limit =
      values.limit === undefined
        ? undefined
        : numberFlag('limit', values.limit, 0, { min: 1, integer: true });
    const configFile = resolve(values.config ?? join(packageRoot(), 'examples', 'train-propmend.json'));
    if (!existsSync(configFile)) throw new CliError(`--config ${configFile} does not exist`);
    const config = readTrainConfig(configFile);
    if (config.method !== 'propmend')
      throw new CliError(
        `${configFile}: "method" is "${config.method}"; the ablations start from a PropMEND config (method "propmend")`,
      );
    const evalFiles = values.eval?.length
      ? values.eval.map((f) => resolve(f))
      : DEFAULT_SPLITS.map((s) => join(dirname(config.train), `${s}.ripple.jsonl`));
    for (const file of evalFiles)
      if (!existsSync(file))
        throw new CliError(
          `evaluation split ${file} does not exist; pass --eval FILE.ripple.jsonl for each split to evaluate on`,
        );
    const runtime = makeRuntime(values);
    try {
      const result = await runJob(io, 'ablations', (ctx) =>
        ablateJob(
          {
            config,
            ...(steps !== undefined ? { steps } : {}),
            outDir: resolve(values.out ?? join('runs', 'ablate')),
            evalSplits: evalFiles.map((file) => ({
              name: splitFromFileName(basename(file)) ?? basename(file).replace(/\.ripple\.jsonl$/, ''),
              file,
            })),
            ...(limit !== undefined ? { limit } : {}),
            ...(values.force ? { force: true } : {}),
          },
          runtime,
          ctx,
        ),
      );
      io.stdout(values.json ? `${JSON.stringify(result)}\n` : ablationTables(result));
      return 0;
    } finally {
      await runtime.dispose();
    }
  },
};
