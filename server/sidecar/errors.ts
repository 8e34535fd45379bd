// How the sidecar's failures cross the protocol: SidecarError for the conditions the session itself refuses
// (no model, no such patch, another model loaded), and one mapping from every exception a job or loader
// throws to a RuntimeErrorCode with a human message and the file/field at fault. Unknown exceptions are
// Internal and their stack goes to stderr (the caller logs it), never to stdout.
import { OutputError } from '../common/output';
import { JobCancelled, JobInputError } from '../jobs/context';
import type { RuntimeErrorCodeValue, RuntimeErrorData } from '../protocol';
import { RuntimeErrorCode } from '../protocol';
import { BackendError } from '../runtime/backend/ort';
import { EditFileError } from '../runtime/edit/edit-file-common';
import { InstanceFileError } from '../runtime/edit/instances';
import { CheckpointError } from '../runtime/load/format';
import { ModelInputError } from '../runtime/models/model-input';

/** A refusal of the session with its protocol code. */
export class SidecarError extends Error {
  override name = 'SidecarError';
  constructor(
    readonly code: RuntimeErrorCodeValue,
    message: string,
    readonly data: RuntimeErrorData = {},
  ) {
    super(message);
  }
}

export interface MappedError {
  readonly code: RuntimeErrorCodeValue;
  readonly message: string;
  readonly data: RuntimeErrorData;
  /** True for a bug: the stack belongs in the log. */
  readonly internal: boolean;
}

/** The protocol error for anything a request threw; `aborted` says whether the request's signal fired. */
export function mapError(error: unknown, aborted: boolean): MappedError {
  const message = error instanceof Error ? error.message : String(error);
  const as = (code: RuntimeErrorCodeValue, data: RuntimeErrorData = {}): MappedError => ({
    code,
    message,
    data,
    internal: false,
  });
  if (error instanceof SidecarError) return as(error.code, error.data);
  if (error instanceof JobCancelled || aborted) {
    return {
      code: RuntimeErrorCode.Cancelled,
      message: error instanceof JobCancelled ? message : 'cancelled; nothing changed',
      data: {},
      internal: false,
    };
  }
  if (error instanceof EditFileError)
    return as(RuntimeErrorCode.InputError, {
      file: error.file,
      ...(error.field !== null ? { field: error.field } : {}),
    });
  if (error instanceof OutputError) return as(RuntimeErrorCode.OutputRefused);
  if (error instanceof BackendError) return as(RuntimeErrorCode.ProviderUnavailable);
  if (
    error instanceof JobInputError ||
    error instanceof CheckpointError ||
    error instanceof ModelInputError ||
    error instanceof InstanceFileError
  )
    return as(RuntimeErrorCode.InputError);
  return { code: RuntimeErrorCode.Internal, message: `internal error: ${message}`, data: {}, internal: true };
}
