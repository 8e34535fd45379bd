// The meta-training half of the sidecar: serves startTraining / pauseTraining / stopTraining /
// trainingStatus / inspectTraining on the connection, outside the request queue (a run takes minutes to
// hours and edits keep working beside it), holds at most one TrainingRun, and sends trainingProgress
// notifications (batched) as the run steps. On close it pauses the run, so its state is on disk to resume.
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { type MessageConnection, type RequestType, ResponseError } from 'vscode-jsonrpc/node';
import { pushAll } from '../common/arrays';
import { shippedAssets } from '../common/paths';
import { JobInputError } from '../jobs/context';
import {
  type Checked,
  checkInspectTrainingParams,
  checkNoParams,
  checkStartTrainingParams,
  checkTrainingStatusParams,
  InspectTrainingRequest,
  PauseTrainingRequest,
  RuntimeErrorCode,
  type RuntimeErrorData,
  StartTrainingRequest,
  StopTrainingRequest,
  TrainingProgressNotification,
  TrainingStatusRequest,
  type TrainingStatusResult,
  type TrainPoint,
  type TrainRunInfo,
} from '../protocol';
import {
  ConfigError,
  parseTrainConfig,
  resolveTrainPaths,
  type TrainConfig,
} from '../runtime/edit/train-config';
import { mapError, SidecarError } from './errors';
import { readPoints, savedStep, TrainingRun } from './train-run';

/** trainingProgress notifications are sent at most this often (state changes go at once). */
const NOTIFY_INTERVAL_MS = 200;

/** A config file read, validated and resolved (omitted paths = the shipped assets), as `propmend train` does. */
export function readTrainConfigFile(file: string): TrainConfig {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new JobInputError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return resolveTrainPaths(parseTrainConfig(value, file), file, shippedAssets());
  } catch (error) {
    if (error instanceof ConfigError)
      throw new SidecarError(RuntimeErrorCode.InputError, error.message, { file });
    throw error;
  }
}

/** The default run folder of a config: `runs/<config name>` beside it. */
export function defaultRunFolder(configFile: string): string {
  return join(dirname(configFile), 'runs', basename(configFile, extname(configFile)));
}

export interface TrainingService {
  /** Pauses a running run (its state saved) and waits for it. */
  dispose(): Promise<void>;
}

export function serveTraining(connection: MessageConnection, log: (line: string) => void): TrainingService {
  let run: TrainingRun | null = null;
  let pending: TrainPoint[] = [];
  let timer: NodeJS.Timeout | undefined;
  let lastState = '';

  const flush = (info: TrainRunInfo) => {
    timer = undefined;
    const points = pending;
    pending = [];
    void connection.sendNotification(TrainingProgressNotification, { run: info, points });
  };
  const changed = (info: TrainRunInfo, points: readonly TrainPoint[]) => {
    pushAll(pending, points);
    if (info.state !== lastState) {
      lastState = info.state;
      clearTimeout(timer);
      flush(info);
    } else if (!timer) timer = setTimeout(() => run && flush(run.info()), NOTIFY_INTERVAL_MS);
  };

  function handle<P, R>(
    type: RequestType<P, R, RuntimeErrorData>,
    check: (v: unknown) => Checked<P>,
    answer: (params: P) => Promise<R> | R,
  ): void {
    connection.onRequest(type.method, async (raw: unknown) => {
      const checked = check(raw);
      if (!checked.ok)
        throw new ResponseError<RuntimeErrorData>(
          RuntimeErrorCode.InvalidParams,
          `${type.method}: ${checked.message}`,
          { field: checked.field },
        );
      try {
        return await answer(checked.value);
      } catch (error) {
        const mapped = mapError(error, false);
        log(
          `${type.method}: ${mapped.internal ? ((error as Error).stack ?? mapped.message) : mapped.message}`,
        );
        throw new ResponseError<RuntimeErrorData>(mapped.code, mapped.message, mapped.data);
      }
    });
  }

  const status = (since = 0): TrainingStatusResult => ({
    run: run?.info() ?? null,
    points: run ? run.points.filter((p) => p.step > since) : [],
  });
  const going = (): TrainingRun => {
    if (!run?.active)
      throw new SidecarError(
        RuntimeErrorCode.InputError,
        'no training run is going; start one with startTraining',
      );
    return run;
  };

  handle(StartTrainingRequest, checkStartTrainingParams, async (p) => {
    const configFile = resolve(p.config);
    const out = resolve(p.out ?? defaultRunFolder(configFile));
    if (run?.active) {
      if (run.out === out && run.state !== 'pausing' && run.state !== 'stopping') return status();
      if (run.out !== out)
        throw new SidecarError(
          RuntimeErrorCode.InputError,
          `a training run is going in ${run.out}; pause or stop it before starting another`,
        );
      await run.done;
    }
    let config = readTrainConfigFile(configFile);
    if (p.max_steps !== undefined) config = { ...config, max_steps: p.max_steps };
    lastState = '';
    pending = [];
    run = new TrainingRun(configFile, config, out, {
      changed,
      log: (line) => log(`training: ${line}`),
    });
    log(`training ${config.method} from ${configFile} into ${out}`);
    return status();
  });
  handle(PauseTrainingRequest, checkNoParams, () => going().halt('pause'));
  handle(StopTrainingRequest, checkNoParams, () => going().halt('stop'));
  handle(TrainingStatusRequest, checkTrainingStatusParams, (p) => status(p.since));
  handle(InspectTrainingRequest, checkInspectTrainingParams, (p) => {
    const configFile = resolve(p.config);
    const config = readTrainConfigFile(configFile);
    const out = resolve(p.out ?? defaultRunFolder(configFile));
    let saved: number | null;
    try {
      saved = savedStep(out);
    } catch (error) {
      throw new SidecarError(RuntimeErrorCode.InputError, (error as Error).message, { file: out });
    }
    return { out, max_steps: config.max_steps, saved_step: saved, points: readPoints(out) };
  });

  return {
    async dispose() {
      clearTimeout(timer);
      if (run?.active) await run.halt('pause');
    },
  };
}
