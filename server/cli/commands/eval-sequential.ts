// `propmend eval --sequential K`: the multi-edit curve (server/jobs/sequential-eval.ts), reached through the
// eval command, which hands its argv here when --sequential is present. Prints the curve as a markdown table
// (or --json), optionally writes the result file (--out, --force). Progress on stderr.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { packageRoot, shippedAssets } from '../../common/paths';
import { claimResult } from '../../jobs/results';
import {
  SEQUENTIAL_METHODS,
  type SequentialEvalResult,
  type SequentialMethod,
  sequentialEvalJob,
} from '../../jobs/sequential-eval';
import { STATS_MODES, type StatsMode } from '../../runtime/edit/hypernetwork';
import type { MetricSummary } from '../../runtime/eval/metrics';
import { STACKING_MODES, type StackingMode } from '../../runtime/eval/sequential';
import { type CliIO, numberFlag, parseFlags, UsageError } from '../command';
import { runJob } from '../job-io';
import { makeRuntime, RUNTIME_FLAGS, RUNTIME_USAGE } from '../model-args';

export const SEQUENTIAL_USAGE = `Usage: propmend eval --sequential K --dataset FILE.ripple.jsonl [--method M[,M...]] [options]

Applies the first K instances' edits one after another without restoring (each computed on the model the
previous edits left), and reports at 1, 2, 5, 10, 20, 50, 100 (<= K) and K edits the efficacy on the edited
instances' verbatim and non-verbatim questions and the specificity on all K instances' locality questions,
with bootstrap 95% intervals and n. The weights are restored (checksum-verified) between methods.

  --method LIST      comma-separated, of ${SEQUENTIAL_METHODS.join(', ')} (default: all three)
  --model DIR        base model folder (default: the shipped assets/models/tiny-world)
  --hypernet M=PATH  hypernetwork for mend or propmend, repeatable; PATH alone when one of them is listed
                     (default: the shipped one, shipped model only)
  --stats MODE       ${STATS_MODES.join(' | ')} (default frozen)
  --stacking MODE    sequential: each edit computed on the already-edited model (default); independent: each
                     on the original weights, then summed (separates interference from feedback)
  --memit-corpus F   MEMIT's key-statistics corpus (default for the shipped model: the world's corpus.jsonl)
  --out DIR          also write DIR/sequential-<methods>-k<K>[-independent].json (--force replaces)
${RUNTIME_USAGE}
  --json             {"format","k","checkpoints","curves":[{"method","before","points":[{"edits",...}]}],...}`;

function cell(m: MetricSummary): string {
  const { mean, low, high, n } = m.exact_match;
  if (n === 0) return '-';
  return `${(100 * mean).toFixed(1)} [${(100 * low).toFixed(1)}, ${(100 * high).toFixed(1)}] (n=${n})`;
}

/** The curves as one markdown table: a row per method and number of edits (0 = the unedited model). */
export function sequentialTable(result: SequentialEvalResult): string {
  const lines = [
    '| method | edits | efficacy verbatim | efficacy non-verbatim | specificity |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const c of result.curves) {
    lines.push(
      `| ${c.method} | 0 (all ${result.k}) | ${cell(c.before.efficacy_verbatim)} | ${cell(c.before.efficacy_nonverbatim)} | ${cell(c.before.specificity)} |`,
    );
    for (const p of c.points)
      lines.push(
        `| ${c.method} | ${p.edits} | ${cell(p.efficacy_verbatim)} | ${cell(p.efficacy_nonverbatim)} | ${cell(p.specificity)} |`,
      );
  }
  return `${lines.join('\n')}\n`;
}

export async function runSequentialEval(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, {
    sequential: { type: 'string' },
    dataset: { type: 'string' },
    model: { type: 'string' },
    method: { type: 'string' },
    hypernet: { type: 'string', multiple: true },
    stats: { type: 'string' },
    stacking: { type: 'string' },
    'memit-corpus': { type: 'string' },
    out: { type: 'string' },
    force: { type: 'boolean' },
    json: { type: 'boolean' },
    ...RUNTIME_FLAGS,
  });
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const k = numberFlag('sequential', values.sequential, 0, { min: 1, integer: true });
  if (!values.dataset) throw new UsageError('give --dataset FILE.ripple.jsonl');
  const methods = (values.method ?? SEQUENTIAL_METHODS.join(',')).split(',').map((m) => m.trim());
  for (const m of methods)
    if (!SEQUENTIAL_METHODS.includes(m as SequentialMethod))
      throw new UsageError(`--sequential runs ${SEQUENTIAL_METHODS.join(', ')}; got method "${m}"`);
  if (new Set(methods).size !== methods.length) throw new UsageError('--method lists a method twice');
  const hypernetMethods = methods.filter((m) => m !== 'memit') as Array<'propmend' | 'mend'>;
  const hypernets: Partial<Record<'propmend' | 'mend', string>> = {};
  for (const value of values.hypernet ?? []) {
    const named = /^(propmend|mend)=(.+)$/.exec(value);
    if (!named && hypernetMethods.length !== 1)
      throw new UsageError(`--hypernet ${value}: give METHOD=PATH (METHOD one of mend, propmend)`);
    const method = (named ? named[1] : hypernetMethods[0]) as 'propmend' | 'mend';
    if (!hypernetMethods.includes(method))
      throw new UsageError(`--hypernet ${method}=...: ${method} is not among the --method list`);
    hypernets[method] = named ? (named[2] as string) : value;
  }
  if (values.stats !== undefined && !STATS_MODES.includes(values.stats as StatsMode))
    throw new UsageError(`--stats must be one of ${STATS_MODES.join(', ')}, got "${values.stats}"`);
  if (values.stacking !== undefined && !STACKING_MODES.includes(values.stacking as StackingMode))
    throw new UsageError(`--stacking must be one of ${STACKING_MODES.join(', ')}, got "${values.stacking}"`);
  const modelDir = resolve(values.model ?? shippedAssets().model);
  const shipped = modelDir === resolve(shippedAssets().model);
  const memitCorpus =
    values['memit-corpus'] ?? (shipped ? join(shippedAssets().world, 'corpus.jsonl') : undefined);
  const dataset = resolve(values.dataset);
  const target = values.out
    ? claimResult(
        {
          file: join(
            resolve(values.out),
            `sequential-${methods.join('+')}-k${k}${values.stacking === 'independent' ? '-independent' : ''}.json`,
          ),
          ...(values.force ? { force: true } : {}),
        },
        [dataset, modelDir],
      )
    : null;
  const runtime = makeRuntime(values);
  try {
    const result = await runJob(io, 'sequential edits', (ctx) =>
      sequentialEvalJob(
        {
          dataset,
          modelDir,
          methods: methods as SequentialMethod[],
          k,
          hypernets,
          ...(values.stats ? { statsMode: values.stats as StatsMode } : {}),
          ...(values.stacking ? { stacking: values.stacking as StackingMode } : {}),
          ...(memitCorpus ? { memitCorpus: resolve(memitCorpus) } : {}),
          memitCacheDir: join(packageRoot(), '.cache', 'memit'),
        },
        runtime,
        ctx,
      ),
    );
    if (target && values.out) {
      mkdirSync(resolve(values.out), { recursive: true });
      target.write(result);
    }
    io.stdout(values.json ? `${JSON.stringify(result)}\n` : sequentialTable(result));
    return 0;
  } finally {
    await runtime.dispose();
  }
}
