// Every message of the runtime sidecar protocol, declared once as a typed vscode-jsonrpc constant named
// `propmend/…`, with who sends it. The sidecar registers handlers on these, the extension sends them; nobody
// writes a method name as a string elsewhere. Imports only vscode-jsonrpc's message types and ./types.
import { NotificationType, RequestType } from 'vscode-jsonrpc';
import type { RuntimeErrorData } from './errors';
import type {
  ApplyEditParams,
  ApplyEditResult,
  EvaluateParams,
  EvaluateResult,
  ExportModelParams,
  ExportModelResult,
  LoadModelParams,
  ModelInfo,
  PatchListResult,
  ProgressParams,
  RevertParams,
  RevertResult,
  SavePatchParams,
  SavePatchResult,
  StatusResult,
} from './types';

/** Parameterless requests take `{}` so that every request has by-name parameters. */
export type NoParams = Record<string, never>;

/** extension → sidecar: load (or switch to) a model; replaces the loaded one only when no patch is stacked. */
export const LoadModelRequest = new RequestType<LoadModelParams, ModelInfo, RuntimeErrorData>(
  'propmend/loadModel',
);

/**
 * extension → sidecar: compute one edit from the original weights plus the stack, report every question
 * before and after, and push it on the session's patch stack. Loads the spec's model when none is loaded.
 */
export const ApplyEditRequest = new RequestType<ApplyEditParams, ApplyEditResult, RuntimeErrorData>(
  'propmend/applyEdit',
);

/** extension → sidecar: drop one patch (default the last) from the session's stack. */
export const RevertRequest = new RequestType<RevertParams, RevertResult, RuntimeErrorData>('propmend/revert');

/** extension → sidecar: drop every patch from the session's stack. */
export const RevertAllRequest = new RequestType<NoParams, RevertResult, RuntimeErrorData>(
  'propmend/revertAll',
);

/** extension → sidecar: score methods on an instance or a dataset file with the loaded model. */
export const EvaluateRequest = new RequestType<EvaluateParams, EvaluateResult, RuntimeErrorData>(
  'propmend/evaluate',
);

/** extension → sidecar: the session's patch stack, bottom to top. */
export const ListPatchesRequest = new RequestType<NoParams, PatchListResult, RuntimeErrorData>(
  'propmend/listPatches',
);

/** extension → sidecar: write one stacked patch as a `*.edit.safetensors` file (atomically; `force` to replace). */
export const SavePatchRequest = new RequestType<SavePatchParams, SavePatchResult, RuntimeErrorData>(
  'propmend/savePatch',
);

/** extension → sidecar: write a new model folder with the stack merged into the weights. */
export const ExportModelRequest = new RequestType<ExportModelParams, ExportModelResult, RuntimeErrorData>(
  'propmend/exportModel',
);

/** extension → sidecar: protocol version (the handshake), loaded model, stack size and what is running. */
export const StatusRequest = new RequestType<NoParams, StatusResult, RuntimeErrorData>('propmend/status');

/** sidecar → extension: progress of a running request; cancel it with `$/cancelRequest` on its id. */
export const ProgressNotification = new NotificationType<ProgressParams>('propmend/progress');

/** Every request method name, for tables and tests. */
export const REQUEST_METHODS = [
  LoadModelRequest.method,
  ApplyEditRequest.method,
  RevertRequest.method,
  RevertAllRequest.method,
  EvaluateRequest.method,
  ListPatchesRequest.method,
  SavePatchRequest.method,
  ExportModelRequest.method,
  StatusRequest.method,
] as const;
