// `propmend train --config FILE.json --out DIR`: meta-trains a PropMEND or MEND hypernetwork (config schema in
// schemas/train-config.schema.json). Resumes from DIR/state after a kill or Ctrl-C; writes DIR/metrics.jsonl,
// DIR/best.hypernet.safetensors and DIR/training.json (config, result, environment).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { shippedAssets } from '../../common/paths';
import { metaTrainJob } from '../../jobs/meta-train';
import {
  ConfigError,
  parseTrainConfig,
  resolveTrainPaths,
  type TrainConfig,
} from '../../runtime/edit/train-config';
import { type CliCommand, CliError, numberFlag, parseFlags, UsageError } from '../command';
import { runJob } from '../job-io';
import { makeRuntime, RUNTIME_FLAGS, RUNTIME_USAGE } from '../model-args';

/** Reads and validates a training config; its paths resolve against its folder, omitted ones are the shipped. */
export function readTrainConfig(file: string): TrainConfig {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return resolveTrainPaths(parseTrainConfig(value, file), file, shippedAssets());
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message);
    throw error;
  }
}

export const trainCommand: CliCommand = {
  summary: 'meta-train a PropMEND or MEND hypernetwork (resumable)',
  usage: `Usage: propmend train --config FILE.json --out DIR [options]

Meta-trains the hypernetwork the config describes (schemas/train-config.schema.json; examples/train-*.json).
Running the same command again after a kill or Ctrl-C resumes where the last saved state left off.
DIR receives state/ (resume), metrics.jsonl, best/hypernet.safetensors (best validation) and training.json.

  --max-steps N      override the config's max_steps
${RUNTIME_USAGE}
  --json             print the summary as JSON`,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, {
      config: { type: 'string' },
      out: { type: 'string' },
      'max-steps': { type: 'string' },
      json: { type: 'boolean' },
      ...RUNTIME_FLAGS,
    });
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    if (!values.config) throw new UsageError('give --config FILE.json');
    if (!values.out) throw new UsageError('give --out DIR');
    let config = readTrainConfig(resolve(values.config));
    if (values['max-steps'])
      config = {
        ...config,
        max_steps: numberFlag('max-steps', values['max-steps'], 0, { min: 1, integer: true }),
      };
    const runtime = makeRuntime(values);
    try {
      const out = resolve(values.out);
      const summary = await runJob(io, 'meta-training', (ctx) =>
        metaTrainJob({ config, outDir: out }, runtime, ctx),
      );
      if (values.json) io.stdout(`${JSON.stringify(summary)}\n`);
      else
        io.stdout(
          `${config.method}: ${summary.steps} steps in ${summary.trainSeconds.toFixed(0)}s${summary.stoppedEarly ? ' (early stop)' : ''}; best ${config.early_stopping.metric} ${summary.best.value} at step ${summary.best.step} -> ${summary.bestFile}\n`,
        );
      return 0;
    } finally {
      await runtime.dispose();
    }
  },
};
