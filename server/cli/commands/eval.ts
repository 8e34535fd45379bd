// `propmend eval`: edits each instance of a dataset alone (base, mend or propmend) and prints efficacy and
// specificity; a thin adapter over server/jobs/edit-eval.ts. Results on stdout, progress on stderr.
import { shippedAssets } from '../../common/paths';
import { EVAL_METHODS, type EvalMethod, editEvalJob } from '../../jobs/edit-eval';
import { STATS_MODES, type StatsMode } from '../../runtime/edit/hypernetwork';
import { type CliCommand, numberFlag, parseFlags, UsageError } from '../command';
import { runJob } from '../job-io';
import { makeRuntime, RUNTIME_FLAGS, RUNTIME_USAGE } from '../model-args';
import { runSequentialEval, SEQUENTIAL_USAGE } from './eval-sequential';

export const evalCommand: CliCommand = {
  summary: 'edit each instance of a dataset alone and measure efficacy and specificity',
  usage: `Usage: propmend eval --dataset FILE.ripple.jsonl [--model DIR] --method base|mend|propmend [options]

Edits every instance alone from the original weights (no edit for base), answers its questions greedily
(BOS + question, stop at EOS) and scores exact match after normalisation (aliases accepted).

  --model DIR        base model folder (default: the shipped assets/models/tiny-world)
  --hypernet DIR     hypernetwork folder or file (default: the shipped one for the method, shipped model only)
  --limit N          the first N instances only
  --edit-lr-scale X  multiply the hypernetwork's alphas by X (as an edit spec's edit_lr_scale; default 1)
  --stats MODE       ${STATS_MODES.join(' | ')}: normalisation statistics as trained, or re-estimated
                     online from the first edit on as the reference test scripts do (default frozen)
${RUNTIME_USAGE}
  --json             {"method","dataset","n_instances","efficacy_verbatim","efficacy_nonverbatim","specificity",...}

${SEQUENTIAL_USAGE}`,
  async run(argv, io) {
    if (argv.some((a) => a === '--sequential' || a.startsWith('--sequential=')))
      return runSequentialEval(argv, io);
    const { values, positionals } = parseFlags(argv, {
      dataset: { type: 'string' },
      model: { type: 'string' },
      method: { type: 'string' },
      hypernet: { type: 'string' },
      limit: { type: 'string' },
      stats: { type: 'string' },
      'edit-lr-scale': { type: 'string' },
      json: { type: 'boolean' },
      ...RUNTIME_FLAGS,
    });
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    if (!values.dataset) throw new UsageError('give --dataset FILE.ripple.jsonl');
    const method = values.method as EvalMethod;
    if (!EVAL_METHODS.includes(method))
      throw new UsageError(
        `--method must be one of ${EVAL_METHODS.join(', ')}, got ${JSON.stringify(values.method)}`,
      );
    if (values.stats !== undefined && !STATS_MODES.includes(values.stats as StatsMode))
      throw new UsageError(`--stats must be one of ${STATS_MODES.join(', ')}, got "${values.stats}"`);
    if (method === 'base' && values.hypernet)
      throw new UsageError('--hypernet does not apply to --method base');
    const limit =
      values.limit === undefined
        ? undefined
        : numberFlag('limit', values.limit, 0, { min: 1, integer: true });
    const runtime = makeRuntime(values);
    try {
      const result = await runJob(io, 'evaluating', (ctx) =>
        editEvalJob(
          {
            dataset: values.dataset as string,
            modelDir: values.model ?? shippedAssets().model,
            method,
            ...(values.hypernet ? { hypernet: values.hypernet } : {}),
            ...(limit !== undefined ? { limit } : {}),
            ...(values.stats ? { statsMode: values.stats as StatsMode } : {}),
            ...(values['edit-lr-scale'] !== undefined
              ? { editLrScale: numberFlag('edit-lr-scale', values['edit-lr-scale'], 1, { min: 0 }) }
              : {}),
          },
          runtime,
          ctx,
        ),
      );
      if (values.json) io.stdout(`${JSON.stringify(result)}\n`);
      else
        io.stdout(
          `${result.method} on ${result.dataset} (${result.n_instances} instances): efficacy verbatim ${(100 * result.efficacy_verbatim).toFixed(1)}%, non-verbatim ${(100 * result.efficacy_nonverbatim).toFixed(1)}%, specificity ${(100 * result.specificity).toFixed(1)}%\n`,
        );
      return 0;
    } finally {
      await runtime.dispose();
    }
  },
};
