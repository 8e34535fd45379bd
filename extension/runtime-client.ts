// What the editing loop needs from the runtime sidecar: one typed request with cancellation and progress.
// The sidecar manager (extension/sidecar/) provides it; commands, the Test Explorer and the panels depend on
// this interface only, and turn the protocol's errors into one readable message.
import type { RequestType } from 'vscode-jsonrpc';
import type { LoadModelParams, RuntimeErrorData } from '../server/protocol';
import {
  ApplyEditRequest,
  EvaluateRequest,
  ExportModelRequest,
  LoadModelRequest,
  RuntimeErrorCode,
  runtimeErrorName,
} from '../server/protocol';

export interface RuntimeProgress {
  readonly fraction: number;
  readonly message: string;
}

export interface RuntimeRequestOptions {
  /** Aborting sends `$/cancelRequest`; the sidecar stops between graph runs and leaves the model unedited. */
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: RuntimeProgress) => void;
}

export interface RuntimeClient {
  request<P, R>(
    type: RequestType<P, R, RuntimeErrorData>,
    params: P,
    options?: RuntimeRequestOptions,
  ): Promise<R>;
}

/** The requests whose parameters take a `progressToken` (the long ones); others are sent without progress. */
export const PROGRESS_METHODS: ReadonlySet<string> = new Set([
  LoadModelRequest.method,
  ApplyEditRequest.method,
  EvaluateRequest.method,
  ExportModelRequest.method,
]);

/** Options for a request without progress: the manager adds a progressToken only when asked for progress. */
export function quiet(options: RuntimeRequestOptions): RuntimeRequestOptions {
  return options.signal ? { signal: options.signal } : {};
}

/** The client with progress asked only on PROGRESS_METHODS (the sidecar refuses a token on the others). */
export function progressAware(runtime: RuntimeClient): RuntimeClient {
  return {
    request: (type, params, options = {}) =>
      runtime.request(type, params, PROGRESS_METHODS.has(type.method) ? options : quiet(options)),
  };
}

/** Gives the runtime, or undefined with the reason shown to the user (untrusted workspace, no sidecar). */
export type RuntimeAccess = () => RuntimeClient | undefined;

/** A failed request as a person reads it, with the file to open when one is at fault. */
export interface RuntimeFailure {
  readonly cancelled: boolean;
  readonly message: string;
  readonly file?: string;
}

export function describeFailure(error: unknown): RuntimeFailure {
  const e = error as { code?: unknown; message?: unknown; data?: RuntimeErrorData } | undefined;
  const code = typeof e?.code === 'number' ? e.code : undefined;
  const text = typeof e?.message === 'string' ? e.message : String(error);
  if (code === RuntimeErrorCode.Cancelled || (error as Error)?.name === 'AbortError')
    return { cancelled: true, message: 'cancelled; nothing changed' };
  const name = code !== undefined ? runtimeErrorName(code) : undefined;
  const prefix = name && name !== 'InputError' && name !== 'Internal' ? `${name}: ` : '';
  const file = typeof e?.data?.file === 'string' ? e.data.file : undefined;
  return { cancelled: false, message: `${prefix}${text}`, ...(file ? { file } : {}) };
}

/**
 * Runs `work`; when the sidecar answers NoModel (a dataset instance names no model), loads the model the
 * user chose (else the shipped one) and runs it once more. Other failures pass through unchanged.
 */
export async function withModel<R>(
  runtime: RuntimeClient,
  model: () => LoadModelParams,
  work: () => Promise<R>,
  options: RuntimeRequestOptions = {},
): Promise<R> {
  try {
    return await work();
  } catch (error) {
    if ((error as { code?: unknown } | undefined)?.code !== RuntimeErrorCode.NoModel) throw error;
    options.onProgress?.({ fraction: 0, message: `loading ${model().folder}` });
    await runtime.request(LoadModelRequest, model(), options);
    return work();
  }
}
