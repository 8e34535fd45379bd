// The error half of the runtime sidecar protocol: the codes a failed request carries and the data beside its
// human message (the file and field to fix). The sidecar maps its exceptions onto these; the extension
// decides from the code what to show. Plain data only; imports nothing from either side.

/**
 * Error codes of a failed `propmend/*` request. JSON-RPC's own codes are kept for malformed requests; the
 * others are the runtime's, in the application range.
 */
export const RuntimeErrorCode = {
  /** Parameters that do not match the method's shape (the message names the field). */
  InvalidParams: -32602,
  /** The request was cancelled (`$/cancelRequest`); nothing changed. Same code as LSP's RequestCancelled. */
  Cancelled: -32800,
  /** A file or value the user can fix (missing file, bad spec, incompatible hypernetwork); `data.file`/`field`. */
  InputError: 1001,
  /** The request needs a loaded model and none is loaded (call `propmend/loadModel` or give a spec). */
  NoModel: 1002,
  /** A different model is loaded while patches are on the stack. */
  ModelMismatch: 1003,
  /** No patch with that id, or nothing to revert. */
  NoSuchPatch: 1004,
  /** The target exists (pass `force`) or may not be written (it is an input, or inside the model folder). */
  OutputRefused: 1005,
  /** The execution provider is not available on this machine. */
  ProviderUnavailable: 1006,
  /** A bug: the message says what failed; the sidecar's stderr has the stack. */
  Internal: 1099,
} as const;

export type RuntimeErrorCodeValue = (typeof RuntimeErrorCode)[keyof typeof RuntimeErrorCode];

/** The name of a code, for messages and logs (`InputError`), or undefined for an unknown code. */
export function runtimeErrorName(code: number): keyof typeof RuntimeErrorCode | undefined {
  const hit = Object.entries(RuntimeErrorCode).find(([, v]) => v === code);
  return hit?.[0] as keyof typeof RuntimeErrorCode | undefined;
}

/** The `data` of a sidecar error response. */
export interface RuntimeErrorData {
  /** The file to fix, when one is at fault. */
  readonly file?: string;
  /** The field (JSON path or parameter name) at fault. */
  readonly field?: string;
}
