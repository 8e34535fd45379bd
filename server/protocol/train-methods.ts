// The meta-training messages of the runtime sidecar protocol, declared once as typed vscode-jsonrpc constants
// named `propmend/…`, with who sends them. Training runs beside the request queue (edits keep working while it
// runs), so these requests answer at once. Imports only vscode-jsonrpc's message types and ./train-types.
import { NotificationType, RequestType } from 'vscode-jsonrpc';
import type { RuntimeErrorData } from './errors';
import type { NoParams } from './methods';
import type {
  InspectTrainingParams,
  InspectTrainingResult,
  StartTrainingParams,
  TrainingProgressParams,
  TrainingStatusParams,
  TrainingStatusResult,
  TrainRunInfo,
} from './train-types';

/**
 * extension → sidecar: start meta-training in the background (or resume the run folder's saved state) and
 * answer with the run and its history. Asking for the run that is already going reconnects to it.
 */
export const StartTrainingRequest = new RequestType<
  StartTrainingParams,
  TrainingStatusResult,
  RuntimeErrorData
>('propmend/startTraining');

/** extension → sidecar: finish the current step, write the state and stop; startTraining resumes it. */
export const PauseTrainingRequest = new RequestType<NoParams, TrainRunInfo, RuntimeErrorData>(
  'propmend/pauseTraining',
);

/** extension → sidecar: finish the current step, write the state and end the run (best checkpoint kept). */
export const StopTrainingRequest = new RequestType<NoParams, TrainRunInfo, RuntimeErrorData>(
  'propmend/stopTraining',
);

/** extension → sidecar: the run of this process and its metric history (a reopened panel reads it all). */
export const TrainingStatusRequest = new RequestType<
  TrainingStatusParams,
  TrainingStatusResult,
  RuntimeErrorData
>('propmend/trainingStatus');

/** extension → sidecar: what a run folder holds on disk (saved step, history), without starting anything. */
export const InspectTrainingRequest = new RequestType<
  InspectTrainingParams,
  InspectTrainingResult,
  RuntimeErrorData
>('propmend/inspectTraining');

/** sidecar → extension: new metric points and the run's state, after each step and on every state change. */
export const TrainingProgressNotification = new NotificationType<TrainingProgressParams>(
  'propmend/trainingProgress',
);

export const TRAIN_REQUEST_METHODS = [
  StartTrainingRequest.method,
  PauseTrainingRequest.method,
  StopTrainingRequest.method,
  TrainingStatusRequest.method,
  InspectTrainingRequest.method,
] as const;
