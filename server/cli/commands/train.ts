// `propmend train --config FILE.json --out DIR`: meta-trains a PropMEND or MEND hypernetwork (config schema in
// schemas/train-config.schema.json). Resumes from DIR/state after a kill or Ctrl-C; writes DIR/metrics.jsonl,
// DIR/best.hypernet.safetensors and DIR/training.json (config, result, environment).
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { writeJsonAtomic } from '../../common/atomic';
import { Progress } from '../../common/progress';
import { InstanceFileError, readInstances, readLocalityTexts } from '../../runtime/edit/instances';
import { metaTrain } from '../../runtime/edit/meta-train';
import { ConfigError, parseTrainConfig, type TrainConfig } from '../../runtime/edit/train-config';
import { type CliCommand, CliError, numberFlag, parseFlags, UsageError } from '../command';
import { runEnvironment } from '../../jobs/environment';
import { loadModelForCli, makeRuntime, RUNTIME_FLAGS, RUNTIME_USAGE, tokenizerForCli } from '../model-args';

/** Reads and validates a training config; its paths resolve against the config file's folder. */
export function readTrainConfig(file: string): TrainConfig {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    const config = parseTrainConfig(value, file);
    const base = dirname(resolve(file));
    return {
      ...config,
      model: resolve(base, config.model),
      train: resolve(base, config.train),
      validation: resolve(base, config.validation),
      locality: resolve(base, config.locality),
    };
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
DIR receives state/ (resume), metrics.jsonl, best.hypernet.safetensors (best validation) and training.json.

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
      const model = loadModelForCli(config.model, runtime, io);
      const tokenizer = await tokenizerForCli(config.model);
      let data: Pick<Parameters<typeof metaTrain>[0], 'train' | 'validation' | 'localityTexts'>;
      try {
        data = {
          train: readInstances(config.train),
          validation: readInstances(config.validation),
          localityTexts: readLocalityTexts(config.locality),
        };
      } catch (error) {
        if (error instanceof InstanceFileError) throw new CliError(error.message);
        throw error;
      }
      const out = resolve(values.out);
      const progress = new Progress('meta-training', config.max_steps, {
        write: (t) => io.stderr(t),
        isTTY: io.stderrIsTTY,
      });
      const result = await metaTrain(
        { model, tokenizer, config, ...data, outDir: out },
        {
          signal: io.signal,
          progress: (done, _total, fields) => progress.update(done, fields),
          log: (line) => {
            progress.finish();
            io.stderr(`${line}\n`);
          },
        },
      );
      progress.finish();
      const summary = {
        method: config.method,
        ...result,
        config,
        environment: runEnvironment(runtime.threads),
      };
      writeJsonAtomic(join(out, 'training.json'), summary);
      if (io.signal.aborted) {
        io.stderr(`stopped at step ${result.steps}; run the same command to resume\n`);
        return 130;
      }
      if (values.json) io.stdout(`${JSON.stringify(summary)}\n`);
      else
        io.stdout(
          `${config.method}: ${result.steps} steps in ${result.trainSeconds.toFixed(0)}s${result.stoppedEarly ? ' (early stop)' : ''}; best ${config.early_stopping.metric} ${result.best.value} at step ${result.best.step} -> ${result.bestFile}\n`,
        );
      return 0;
    } finally {
      await runtime.dispose();
    }
  },
};
