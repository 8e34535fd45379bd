// `propmend eval`: edits each instance of one or more datasets alone with each method, answers and scores every
// question, prints a table with bootstrap intervals (or --json summary rows) and, with --out, writes the
// per-question result file. A thin adapter over server/jobs/eval-run.ts; progress and logs on stderr.
import { resolve } from 'node:path';
import { maxOf } from '../../common/arrays';
import { shippedAssets } from '../../common/paths';
import { DatasetCheckError, evalRunJob } from '../../jobs/eval-run';
import { STATS_MODES, type StatsMode } from '../../runtime/edit/hypernetwork';
import { JUDGE_KEY_ENV } from '../../runtime/eval/judge';
import type { Interval } from '../../runtime/eval/metrics';
import type { SummaryRow } from '../../runtime/eval/result';
import { EVAL_METHODS, HYPERNET_METHODS, type HypernetMethod } from '../../runtime/eval/run-methods';
import { parseShard, ShardError } from '../../runtime/eval/shards';
import { type CliCommand, numberFlag, parseFlags, UsageError } from '../command';
import { runJob } from '../job-io';
import { makeRuntime, RUNTIME_FLAGS, RUNTIME_USAGE } from '../model-args';
import { printReports } from './check';

const pct = (v: number) => (Number.isNaN(v) ? '-' : `${(100 * v).toFixed(1)}`);

/** "45.0 [38.2-51.7] n=120" for an exact-match interval; "-" when the row has no such questions. */
export function formatInterval(i: Interval): string {
  if (i.n === 0) return '-';
  return `${pct(i.mean)} [${pct(i.low)}-${pct(i.high)}] n=${i.n}`;
}

/** The compact table `propmend eval` prints: one row per method and split, exact match in percent. */
export function formatSummaryTable(rows: readonly SummaryRow[]): string {
  const head = ['method', 'split', 'instances', 'verbatim EM %', 'non-verbatim EM %', 'specificity EM %'];
  const body = rows.map((r) => [
    r.method,
    r.split,
    String(r.n_instances),
    formatInterval(r.efficacy_verbatim.exact_match),
    formatInterval(r.efficacy_nonverbatim.exact_match),
    formatInterval(r.specificity.exact_match),
  ]);
  const judged = rows.some((r) => r.judge);
  if (judged) {
    head.push('judge non-verbatim %');
    rows.forEach((r, i) => {
      body[i]?.push(r.judge ? formatInterval(r.judge.efficacy_nonverbatim) : '-');
    });
  }
  const widths = head.map((h, c) => maxOf([h.length, ...body.map((row) => (row[c] ?? '').length)]));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c] as number))
      .join('  ')
      .trimEnd();
  return `${[line(head), ...body.map(line)].join('\n')}\n`;
}

function hypernetFlags(
  values: readonly string[],
  methods: readonly string[],
): Partial<Record<HypernetMethod, string>> {
  const out: Partial<Record<HypernetMethod, string>> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    let method: string;
    let path: string;
    if (eq > 0 && (HYPERNET_METHODS as readonly string[]).includes(value.slice(0, eq))) {
      method = value.slice(0, eq);
      path = value.slice(eq + 1);
    } else {
      const using = methods.filter((m) => (HYPERNET_METHODS as readonly string[]).includes(m));
      if (using.length !== 1)
        throw new UsageError(
          `--hypernet needs METHOD=PATH (METHOD one of ${HYPERNET_METHODS.join(', ')}) when ${using.length === 0 ? 'no method uses one' : 'two methods use one'}`,
        );
      method = using[0] as string;
      path = value;
    }
    if (!path) throw new UsageError(`--hypernet ${value}: give METHOD=PATH`);
    if (!methods.includes(method))
      throw new UsageError(`--hypernet ${method}=...: ${method} is not among the --method list`);
    out[method as HypernetMethod] = path;
  }
  return out;
}

export const evalCommand: CliCommand = {
  summary: 'edit each instance alone with each method and measure efficacy and specificity',
  usage: `Usage: propmend eval --dataset FILE.ripple.jsonl [--dataset FILE...] --method M[,M...] [options]

Checks the datasets (errors stop it before any model work), then edits every instance alone from the
original weights with each method, answers its questions greedily (BOS + question, stop at EOS) and
scores exact match after normalisation (case, punctuation, articles; aliases accepted), token F1 and the
gold answer's mean log-probability, with seeded bootstrap 95% intervals. Methods: ${EVAL_METHODS.join(', ')}.

  --model DIR          base model folder (default: the shipped assets/models/tiny-world)
  --out DIR            write DIR/eval-<methods>[.shard-I-of-N].json, one record per question (--force replaces)
  --limit N            the first N instances of each dataset file
  --shard I/N          only the instances whose position in their file is I modulo N (0 <= I < N)
  --seed S             bootstrap seed (default 20260101)
  --hypernet M=PATH    hypernetwork for mend or propmend (default: the shipped one, shipped model only)
  --edit-lr-scale X    multiply the hypernetwork's alphas by X (default 1)
  --stats MODE         ${STATS_MODES.join(' | ')}: hypernetwork normalisation statistics (default frozen)
  --cpt-steps N        CPT steps (default: 10 for cpt-full, 20 for cpt-midupper)
  --cpt-lr X           CPT learning rate (default: 1e-3 for cpt-full, 3e-3 for cpt-midupper)
  --memit-corpus FILE  MEMIT's key-statistics corpus (default for the shipped model: the world's corpus)
  --judge-url URL      also grade answers with an OpenAI-compatible chat endpoint (key: $${JUDGE_KEY_ENV})
  --judge-model NAME   the judge's model name (required with --judge-url)
${RUNTIME_USAGE}
  --json               {"summary":[{"method","split","n_instances","efficacy_verbatim",...}],"result":PATH|null}`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      dataset: { type: 'string', multiple: true },
      model: { type: 'string' },
      method: { type: 'string', multiple: true },
      out: { type: 'string' },
      force: { type: 'boolean' },
      hypernet: { type: 'string', multiple: true },
      limit: { type: 'string' },
      shard: { type: 'string' },
      seed: { type: 'string' },
      stats: { type: 'string' },
      'edit-lr-scale': { type: 'string' },
      'cpt-steps': { type: 'string' },
      'cpt-lr': { type: 'string' },
      'memit-corpus': { type: 'string' },
      'judge-url': { type: 'string' },
      'judge-model': { type: 'string' },
      json: { type: 'boolean' },
      ...RUNTIME_FLAGS,
    });
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    if (!values.dataset?.length) throw new UsageError('give --dataset FILE.ripple.jsonl');
    const methods = (values.method ?? [])
      .flatMap((m) => m.split(','))
      .map((m) => m.trim())
      .filter(Boolean);
    if (methods.length === 0) throw new UsageError(`give --method M[,M...] (${EVAL_METHODS.join(', ')})`);
    const unknown = methods.find((m) => !(EVAL_METHODS as readonly string[]).includes(m));
    if (unknown !== undefined)
      throw new UsageError(`unknown method "${unknown}"; use one of ${EVAL_METHODS.join(', ')}`);
    if (values.stats !== undefined && !STATS_MODES.includes(values.stats as StatsMode))
      throw new UsageError(`--stats must be one of ${STATS_MODES.join(', ')}, got "${values.stats}"`);
    if (values.force && values.out === undefined) throw new UsageError('--force applies only with --out DIR');
    if ((values['judge-url'] === undefined) !== (values['judge-model'] === undefined))
      throw new UsageError('give --judge-url and --judge-model together');
    if (values['memit-corpus'] !== undefined && !methods.includes('memit'))
      throw new UsageError('--memit-corpus applies only with --method memit');
    const hypernets = hypernetFlags(values.hypernet ?? [], methods);
    let shard = null;
    try {
      shard = values.shard === undefined ? null : parseShard(values.shard);
    } catch (error) {
      if (error instanceof ShardError) throw new UsageError(error.message);
      throw error;
    }
    const int = (name: string, v: string | undefined) =>
      v === undefined ? undefined : numberFlag(name, v, 0, { min: 1, integer: true });
    const limit = int('limit', values.limit);
    const cptSteps =
      values['cpt-steps'] === undefined
        ? undefined
        : numberFlag('cpt-steps', values['cpt-steps'], 0, { min: 0, integer: true });
    const cptLr =
      values['cpt-lr'] === undefined
        ? undefined
        : numberFlag('cpt-lr', values['cpt-lr'], 0, { min: Number.MIN_VALUE });
    const seed =
      values.seed === undefined ? undefined : numberFlag('seed', values.seed, 0, { min: 0, integer: true });
    const runtime = makeRuntime(values);
    try {
      const out = await runJob(io, 'evaluating', (ctx) =>
        evalRunJob(
          {
            datasets: values.dataset as string[],
            modelDir: values.model ?? shippedAssets().model,
            methods,
            ...(values.out !== undefined ? { outDir: values.out, force: values.force ?? false } : {}),
            ...(limit !== undefined ? { limit } : {}),
            shard,
            ...(seed !== undefined ? { seed } : {}),
            hypernets,
            ...(values.stats ? { statsMode: values.stats as StatsMode } : {}),
            ...(values['edit-lr-scale'] !== undefined
              ? { editLrScale: numberFlag('edit-lr-scale', values['edit-lr-scale'], 1, { min: 0 }) }
              : {}),
            ...(cptSteps !== undefined || cptLr !== undefined
              ? {
                  cpt: {
                    ...(cptSteps !== undefined ? { steps: cptSteps } : {}),
                    ...(cptLr !== undefined ? { lr: cptLr } : {}),
                  },
                }
              : {}),
            ...(values['memit-corpus'] !== undefined ? { memitCorpus: values['memit-corpus'] } : {}),
            ...(values['judge-url'] !== undefined
              ? { judge: { url: values['judge-url'], model: values['judge-model'] as string } }
              : {}),
            checkRoots: [process.cwd(), ...(values.dataset as string[]).map((d) => resolve(d))],
            threads: runtime.threads,
          },
          runtime,
          ctx,
        ),
      );
      if (values.json) io.stdout(`${JSON.stringify({ summary: out.summary, result: out.file })}\n`);
      else {
        io.stdout(formatSummaryTable(out.summary));
        if (out.file) io.stdout(`result: ${out.file}\n`);
      }
      return 0;
    } catch (error) {
      if (error instanceof DatasetCheckError) printReports(error.reports, io);
      throw error;
    } finally {
      await runtime.dispose();
    }
  },
};
